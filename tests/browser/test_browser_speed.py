"""Page speed on the home and article pages: Lighthouse's mobile preset, and the browser's own paint timings.

Timings (Lighthouse's performance score, LCP, blocking time) depend on how busy the machine is, so they are
printed here and judged in bench/, never asserted: a test must not fail because CI shared its cores. What is
asserted is what the page itself decides: accessibility, best practices, SEO, no layout shift, and the
performance audits that do not measure time (render-blocking resources, page weight, image sizing).
"""

import json
import os
import subprocess

import pytest
from browserkit import CHROMIUM, CHROMIUM_ARGS, NODE_MODULES, ROOT, WIDTHS

CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
JUDGED = ["accessibility", "best-practices", "seo"]  # not "performance": its score is a timing
MINIMUM = 0.95
# Performance audits that are properties of the page, not of the machine's speed at the time.
STRUCTURAL_AUDITS = [
    "cumulative-layout-shift",
    "render-blocking-resources",
    "total-byte-weight",
    "uses-responsive-images",
    "unsized-images",
    "font-display",
]
REPORTS = ROOT / "build" / "lighthouse"
# Lighthouse runtime errors where headless Chromium lost the page-load trace; they say nothing about
# the page, and Lighthouse asks to be run again. Any other failure fails the test at once.
TRANSIENT = ("NO_NAVSTART", "NO_TRACING_STARTED", "PROTOCOL_TIMEOUT")
RUNS = 3


def lighthouse(url: str, name: str) -> dict:
    """One Lighthouse run (mobile preset: simulated slow 4G and 4x CPU slowdown); its category scores."""
    REPORTS.mkdir(parents=True, exist_ok=True)
    report = REPORTS / f"{name}.json"
    command = [
        str(NODE_MODULES / ".bin" / "lighthouse"),
        url,
        "--output=json",
        f"--output-path={report}",
        "--quiet",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={' '.join(['--headless=new', *CHROMIUM_ARGS])}",
    ]
    for attempt in range(1, RUNS + 1):
        proc = subprocess.run(
            command, env={**os.environ, "CHROME_PATH": CHROMIUM}, capture_output=True, text=True, timeout=180
        )
        if proc.returncode == 0 or not any(code in proc.stderr for code in TRANSIENT):
            break
        # Lighthouse's own advice for these trace-recording failures is "run Lighthouse again".
        print(f"lighthouse {name}: attempt {attempt} hit a transient trace error; running again")
    assert proc.returncode == 0, f"Lighthouse did not run on {url}:\n{proc.stderr[-2000:]}"
    result = json.loads(report.read_text())
    assert not result.get("runtimeError"), result["runtimeError"]
    scores = {c: result["categories"][c]["score"] for c in CATEGORIES}
    below = {
        a: result["audits"][a]["title"]
        for c in CATEGORIES
        for a in (r["id"] for r in result["categories"][c]["auditRefs"] if r["weight"])
        if (result["audits"][a]["score"] is not None and result["audits"][a]["score"] < 1)
    }
    metrics = {
        m: result["audits"][m]["numericValue"]
        for m in ("largest-contentful-paint", "cumulative-layout-shift", "total-blocking-time")
    }
    structural = {
        a: result["audits"][a]["score"]
        for a in STRUCTURAL_AUDITS
        if a in result["audits"] and result["audits"][a]["score"] is not None
    }
    return {"scores": scores, "below": below, "metrics": metrics, "structural": structural}


@pytest.mark.parametrize("name", ["home", "article"])
def test_lighthouse_scores_at_least_95_on_mobile(site, name):
    run = lighthouse(site.url(name), name)
    print(f"lighthouse {name}: {run['scores']} metrics {run['metrics']} (performance is printed, not judged)")
    judged = {c: run["scores"][c] for c in JUDGED}
    assert min(judged.values()) >= MINIMUM, f"Lighthouse on {name}: {judged}; audits not passed: {run['below']}"
    assert run["structural"] and all(score == 1 for score in run["structural"].values()), (
        f"Lighthouse performance audits that do not depend on timing, on {name}: {run['structural']}"
    )


# LCP, CLS and long tasks (total blocking time: each task's time over 50 ms) as the browser reports them.
PAINT_OBSERVER = """
window.__perf = {lcp: 0, cls: 0, tbt: 0};
new PerformanceObserver(l => { for (const e of l.getEntries()) window.__perf.lcp = e.startTime; })
  .observe({type: 'largest-contentful-paint', buffered: true});
new PerformanceObserver(l => { for (const e of l.getEntries()) if (!e.hadRecentInput) window.__perf.cls += e.value; })
  .observe({type: 'layout-shift', buffered: true});
new PerformanceObserver(l => { for (const e of l.getEntries()) window.__perf.tbt += Math.max(0, e.duration - 50); })
  .observe({type: 'longtask', buffered: true});
"""


@pytest.mark.parametrize("width", WIDTHS.values())
@pytest.mark.parametrize("name", ["home", "article"])
def test_it_paints_fast_on_loopback(site, new_page, name, width):
    """The browser's own timings on loopback: a paint happens, nothing shifts; LCP and blocking are printed."""
    page = new_page(width)
    page.add_init_script(PAINT_OBSERVER)
    page.goto(site.url(name), wait_until="load")
    page.wait_for_timeout(500)
    perf = page.evaluate("window.__perf")
    print(f"loopback {name} at {width} px: LCP {perf['lcp']:.0f} ms, CLS {perf['cls']:.4f}, TBT {perf['tbt']:.0f} ms")
    assert perf["lcp"] > 0, perf
    assert perf["cls"] < 0.01, perf
