"""`make bench-cluster`: the scale-out stack under a traffic spike, all on loopback.

    .venv/bin/python bench/cluster.py [--servers 2] [--steady 15] [--spike 30] [--connections 8]

Set-up: PostgreSQL (its own database kiji_bench, dropped and made again; KIJI_BENCH_DATABASE_URL
to point elsewhere), Redis (REDIS_URL, else redis://127.0.0.1:6379/0, under key prefixes of this run
only, deleted at the end), two `kiji serve` app servers (separate processes, one worker each, each
with its own scheduler as `kiji serve` runs them) and nginx with the shipped deploy/nginx/kiji.conf
in front, both upstreams listed. nginx and wrk are installed with apt when missing.

Load (wrk): steady traffic spread over the site's articles (two corpus channels, ~1,700), then the
same steady traffic plus 10 times as many connections onto one newly published article for --spike
seconds, as when a portal's top page links it. During the spike an article scheduled 5 s ahead is
published by the schedulers, and the spiked article is edited: the script prints when readers see
each through nginx (publish lag, edit freshness), and what /metrics says.
Prints requests/s, p50/p99 and errors per phase; the machine is shared, so figures are indicative.
"""

import argparse
import datetime
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from lib_http import ensure_tools, fetch, nginx_binary, stop, wait_http, wrk  # noqa: E402

SHARED = next(
    (p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if p.is_dir()), ROOT.parent / "shared"
)
CORPUS = SHARED / "corpora" / "livedoor-news-corpus.tar.gz"
CHANNELS = ("topic-news", "sports-watch")
BASE_PORT = int(os.environ.get("KIJI_BENCH_CLUSTER_PORT", "8460"))  # nginx; app servers on the next ports
DATABASE_URL = os.environ.get("KIJI_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kiji_bench")
TOKEN = uuid.uuid4().hex


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--steady", type=int, default=15, help="seconds of steady traffic")
    parser.add_argument("--spike", type=int, default=30, help="seconds of the spike")
    parser.add_argument("--connections", type=int, default=8, help="steady wrk connections (spike: 10 times)")
    args = parser.parse_args()
    ensure_tools()
    work = Path(tempfile.mkdtemp(prefix="kiji-bench-cluster-"))
    os.chmod(work, 0o755)  # nginx's workers (another user) read its cache folder there
    env = site_env(work)
    servers, nginx = [], None
    try:
        make_database(env)
        load_site(env)
        ports = [BASE_PORT + 1 + n for n in range(args.servers)]
        servers = [start_server(env, port) for port in ports]
        nginx = start_nginx(work, ports)
        run(env, args)
    finally:
        if nginx:
            stop(nginx)
        for server in servers:
            stop(server)
        forget_redis(env)
        shutil.rmtree(work, ignore_errors=True)


def site_env(work: Path) -> dict:
    run_id = uuid.uuid4().hex[:8]
    env = {k: v for k, v in os.environ.items() if k not in ("KIJI_REPLICA_URL", "KIJI_AUDIENCE_REDIS_URL")}
    env.update(
        {
            "DATABASE_URL": DATABASE_URL,
            "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
            "KIJI_CACHE_PREFIX": f"kiji-bench-{run_id}",
            "KIJI_AUDIENCE_REDIS_PREFIX": f"kiji-bench-aud-{run_id}:",
            "KIJI_VAR_DIR": str(work / "var"),
            "KIJI_ENV": "development",
            "KIJI_DEBUG": "false",
            "DJANGO_SETTINGS_MODULE": "kiji.settings",
            "PYTHONPATH": str(ROOT),
            "KIJI_LOG_LEVEL": "WARNING",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "KIJI_SCHEDULER_INTERVAL": "1",
            "KIJI_METRICS_TOKEN": TOKEN,
        }
    )
    return env


def kiji(env: dict, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiji.cli", *args], env=env, cwd=ROOT, check=True, **kwargs)


def python(env: dict, code: str) -> str:
    script = "import django; django.setup()\n" + code
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(done.stderr[-2000:])
    return done.stdout.strip()


def make_database(env: dict) -> None:
    import psycopg

    base, _, name = env["DATABASE_URL"].rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def load_site(env: dict) -> None:
    start = time.perf_counter()
    kiji(env, "manage", "migrate", "--noinput", "-v", "0")
    kiji(env, "manage", "collectstatic", "--noinput", "-v", "0")
    channels = [arg for ch in CHANNELS for arg in ("--channel", ch)]
    kiji(env, "import-ldcc", str(CORPUS), "--skip-bad", *channels, stdout=subprocess.DEVNULL)
    print(f"site loaded ({', '.join(CHANNELS)}) in {time.perf_counter() - start:.0f} s", flush=True)


def start_server(env: dict, port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiji.cli", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_http(f"http://127.0.0.1:{port}/healthz", timeout=60)
    return proc


def start_nginx(work: Path, ports: list[int]) -> subprocess.Popen:
    cache = work / "nginx-cache"
    cache.mkdir(mode=0o777)
    os.chmod(cache, 0o777)
    shipped = (ROOT / "deploy" / "nginx" / "kiji.conf").read_text()
    upstreams = "\n    ".join(f"server 127.0.0.1:{port};" for port in ports)
    for old, new in (
        ("listen 80;", f"listen 127.0.0.1:{BASE_PORT};"),
        ("server 127.0.0.1:8000;", upstreams),
        ("/var/cache/nginx/kiji", str(cache)),
        ("/srv/kiji/var/", f"{work}/var/"),
    ):
        assert old in shipped, f"deploy/nginx/kiji.conf no longer contains {old!r}"
        shipped = shipped.replace(old, new)
    (work / "kiji.conf").write_text(shipped)
    (work / "nginx.conf").write_text(f"""
worker_processes 1;
daemon off;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    include {work}/kiji.conf;
}}
""")
    subprocess.run([nginx_binary(), "-t", "-q", "-c", str(work / "nginx.conf")], check=True)
    proc = subprocess.Popen([nginx_binary(), "-c", str(work / "nginx.conf")])
    try:
        wait_http(f"http://127.0.0.1:{BASE_PORT}/healthz")
        time.sleep(1)
        if proc.poll() is not None:
            raise RuntimeError(f"nginx ended ({proc.returncode}): is port {BASE_PORT} taken? (KIJI_BENCH_CLUSTER_PORT)")
    except BaseException:
        stop(proc)
        raise
    return proc


NEW_ARTICLE = """
from datetime import timedelta
from django.utils import timezone
from kiji.newsroom.models import Article, Category
a = Article.objects.create(headline={headline!r}, body="<p>速報の本文。</p>", category=Category.objects.first(),
                           status="scheduled", published_at=timezone.now() + timedelta(seconds={ahead}))
print(a.pk, a.get_absolute_url(), a.published_at.timestamp())
"""

EDIT = """
from kiji.newsroom.models import Article
from kiji.newsroom.services.publishing import announce_change
a = Article.objects.get(pk={pk})
a.headline = {headline!r}
a.save()
announce_change(a)
"""


def schedule(env: dict, headline: str, ahead: int) -> tuple[int, str, float]:
    pk, url, at = python(env, NEW_ARTICLE.format(headline=headline, ahead=ahead)).split()
    return int(pk), url, float(at)


def seen_at(url: str, text: str, timeout: float = 60) -> float:
    """When a reader through nginx first gets the page with `text` in it."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            status, body, _ = fetch(f"http://127.0.0.1:{BASE_PORT}{url}")
        except OSError:  # a connection refused or dropped under load: ask again
            status, body = 0, b""
        if status == 200 and text.encode() in body:
            return time.time()
        time.sleep(0.05)
    return float("nan")


def steady_script(work_urls: list[str], path: Path) -> str:
    paths = ",".join(f'"{u}"' for u in work_urls)
    path.write_text(
        f"paths = {{{paths}}}\nrequest = function()\n  return wrk.format(nil, paths[math.random(#paths)])\nend\n"
    )
    return str(path)


def run(env: dict, args) -> None:
    nginx = f"http://127.0.0.1:{BASE_PORT}"
    urls = python(
        env,
        "from kiji.newsroom.models import Article\n"
        "print('\\n'.join(a.get_absolute_url() for a in Article.objects.published()))",
    ).split()
    random.seed(1)
    script = steady_script(urls, Path(env["KIJI_VAR_DIR"]).parent / "steady.lua")
    print(f"{len(urls)} published articles; nginx :{BASE_PORT} -> {args.servers} app servers", flush=True)
    settled = wait_settled(nginx)
    print(f"the schedulers' first slow round (also-read rebuild) ended after {settled:.0f} s", flush=True)
    rows = [wrk("steady (all articles)", f"{nginx}/", seconds=args.steady, connections=args.connections, script=script)]

    # The new article: scheduled 3 s ahead, published by the schedulers, then the spike hits it.
    pk, url, at = schedule(env, "速報: 大きなニュース", 3)
    published = seen_at(url, "速報: 大きなニュース")
    lags = [("publish before the spike", published - at)]
    results = {}

    def load(name, target, connections, script=None):
        results[name] = wrk(name, target, seconds=args.spike, connections=connections, script=script, warmup=0)

    threads = [
        threading.Thread(target=load, args=("spike: steady part", f"{nginx}/", args.connections, script)),
        threading.Thread(target=load, args=("spike: the new article (10x)", f"{nginx}{url}", args.connections * 10)),
    ]
    for thread in threads:
        thread.start()
    time.sleep(3)
    _, url2, at2 = schedule(env, "続報: スパイク中の予約記事", 5)
    lags.append(("publish during the spike", seen_at(url2, "続報: スパイク中の予約記事") - at2))
    python(env, EDIT.format(pk=pk, headline="速報: 大きなニュース（更新）"))
    committed = time.time()
    lags.append(("edit of the spiked article visible", seen_at(url, "（更新）") - committed))
    scrape = (
        urllib.request.urlopen(
            urllib.request.Request(f"{nginx}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}), timeout=10
        )
        .read()
        .decode()
    )
    for thread in threads:
        thread.join()
    rows += [results["spike: steady part"], results["spike: the new article (10x)"]]

    lines = [
        f"### bench/cluster.py, {datetime.date.today()} ({args.servers} app servers, 1 worker each, nginx, "
        f"PostgreSQL, Redis; {len(urls)} articles; steady {args.connections} connections, spike "
        f"{args.connections * 10} more on one article for {args.spike} s)",
        "",
        "| phase | requests/s | p50 ms | p99 ms | errors |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {f.name} | {f.rps:,.0f} | {f.p50_ms:.2f} | {f.p99_ms:.2f} | {f.errors} |" for f in rows]
    lines += ["", "| during the spike | seconds |", "|---|---|"]
    lines += [f"| {name} | {seconds:.2f} |" for name, seconds in lags]
    wanted = (
        "kiji_publish_last_lag_seconds",
        'kiji_pagecache_requests_total{result="hit"}',
        'kiji_pagecache_requests_total{result="miss"}',
        "kiji_metrics_shared",
    )
    lines += ["", "/metrics (scraped through nginx during the spike, with the token):", ""]
    lines += [f"    {line}" for line in scrape.splitlines() if line.startswith(wanted)]
    print("\n".join(lines), flush=True)


def metrics_text(nginx: str) -> str:
    request = urllib.request.Request(f"{nginx}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    return urllib.request.urlopen(request, timeout=10).read().decode()


def wait_settled(nginx: str, timeout: float = 300) -> float:
    """Seconds until a scheduler's first full also-read rebuild ended (read from /metrics): before that,
    the slow processes share the two cores with the app servers and the figures say little."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if 'kiji_scheduler_job_last_success_timestamp_seconds{job="audience.also_read"}' in metrics_text(nginx):
            break
        time.sleep(1)
    return time.monotonic() - start


def forget_redis(env: dict) -> None:
    try:
        import redis

        client = redis.Redis.from_url(env["REDIS_URL"])
        for prefix in (env["KIJI_CACHE_PREFIX"], env["KIJI_AUDIENCE_REDIS_PREFIX"]):
            for key in client.scan_iter(match=f"{prefix}*", count=1000):
                client.delete(key)
    except Exception as error:  # the bench's own keys only; a leftover is harmless
        print(f"could not delete this run's Redis keys: {error}")


if __name__ == "__main__":
    main()
