"""`make bench-cluster`: the scale-out stack under a traffic spike, all on loopback.

    .venv/bin/python bench/cluster.py [--servers 2] [--steady 10] [--spike 20] [--fault 12] [--connections 8]

Set-up: a private PostgreSQL cluster (initdb into a temporary folder, on a free port, fsync off, run as
the `postgres` user when started as root) and a private redis-server on a free port, so the faults
below never touch a shared server; two `kiji serve` app servers (separate processes, one worker each, each
with its own scheduler as `kiji serve` runs them) and nginx with the shipped deploy/nginx/kiji.conf
in front, both upstreams listed. nginx and wrk are installed with apt when missing.

Load (wrk): steady traffic spread over the site's articles (two corpus channels, ~1,700), then the
same steady traffic plus 10 times as many connections onto one newly published article for --spike
seconds, as when a portal's top page links it. During the spike an article scheduled 5 s ahead is
published by the schedulers, and the spiked article is edited: the script prints when readers see
each through nginx (publish lag, edit freshness), and what /metrics says.
Prints requests/s, p50/p99 and errors per phase, each as a ratio to nginx serving a static file in the
same run; the machine is shared, so absolute figures are indicative.

Then, each during a spike of its own (--fault seconds), with its outcome printed:
- one app server killed (SIGKILL): nginx fails over; errors only for the requests in flight;
- Redis killed and started again (empty): pages still served, view counts resume, at most 10 s lost;
- PostgreSQL restarted: the site answers again within 10 s, no published article lost.
And across both app servers: beacons exact after dedupe, the comment and API rate limits one number.
Without PostgreSQL's binaries (/usr/lib/postgresql/*/bin, KIJI_BENCH_PG_BIN) the shared server is used
(KIJI_BENCH_DATABASE_URL) and the restart is skipped with the reason printed.
"""

import argparse
import datetime
import glob
import http.client
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from lib_http import UA, ensure_tools, fetch, nginx_binary, stop, wait_http, wrk  # noqa: E402

SHARED = next(
    (p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if p.is_dir()), ROOT.parent / "shared"
)
CORPUS = SHARED / "corpora" / "livedoor-news-corpus.tar.gz"
CHANNELS = ("topic-news", "sports-watch")
BASE_PORT = int(os.environ.get("KIJI_BENCH_CLUSTER_PORT", "8460"))  # nginx; app servers on the next ports
SHARED_DATABASE_URL = os.environ.get("KIJI_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kiji_bench")
TOKEN = uuid.uuid4().hex
API_LIMIT = 30  # requests per address a minute, set for this run (KIJI_API_RATE_LIMIT)
COMMENTS_PER_MINUTE = 3  # the default per-visitor limit (KIJI_COMMENTS_RATE_PER_MINUTE)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--steady", type=int, default=10, help="seconds of steady traffic")
    parser.add_argument("--spike", type=int, default=20, help="seconds of the spike")
    parser.add_argument("--fault", type=int, default=12, help="seconds of each spike with a fault in it")
    parser.add_argument("--connections", type=int, default=8, help="steady wrk connections (spike: 10 times)")
    args = parser.parse_args()
    check_tools()
    began = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="kiji-bench-cluster-"))
    os.chmod(work, 0o755)  # nginx's workers (another user) read its cache folder there
    postgres = redis = nginx = None
    servers = []
    try:
        postgres = PrivatePostgres.start(work)
        redis = PrivateRedis.start()
        env = site_env(work, postgres, redis)
        if not postgres:
            print(f"{PrivatePostgres.reason}: using {SHARED_DATABASE_URL}; the restart fault is skipped", flush=True)
            make_database(env)
        load_site(env)
        ports = [BASE_PORT + 1 + n for n in range(args.servers)]
        servers = [start_server(env, port) for port in ports]
        nginx = start_nginx(work, ports)
        cluster = Cluster(env=env, work=work, ports=ports, servers=servers, postgres=postgres, redis=redis)
        run(cluster, args)
        print(f"bench/cluster.py took {time.monotonic() - began:.0f} s", flush=True)
    finally:
        if nginx:
            stop(nginx)
        for server in servers:
            stop_group(server)
        if redis:
            redis.stop()
        if postgres:
            postgres.stop()
        shutil.rmtree(work, ignore_errors=True)


def check_tools() -> None:
    """nginx and wrk (installed with apt when missing), redis-server and the corpus: or say what to do."""
    try:
        ensure_tools()
    except (subprocess.CalledProcessError, FileNotFoundError) as error:
        sys.exit(f"nginx and wrk are needed and could not be installed ({error}): apt-get install nginx-light wrk")
    if not shutil.which("redis-server"):
        sys.exit("redis-server is needed (the benchmark starts its own and kills it): apt-get install redis-server")
    if not CORPUS.exists():
        sys.exit(f"the livedoor corpus is needed at {CORPUS}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A redis-server of this run only (no persistence): killing it touches nobody else's data."""

    def __init__(self, port: int):
        self.port, self.proc = port, None

    @classmethod
    def start(cls) -> "PrivateRedis":
        redis = cls(free_port())
        redis.restart()
        return redis

    def restart(self) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        args = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the private redis-server did not start")

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.kill()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


class PrivatePostgres:
    """A PostgreSQL cluster of this run only (initdb into the work folder, fsync off: nothing in it is
    worth a crash-safe write, and a clean restart does not depend on it), restarted by the fault."""

    def __init__(self, bin_dir: Path, data: Path, port: int):
        self.bin, self.data, self.port = bin_dir, data, port
        self.skip_reason = ""

    @classmethod
    def start(cls, work: Path) -> "PrivatePostgres | None":
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        bin_dir = Path(os.environ.get("KIJI_BENCH_PG_BIN") or (Path(found[-1]).parent if found else ""))
        if not (bin_dir / "initdb").exists():
            PrivatePostgres.reason = "no PostgreSQL binaries (initdb) found: set KIJI_BENCH_PG_BIN"
            return None
        pg = cls(bin_dir, work / "pgdata", free_port())
        try:
            pg.data.mkdir()
            if os.geteuid() == 0:  # initdb refuses root: the cluster belongs to the postgres user
                shutil.chown(pg.data, "postgres")
            pg.run(
                "initdb",
                "-D",
                str(pg.data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            )
            pg.run("pg_ctl", "-D", str(pg.data), "-l", str(pg.data / "log"), "-w", "-o", pg.options(), "start")
        except (subprocess.CalledProcessError, KeyError, LookupError, OSError) as error:
            PrivatePostgres.reason = f"a private PostgreSQL cluster could not be started ({error})"
            return None
        return pg

    reason = ""

    def options(self) -> str:
        return f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"

    def run(self, tool: str, *args: str) -> None:
        command = [str(self.bin / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def restart(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-w", "-m", "fast", "-o", self.options(), "restart")

    def stop(self) -> None:
        try:
            self.run("pg_ctl", "-D", str(self.data), "-w", "-m", "immediate", "stop")
        except subprocess.CalledProcessError:
            pass

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/kiji_bench"


def site_env(work: Path, postgres, redis: PrivateRedis) -> dict:
    run_id = uuid.uuid4().hex[:8]
    env = {k: v for k, v in os.environ.items() if k not in ("KIJI_REPLICA_URL", "KIJI_AUDIENCE_REDIS_URL")}
    env.update(
        {
            "DATABASE_URL": postgres.url if postgres else SHARED_DATABASE_URL,
            "REDIS_URL": redis.url,
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
            "KIJI_API_RATE_LIMIT": str(API_LIMIT),
            "KIJI_API_RATE_WINDOW": "60",
            "KIJI_COMMENTS_MIN_SECONDS": "0",
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
    if env["DATABASE_URL"] != SHARED_DATABASE_URL:
        import psycopg

        base, _, name = env["DATABASE_URL"].rpartition("/")
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    kiji(env, "manage", "migrate", "--noinput", "-v", "0")
    kiji(env, "manage", "collectstatic", "--noinput", "-v", "0")
    channels = [arg for ch in CHANNELS for arg in ("--channel", ch)]
    kiji(env, "import-ldcc", str(CORPUS), "--skip-bad", *channels, stdout=subprocess.DEVNULL)
    print(f"site loaded ({', '.join(CHANNELS)}) in {time.perf_counter() - start:.0f} s", flush=True)


def start_server(env: dict, port: int, wait: bool = True) -> subprocess.Popen:
    """`kiji serve` in a process group of its own (server, workers, scheduler), so a kill takes them all."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiji.cli", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    if wait:
        wait_http(f"http://127.0.0.1:{port}/healthz", timeout=60)
    return proc


def stop_group(proc: subprocess.Popen) -> None:
    """SIGTERM to the server's process group (it was started as its own), SIGKILL after 20 s."""
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        time.sleep(0.5)  # its children end with it


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


NGINX = f"http://127.0.0.1:{BASE_PORT}"


@dataclass
class Cluster:
    env: dict
    work: Path
    ports: list[int]
    servers: list[subprocess.Popen]
    postgres: "PrivatePostgres | None"
    redis: PrivateRedis


def run(cluster: Cluster, args) -> None:
    env = cluster.env
    urls = python(
        env,
        "from kiji.newsroom.models import Article\n"
        "print('\\n'.join(f'{a.pk} {a.get_absolute_url()}' for a in Article.objects.published()))",
    ).splitlines()
    pks = [int(line.split()[0]) for line in urls]
    urls = [line.split()[1] for line in urls]
    random.seed(1)
    script = steady_script(urls, cluster.work / "steady.lua")
    print(f"{len(urls)} published articles; nginx :{BASE_PORT} -> {args.servers} app servers", flush=True)
    settled = wait_settled(NGINX)
    print(f"the schedulers' first slow round (also-read rebuild) ended after {settled:.0f} s", flush=True)
    static_file = min((cluster.work / "var" / "static").rglob("*.css"), key=lambda p: p.stat().st_size)
    static_url = f"{NGINX}/static/{static_file.relative_to(cluster.work / 'var' / 'static')}"
    static = wrk("nginx: a static file", static_url, seconds=5, connections=args.connections * 10)
    rows = [wrk("steady (all articles)", f"{NGINX}/", seconds=args.steady, connections=args.connections, script=script)]

    # The new article: scheduled 3 s ahead, published by the schedulers, then the spike hits it.
    pk, url, at = schedule(env, "速報: 大きなニュース", 3)
    published = seen_at(url, "速報: 大きなニュース")
    lags = [("publish before the spike", published - at)]

    def freshness():
        time.sleep(3)
        _, url2, at2 = schedule(env, "続報: スパイク中の予約記事", 5)
        lags.append(("publish during the spike", seen_at(url2, "続報: スパイク中の予約記事") - at2))
        python(env, EDIT.format(pk=pk, headline="速報: 大きなニュース（更新）"))
        committed = time.time()
        lags.append(("edit of the spiked article visible", seen_at(url, "（更新）") - committed))
        return metrics_text(NGINX)

    figures, scrape = spike(args, url, script, args.spike, freshness, "spike")
    rows += figures

    checks = [beacons_exact(cluster, pks[0]), *rate_limits(cluster, pks[1])]

    faults = []
    for name, fault in (
        ("one app server killed (SIGKILL)", kill_app_server),
        ("Redis killed, started again 2 s later (empty)", kill_redis),
        ("PostgreSQL restarted (pg_ctl restart -m fast)", restart_postgres),
    ):
        print(f"fault: {name} ...", flush=True)
        figures, outcome = spike(args, url, script, args.fault, lambda fault=fault: fault(cluster, pks, url), name)
        rows += figures
        faults.append((name, outcome(figures) if callable(outcome) else outcome))
        for port in cluster.ports:  # every server is back before the next fault
            wait_http(f"http://127.0.0.1:{port}/healthz", timeout=60)

    load = os.getloadavg()
    lines = [
        f"### bench/cluster.py, {datetime.date.today()} ({args.servers} app servers, 1 worker each, nginx, "
        f"PostgreSQL, Redis; {len(urls)} articles; steady {args.connections} connections, spike "
        f"{args.connections * 10} more on one article for {args.spike} s, each fault {args.fault} s; "
        f"load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f})",
        "",
        f"nginx static ({static_file.name}, {args.connections * 10} connections): {static.rps:,.0f} requests/s, "
        f"p50 {static.p50_ms:.2f} ms, p99 {static.p99_ms:.2f} ms",
        "",
        "| phase | requests/s | ratio to nginx static | p50 ms | p99 ms | errors (of which wrk's 2 s timeouts) |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {f.name} | {f.rps:,.0f} | {f.rps / static.rps:.4f} | {f.p50_ms:.2f} | {f.p99_ms:.2f} "
        f"| {f.errors} ({f.timeouts}) |"
        for f in rows
    ]
    lines += ["", "| during the spike | seconds |", "|---|---|"]
    lines += [f"| {name} | {seconds:.2f} |" for name, seconds in lags]
    lines += ["", "| across both app servers | result | figures |", "|---|---|---|"]
    lines += [f"| {name} | {'pass' if ok else 'FAIL'} | {detail} |" for name, ok, detail in checks]
    lines += ["", "| fault during a spike | outcome | figures |", "|---|---|---|"]
    lines += [f"| {name} | {verdict} | {detail} |" for name, (verdict, detail) in faults]
    wanted = (
        "kiji_publish_last_lag_seconds",
        'kiji_pagecache_requests_total{result="hit"}',
        'kiji_pagecache_requests_total{result="miss"}',
        "kiji_metrics_shared",
    )
    lines += ["", "/metrics (scraped through nginx during the spike, with the token):", ""]
    lines += [f"    {line}" for line in scrape.splitlines() if line.startswith(wanted)]
    print("\n".join(lines), flush=True)


def spike(args, url: str, script: str, seconds: int, during, name: str):
    """Steady traffic plus ten times as many connections on `url` for `seconds`; `during()` runs meanwhile."""
    results = {}

    def load(label, target, connections, script=None):
        results[label] = wrk(label, target, seconds=seconds, connections=connections, script=script, warmup=0)

    labels = (f"{name}: steady part", f"{name}: the new article (10x)")
    threads = [
        threading.Thread(target=load, args=(labels[0], f"{NGINX}/", args.connections, script)),
        threading.Thread(target=load, args=(labels[1], f"{NGINX}{url}", args.connections * 10)),
    ]
    for thread in threads:
        thread.start()
    try:
        outcome = during()
    finally:
        for thread in threads:
            thread.join()
    return [results[label] for label in labels], outcome


# ---- across both app servers -------------------------------------------------------------------------


def post(url: str, *, headers: dict | None = None, body: bytes = b"") -> tuple[int, object]:
    host, port = url.split("//")[1].split("/")[0].split(":")
    path = "/" + url.split("//")[1].split("/", 1)[1]
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request("POST", path, body=body, headers={"User-Agent": UA, **(headers or {})})
        response = conn.getresponse()
        response.read()
        return response.status, response.headers
    except OSError:
        return 0, {}
    finally:
        conn.close()


def visitor(n: int) -> dict:
    return {"X-Forwarded-For": f"198.18.{n // 250}.{n % 250 + 1}"}


COUNTED = """
from django.db.models import Sum
from kiji.audience.backends import get_backend
from kiji.audience.models import ArticleViewHour
get_backend().flush()
print(ArticleViewHour.objects.filter(article_id={pk}).aggregate(n=Sum("count"))["n"] or 0)
"""


def views_of(env: dict, pk: int) -> int:
    time.sleep(2)  # the app servers send their queued views to Redis at least every second
    return int(python(env, COUNTED.format(pk=pk)))


def beacons_exact(cluster: Cluster, pk: int, n: int = 400, repeats: int = 100) -> tuple[str, bool, str]:
    """n distinct visitors' beacons split over the two servers, then `repeats` of them again on the other one."""
    before = views_of(cluster.env, pk)
    servers = [f"http://127.0.0.1:{port}" for port in cluster.ports]
    sends = [(servers[i % len(servers)], i) for i in range(n)]
    sends += [(servers[(i + 1) % len(servers)], i) for i in range(repeats)]
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda s: post(f"{s[0]}/v/?a={pk}", headers=visitor(s[1]))[0], sends))
    counted = views_of(cluster.env, pk) - before
    ok = counted == n and statuses.count(204) == len(sends)
    detail = (
        f"{n} visitors + {repeats} repeats over {len(servers)} servers: {counted} counted; {statuses.count(204)} × 204"
    )
    return "beacons exact after dedupe", ok, detail


def rate_limits(cluster: Cluster, pk: int) -> list[tuple[str, bool, str]]:
    """The API's and the comments' per-minute limits, requests alternating between the servers."""
    if time.time() % 60 > 40:
        time.sleep(61 - time.time() % 60)  # all within one fixed window
    servers = [f"http://127.0.0.1:{port}" for port in cluster.ports]
    api = []
    for i in range(API_LIMIT + 10):
        request = urllib.request.Request(
            f"{servers[i % 2]}/api/v1/categories", headers={"X-Forwarded-For": "203.0.113.7"}
        )
        try:
            api.append(urllib.request.urlopen(request, timeout=10).status)
        except urllib.error.HTTPError as error:
            api.append(error.code)
    api_ok = api == [200] * API_LIMIT + [429] * 10
    comments = post_comments(servers, pk, COMMENTS_PER_MINUTE + 3)
    comments_ok = comments == [302] * COMMENTS_PER_MINUTE + [429] * 3
    return [
        (
            "API rate limit is one number",
            api_ok,
            f"limit {API_LIMIT}/min; {len(api)} requests alternating: {api.count(200)} × 200, {api.count(429)} × 429",
        ),
        (
            "comment rate limit is one number",
            comments_ok,
            f"limit {COMMENTS_PER_MINUTE}/min per visitor; "
            f"{len(comments)} posts alternating: {comments.count(302)} accepted, {comments.count(429)} × 429"
            + ("" if comments_ok else f" ({comments})"),
        ),
    ]


def post_comments(servers: list[str], pk: int, n: int) -> list[int]:
    """One reader (one visitor cookie, one address) posting n comments, alternating between the servers."""
    import json

    request = urllib.request.Request(f"{servers[0]}/comments/token/", headers={"X-Forwarded-For": "203.0.113.8"})
    with urllib.request.urlopen(request, timeout=10) as response:
        token = json.loads(response.read())
        cookies = "; ".join(c.split(";", 1)[0] for c in response.headers.get_all("Set-Cookie"))
    statuses = []
    for i in range(n):
        form = urllib.parse.urlencode(
            {
                "body": f"ベンチからのコメント、その{i + 1}です。",
                "nickname": "読者",
                "csrfmiddlewaretoken": token["csrf"],
                "started": token["started"],
            }
        ).encode()
        headers = {
            "Cookie": cookies,
            "X-Forwarded-For": "203.0.113.8",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        statuses.append(post(f"{servers[i % 2]}/articles/{pk}/comments/", headers=headers, body=form)[0])
    return statuses


# ---- faults ----------------------------------------------------------------------------------------


def error_log_lines(cluster: Cluster) -> list[str]:
    path = cluster.work / "nginx-error.log"
    return path.read_text(errors="replace").splitlines() if path.exists() else []


def kill_app_server(cluster: Cluster, pks, url):
    time.sleep(3)
    seen = len(error_log_lines(cluster))
    victim, port = cluster.servers[-1], cluster.ports[-1]
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait()
    killed = time.time()
    time.sleep(4)
    cluster.servers[-1] = start_server(cluster.env, port, wait=False)  # back later: nginx tries it again
    # nginx logs one [error] line per request that failed on that server (its [warn] lines say it
    # marked the server down): reset or closed mid-answer = in flight; refused = a new connection
    # after the kill, which nginx then sent to the other server.
    lines = [line for line in error_log_lines(cluster)[seen:] if f":{port}" in line and "[error]" in line]
    refused = sum("refused" in line for line in lines)
    in_flight = len(lines) - refused

    def outcome(figures):
        errors = sum(f.errors - f.timeouts for f in figures)  # timeouts: slow answers, as in every phase here
        verdict = "holds" if errors <= in_flight else "FAILS"
        return verdict, (
            f"client errors {errors} (besides {sum(f.timeouts for f in figures)} slow answers past wrk's 2 s "
            f"timeout); requests in flight on the killed server {in_flight} (nginx error log); "
            f"{refused} connection attempts refused afterwards and retried on the other server; "
            f"killed at {datetime.datetime.fromtimestamp(killed):%H:%M:%S}"
        )

    return outcome


def beacon_stream(pk: int, stop_at: float, rate: float, first: int) -> list[tuple[float, int]]:
    sent, n = [], first
    while time.time() < stop_at:
        started = time.time()
        sent.append((started, post(f"{NGINX}/v/?a={pk}", headers=visitor(n))[0]))
        n += 1
        time.sleep(max(0.0, 1 / rate - (time.time() - started)))
    return sent


def kill_redis(cluster: Cluster, pks, url):
    pk, page = pks[2], None
    before = views_of(cluster.env, pk)
    rate, outage = 20.0, 2.0
    results = {}
    start = time.time()
    thread = threading.Thread(
        target=lambda: results.update(sent=beacon_stream(pk, start + 12, rate, first=10_000)), daemon=True
    )
    thread.start()
    time.sleep(3)
    cluster.redis.kill()
    down = time.time()
    time.sleep(0.5)
    status, body, _ = fetch(f"{NGINX}/articles/{pks[3]}/comments/")  # uncached, needs the app (not Redis)
    page = status
    time.sleep(outage - 0.5)
    cluster.redis.restart()
    up = time.time()
    thread.join()
    sent = results["sent"]
    counted = views_of(cluster.env, pk) - before
    answered = sum(status == 204 for _, status in sent)
    lost = len(sent) - counted
    # Counting resumed: a fresh batch after the restart is counted exactly.
    before = views_of(cluster.env, pk)
    later = beacon_stream(pk, time.time() + 2.5, rate, first=20_000)
    resumed = views_of(cluster.env, pk) - before

    def outcome(figures):
        errors = sum(f.errors for f in figures)
        ok = lost / rate <= 10 and resumed == len(later) and page == 200 and answered == len(sent)
        return ("holds" if ok else "FAILS"), (
            f"Redis down {up - down:.1f} s; an uncached page during the outage: {page}; page errors {errors} "
            f"(of which {sum(f.timeouts for f in figures)} wrk timeouts); "
            f"{len(sent)} beacons at {rate:.0f}/s, {answered} answered 204, {counted} counted, {lost} lost "
            f"= {lost / rate:.1f} s of views; after: {resumed}/{len(later)} counted"
        )

    return outcome


PUBLISHED = "from kiji.newsroom.models import Article\nprint(Article.objects.published().count())"


def restart_postgres(cluster: Cluster, pks, url):
    if not cluster.postgres:
        return "skipped", f"not run: {PrivatePostgres.reason}; the shared PostgreSQL is never restarted"
    published = int(python(cluster.env, PUBLISHED))
    probes = [f"http://127.0.0.1:{port}/articles/{pks[4]}/comments/" for port in cluster.ports]  # uncached
    time.sleep(3)
    begun = time.time()
    took = []
    restarting = threading.Thread(target=lambda: (cluster.postgres.restart(), took.append(time.time() - begun)))
    restarting.start()
    failures, recovered = 0, None
    while time.time() - begun < 30:
        statuses = [status_of(probe) for probe in probes]
        if all(s == 200 for s in statuses) and not restarting.is_alive():
            recovered = time.time() - begun
            break
        failures += sum(s != 200 for s in statuses)
        time.sleep(0.1)
    restarting.join()
    after = int(python(cluster.env, PUBLISHED))
    edited = "（更新）".encode() in fetch(f"{NGINX}{url}")[1]

    def outcome(figures):
        errors = sum(f.errors for f in figures)
        ok = recovered is not None and recovered <= 10 and after == published and edited
        return ("holds" if ok else "FAILS"), (
            f"pg_ctl restart took {took[0]:.1f} s; both app servers answered an uncached page "
            f"{recovered or float('nan'):.1f} s after it began "
            f"({failures} failed probes); published articles {published} before, {after} after; the spiked "
            f"article's edit {'kept' if edited else 'LOST'}; client errors during the spike {errors} "
            f"(of which {sum(f.timeouts for f in figures)} wrk timeouts)"
        )

    return outcome


def status_of(url: str) -> int:
    """The HTTP status, 0 when the connection is refused or dropped."""
    try:
        return fetch(url)[0]
    except OSError:
        return 0


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


if __name__ == "__main__":
    main()
