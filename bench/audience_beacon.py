"""View beacon throughput: requests/s and p99 on one worker, SQLite (in-process counts) and Redis,
each beside a cached article page on the same server in the same run.

    .venv/bin/python bench/audience_beacon.py [--seconds 10] [--connections 8]

Serves kiji.ops.wsgi (the beacon answered before Django) with one gunicorn sync worker on
127.0.0.1:8106, load from wrk. Every beacon request carries a new user agent, so every one is
a new visitor and is counted (the worst case: no dedupe shortcut). After each run the server
is stopped and the views that reached the database are compared with the requests wrk made.
"""

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import audience_corpus

PORT = 8106
REDIS_URL = "redis://127.0.0.1:6379/6"
BEACON_LUA = """
local n = 0
request = function()
  n = n + 1
  local headers = {}
  headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0 bench/" .. n .. "/" .. math.random(1e9)
  headers["Content-Type"] = "text/plain;charset=UTF-8"
  return wrk.format("POST", "/v/?a=%d", headers, "")
end
"""


def wrk(url: str, seconds: int, connections: int, script: str | None = None) -> tuple[float, float, int]:
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if script:
        cmd[1:1] = ["-s", script]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    p99_ms = float(p99.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, p99_ms, requests - (int(non2xx.group(1)) if non2xx else 0)


def serve(env: dict) -> subprocess.Popen:
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    proc = subprocess.Popen(
        [
            gunicorn,
            "kiji.ops.wsgi:application",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "1",
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=audience_corpus.ROOT,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/ranking/", timeout=1)
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start")


def run(label: str, redis_url: str, article, args) -> dict:
    from kiji.audience.models import ArticleViewHour

    ArticleViewHour.objects.filter(article=article).delete()
    env = {
        **os.environ,
        "KIJI_AUDIENCE_REDIS_URL": redis_url,
        "KIJI_AUDIENCE_FLUSH_THREAD": "true",
        "KIJI_AUDIENCE_REDIS_PREFIX": "bench:aud:",
        "KIJI_LOG_LEVEL": "ERROR",
        "KIJI_TEST_STATIC": "plain",
    }  # no collectstatic manifest needed
    env.pop("REDIS_URL", None)  # the page cache stays in-process in both runs: only counting differs
    proc = serve(env)
    try:
        page = f"http://127.0.0.1:{PORT}{article.get_absolute_url()}"
        for _ in range(3):
            urllib.request.urlopen(page).read()  # rendered once, then served from the page cache
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
            f.write(BEACON_LUA % article.pk)
        wrk(page, 2, args.connections)  # warm-up
        page_rps, page_p99, _ = wrk(page, args.seconds, args.connections)
        beacon_rps, beacon_p99, sent = wrk(f"http://127.0.0.1:{PORT}/v/", args.seconds, args.connections, f.name)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    if redis_url:
        from kiji.audience.backends import RedisBackend

        RedisBackend(url=redis_url, prefix="bench:aud:").flush()
    counted = sum(ArticleViewHour.objects.filter(article=article).values_list("count", flat=True))
    print(
        f"{label:<24} cached article page {page_rps:8.0f} req/s  p99 {page_p99:6.1f} ms | "
        f"beacon {beacon_rps:8.0f} req/s  p99 {beacon_p99:6.1f} ms | beacon/page x{beacon_rps / page_rps:.2f} | "
        f"counted {counted}/{sent} beacons",
        flush=True,
    )
    return {"page": page_rps, "beacon": beacon_rps}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    audience_corpus.setup()
    from kiji.audience.backends import RedisBackend
    from kiji.newsroom.models import Article

    article = Article.objects.published().order_by("pk").first()
    print(
        f"one gunicorn sync worker on 127.0.0.1:{PORT}, wrk -t1 -c{args.connections} -d{args.seconds}s, "
        f"SQLite database, article {article.pk}"
    )
    run("SQLite + in-process", "", article, args)
    RedisBackend(url=REDIS_URL, prefix="bench:aud:").clear()
    run("SQLite + Redis counts", REDIS_URL, article, args)
    RedisBackend(url=REDIS_URL, prefix="bench:aud:").clear()


if __name__ == "__main__":
    main()
