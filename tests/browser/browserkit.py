"""Helpers the browser test modules share: Chromium settings, axe-core, screenshots, page availability."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
NODE_MODULES = ROOT / "node_modules"
SCREENSHOTS = ROOT / "build" / "screenshots"
WIDTHS = {"phone": 375, "desktop": 1280}


def run_axe(page) -> list[dict]:
    """axe-core's WCAG 2.0/2.1/2.2 A and AA violations on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(NODE_MODULES / "axe-core" / "axe.min.js"))
    result = page.evaluate("""() => axe.run(document, {
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']},
        resultTypes: ['violations'],
    })""")
    return result["violations"]


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        lines += [f"    {n['target']}: {n['failureSummary'].splitlines()[-1].strip()}" for n in v["nodes"][:5]]
    return "\n".join(lines)


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def vnu_errors(documents: dict[str, str], workdir: Path) -> list[str]:
    """Nu HTML checker errors in each named HTML document, one Java start for all of them."""
    import json
    import subprocess

    files = {}
    for name, html in documents.items():
        files[name] = workdir / f"{name}.html"
        files[name].write_text(html, encoding="utf-8")
    jar = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
    proc = subprocess.run(
        ["java", "-jar", str(jar), "--format", "json", "--errors-only", *map(str, files.values())],
        capture_output=True,
        text=True,
        timeout=180,
    )
    messages = json.loads(proc.stderr or proc.stdout)["messages"]
    by_file = {f"file:{path}": name for name, path in files.items()}
    return [
        f"{by_file.get(m.get('url'), m.get('url'))}:{m.get('lastLine')}: {m['message']}  [{m.get('extract', '').strip()[:80]}]"
        for m in messages
        if m["type"] in ("error", "non-document-error")
    ]


def compose(cdp, *readings: str, commit: str | None = None) -> None:
    """Type the way a Japanese IME does: each reading shown as an uncommitted composition, then the
    conversion committed (Input.insertText), or, with commit=None, the composition cancelled (Esc)."""
    for reading in readings:
        cdp.send(
            "Input.imeSetComposition", {"text": reading, "selectionStart": len(reading), "selectionEnd": len(reading)}
        )
    if commit is None:
        cdp.send("Input.imeSetComposition", {"text": "", "selectionStart": 0, "selectionEnd": 0})
    else:
        cdp.send("Input.insertText", {"text": commit})


def type_japanese(page, *, break_inside_conversion: bool = True) -> str:
    """Type a fixed Japanese passage into the focused field through the IME path; the text it commits.

    It has one-character and multi-step conversions, a cancelled conversion (会議, never committed), line
    breaks typed with Enter between conversions, and, with break_inside_conversion, one conversion that
    spans a line break (晴れ⏎明日は shown and committed as one composition).
    """
    cdp = page.context.new_cdp_session(page)
    compose(cdp, "k", "き", "きょ", "きょう", "今日", commit="今日")
    compose(cdp, "は", commit="は")
    compose(cdp, "か", "かい", "かいぎ", "会議")  # cancelled: nothing may remain
    page.keyboard.press("Enter")
    if break_inside_conversion:
        compose(cdp, "はれ", "晴れ", "晴れ\nあした", "晴れ\n明日は", commit="晴れ\n明日は")
    else:
        compose(cdp, "はれ", "晴れ", commit="晴れ")
        page.keyboard.press("Enter")
        compose(cdp, "あした", "明日", commit="明日")
        compose(cdp, "は", commit="は")
    compose(cdp, "あ", "あめ", "雨", commit="雨")
    compose(cdp, "。", commit="。")
    cdp.detach()
    return "今日は\n晴れ\n明日は雨。"
