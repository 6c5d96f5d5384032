"""The read API under load, against a trivial JSON view of the same app measured in the same run.

    .venv/bin/python bench/api_bench.py [--seconds 10] [--channels 3] [--no-append]

Imports livedoor channels (read from ../shared/corpora, never copied) into a fresh SQLite database,
starts `kiji serve` (2 workers, pinned to CPU 0, port 8105, rate limit lifted), drives it with wrk
pinned to CPU 1 (32 connections, warm-up, then --seconds each) and prints req/s, p50 and p99 for:
the baseline (/api/v1/openapi.json: a constant JSON body through the same middleware, rate limiter
and ETag code, no database), the article list (20 per page, plain and filtered by category), the
article detail, and a 304 answer to If-None-Match; then the CPU time per request of each, in one process (a figure
a busy machine does not skew). Appends the table to bench/RESULTS.md under ## API.
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from lib_http import Figure, ensure_tools, stop, wait_http, wrk  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpora" / "livedoor-news-corpus.tar.gz"
CHANNELS = [
    "topic-news",
    "sports-watch",
    "it-life-hack",
    "kaden-channel",
    "movie-enter",
    "dokujo-tsushin",
    "smax",
    "livedoor-homme",
    "peachy",
]
PORT = 8105


def kiji(env: dict, *args: str, **kwargs) -> None:
    subprocess.run([sys.executable, "-m", "kiji.cli", *args], env=env, cwd=ROOT, check=True, **kwargs)


def get_json(url: str, **headers) -> tuple[dict, dict]:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
        return json.loads(response.read()), response.headers


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--channels", type=int, default=3, help="how many livedoor channels to import (1-9)")
    parser.add_argument("--no-append", action="store_true")
    parser.add_argument("--reuse", help="the folder of an earlier run: skip the import (for iterating)")
    args = parser.parse_args()
    ensure_tools()
    work = Path(args.reuse or tempfile.mkdtemp(prefix="kiji-api-bench-"))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "KIJI_REPLICA_URL")}
    env.update(
        {
            "KIJI_VAR_DIR": str(work / "var"),
            "KIJI_ENV": "development",
            "KIJI_DEBUG": "false",
            "DJANGO_SETTINGS_MODULE": "kiji.settings",
            "PYTHONPATH": str(ROOT),
            "KIJI_LOG_LEVEL": "WARNING",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "KIJI_API_RATE_LIMIT": "1000000000",
        }
    )
    if not args.reuse:
        kiji(env, "manage", "migrate", "--noinput", "-v", "0")
        channels = [arg for c in CHANNELS[: args.channels] for arg in ("--channel", c)]
        kiji(env, "import-ldcc", str(CORPUS), *channels, stdout=subprocess.DEVNULL)
        print(f"site loaded in {work}", flush=True)
    app = subprocess.Popen(
        [
            "taskset",
            "-c",
            "0",
            sys.executable,
            "-m",
            "kiji.cli",
            "serve",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "2",
            "--no-scheduler",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{PORT}/api/v1"
    try:
        wait_http(f"{base}/openapi.json")
        listing, _ = get_json(f"{base}/articles")
        category = listing["results"][0]["category"]["slug"]
        detail_id = listing["results"][0]["id"]
        _, headers = get_json(f"{base}/articles/{detail_id}")
        runs = [
            ("baseline: trivial JSON view (openapi.json)", f"{base}/openapi.json", None),
            ("article list, 20 per page", f"{base}/articles", None),
            ("article list, filtered by category, page 5", f"{base}/articles?category={category}&page=5", None),
            ("article detail", f"{base}/articles/{detail_id}", None),
            ("article detail, 304 (If-None-Match)", f"{base}/articles/{detail_id}", {"If-None-Match": headers["ETag"]}),
        ]
        figures = [wrk(name, url, seconds=args.seconds, headers=hdrs) for name, url, hdrs in runs]
    finally:
        stop(app)
    cpu = cpu_per_request(env, [(url.removeprefix(f"http://127.0.0.1:{PORT}"), hdrs) for _, url, hdrs in runs])
    report(figures, cpu, listing["count"], args)


CPU_SCRIPT = """
import json, sys, time
import django
django.setup()
from django.test import Client
client, out = Client(HTTP_HOST="127.0.0.1"), []
for path, headers in json.loads(sys.argv[1]):
    for _ in range(20):
        assert client.get(path, headers=headers or {}).status_code in (200, 304), path
    start = time.process_time()
    for _ in range(200):
        client.get(path, headers=headers or {})
    out.append((time.process_time() - start) / 200 * 1000)
print(json.dumps(out))
"""


def cpu_per_request(env: dict, requests: list) -> list[float]:
    """CPU milliseconds per request in one process (Django test client): a figure a busy machine can't skew."""
    done = subprocess.run(
        [sys.executable, "-c", CPU_SCRIPT, json.dumps(requests)],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(figures: list[Figure], cpu: list[float], articles: int, args) -> None:
    baseline = figures[0].rps
    lines = [
        f"### {datetime.date.today().isoformat()}: {articles:,} livedoor articles, SQLite, kiji serve 2 workers "
        f"(CPU 0), wrk 32 connections (CPU 1), {args.seconds} s each",
        "",
        "Command: `.venv/bin/python bench/api_bench.py " + " ".join(sys.argv[1:]) + "`",
        "",
        "| request | req/s | p50 ms | p99 ms | × baseline | errors | CPU ms/request (in-process) |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {f.name} | {f.rps:,.0f} | {f.p50_ms:.2f} | {f.p99_ms:.2f} | {f.rps / baseline:.2f} | {f.errors} "
        f"| {ms:.2f} |"
        for f, ms in zip(figures, cpu, strict=True)
    ]
    lines.append(
        f"\nLoad average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs "
        "(other work on the machine lowers req/s; the CPU column is per request and is not skewed)."
    )
    text = "\n".join(lines)
    print(text)
    if not args.no_append:
        append(text)


def append(text: str) -> None:
    """Add the run under `## API` in bench/RESULTS.md (creating the heading or the file if missing)."""
    path = ROOT / "bench" / "RESULTS.md"
    current = path.read_text() if path.exists() else "# Benchmarks\n"
    if "\n## API\n" not in current:
        current = current.rstrip("\n") + "\n\n## API\n"
    head, rest = current.split("\n## API\n", 1)
    following = rest.find("\n## ")
    section, tail = (rest, "") if following < 0 else (rest[:following], rest[following:])
    earlier = section.strip("\n") + "\n\n" if section.strip() else ""
    path.write_text(f"{head}\n## API\n\n{earlier}{text}\n{tail}")


if __name__ == "__main__":
    main()
