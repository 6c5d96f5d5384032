"""`make bench`: Kiji's article page under load, against the physical limit measured in the same run.

    .venv/bin/python bench/run.py [--seconds 15] [--servers granian,gunicorn] [--no-append]

Loads the livedoor corpus into a fresh SQLite database (kiji import-ldcc), starts the production
server pinned to CPU 0 (2 workers), drives it with wrk pinned to CPU 1 (32 connections, warm-up,
then --seconds per figure), and serves the same page's bytes as a static file through nginx on
CPU 0 for the limit. Tiers: (1) uncached render, (2) the app's page cache, (3) nginx with the
shipped deploy/nginx/kiji.conf in front; plus 304s, the view beacon, RSS, gunicorn vs granian,
Jinja2 vs Django templates, and freshness (edit/unpublish/publish visible within 2 s) under load.
Prints everything and appends it to bench/RESULTS.md.
"""

import argparse
import datetime
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from lib_http import (
    Figure,
    ensure_tools,
    fetch,
    nginx_binary,
    rss_mb,
    stop,
    wait_http,  # noqa: E402
    wrk,
)

# shared/ beside the checkout (or beside a folder above it: a git worktree under /work/wt/NAME).
CORPUS = next(
    (
        path
        for folder in ROOT.parents
        if (path := folder / "shared" / "corpora" / "livedoor-news-corpus.tar.gz").exists()
    ),
    ROOT.parent / "shared" / "corpora" / "livedoor-news-corpus.tar.gz",
)
# Overridable so two people can run the bench on one machine (KIJI_BENCH_PORTS=app,nginx,static).
APP_PORT, NGINX_PORT, STATIC_PORT = map(int, os.environ.get("KIJI_BENCH_PORTS", "8107,8180,8181").split(","))
# tier 1: issue 15 raised it from 1/100 to 1/50.
TARGETS = {"tier 1": 1 / 50, "tier 2": 1 / 8, "tier 3": 0.8}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--servers", default="granian,gunicorn")
    parser.add_argument("--no-append", action="store_true")
    parser.add_argument("--reuse", help="a folder from an earlier run: skip loading the corpus (for iterating)")
    args = parser.parse_args()
    ensure_tools()
    work = Path(args.reuse) if args.reuse else Path(tempfile.mkdtemp(prefix="kiji-bench-"))
    os.chmod(work, 0o755)
    env = bench_env(work)
    os.environ.update(env)
    for leftover in ("static-page", "nginx-cache"):
        shutil.rmtree(work / leftover, ignore_errors=True)
    out = []

    def say(line=""):
        print(line, flush=True)
        out.append(line)

    if not args.reuse:
        setup_site(env)
    article_url, page = pick_article(work)
    say(f"article: {article_url} ({len(page):,} bytes)")
    spread = write_spread(work)
    say(f"tier 1 is also measured over {SPREAD:,} articles (the most recent published), one after another")

    nginx = start_nginx(work, page)
    try:
        static = wrk("static file (nginx)", f"http://127.0.0.1:{STATIC_PORT}/page.html", seconds=args.seconds)
        figures = [static]
        by_server = {}
        for server in args.servers.split(","):
            by_server[server] = measure_app(server, env, article_url, args.seconds, spread)
            figures += by_server[server]
        best = max(by_server, key=lambda s: by_server[s][1].rps + 50 * by_server[s][0].rps)
        # The limit again, now: the machine is shared and noisy, so the higher of the two counts.
        again = wrk("static file (nginx), again", f"http://127.0.0.1:{STATIC_PORT}/page.html", seconds=args.seconds)
        figures.append(again)
        static = max(static, again, key=lambda f: f.rps)
        app = start_app(best, env, cache=True)
        try:
            figures.append(
                paired(
                    f"tier 3: nginx micro-cache + app ({best})",
                    f"http://127.0.0.1:{NGINX_PORT}{article_url}",
                    args.seconds,
                )
            )
            figures.append(
                wrk(
                    "304 through nginx",
                    f"http://127.0.0.1:{NGINX_PORT}{article_url}",
                    seconds=args.seconds,
                    headers={"If-None-Match": etag_of(NGINX_PORT, article_url)},
                )
            )
            figures[-1].static_rps = figures[-2].static_rps
            freshness = measure_freshness(article_url)
        finally:
            stop(app)
    finally:
        stop(nginx)
    templates = template_benchmark(article_url)

    say()
    say(f"static limit: {static.rps:,.0f} req/s; faster server: {best}")
    say("Each ratio is to the static figure measured right before it (column 'static req/s').")
    say(
        "| figure | req/s | p50 ms | p99 ms | RSS MB (2 workers / server total) | static req/s | ratio to static "
        "| errors |"
    )
    say("|---|---|---|---|---|---|---|---|")
    for figure in figures:
        say(figure.row(static.rps))
    say()
    say("targets (ratio to static):")
    for figure in figures:
        for tier, target in TARGETS.items():
            if figure.name.startswith(tier) and (best in figure.name):
                ratio = figure.rps / (figure.static_rps or static.rps)
                verdict = "met" if ratio >= target else f"MISSED by {target / ratio:.1f}x"
                say(f"- {figure.name}: {ratio:.3f} (target {target:.3f}) {verdict}")
    for figure in figures:
        if figure.name.startswith("tier 2") and best in figure.name:
            beacon = next(f for f in figures if f.name.startswith("beacon") and best in f.name)
            say(
                f"- beacon vs cached page: {beacon.rps:,.0f} vs {figure.rps:,.0f} req/s "
                f"({'met' if beacon.rps >= figure.rps else 'MISSED'})"
            )
            workers, total = figure.rss_mb
            say(
                f"- RSS under load: 2 workers {workers:.0f} MB (target < 150) "
                f"{'met' if workers < 150 else 'MISSED'}; with the server's main process {total:.0f} MB"
            )
    say()
    say("freshness under load through nginx (seconds from commit until readers see it, limit 2 s):")
    for event, seconds in freshness:
        say(f"- {event}: {seconds:.2f} s {'ok' if seconds <= 2 else 'TOO SLOW'}")
    say()
    say(
        f"templates (article page, rendered in-process, mean of {templates['n']}): Jinja2 "
        f"{templates['jinja2_ms']:.3f} ms, Django templates {templates['django_ms']:.3f} ms "
        f"({templates['django_ms'] / templates['jinja2_ms']:.1f}x slower)"
    )
    if not args.no_append:
        append_results(out)


def bench_env(work: Path) -> dict:
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
        }
    )
    return env


def kiji(env: dict, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiji.cli", *args], env=env, cwd=ROOT, check=True, **kwargs)


def setup_site(env: dict) -> None:
    start = time.perf_counter()
    kiji(env, "manage", "migrate", "--noinput", "-v", "0")
    kiji(env, "manage", "collectstatic", "--noinput", "-v", "0")
    kiji(env, "import-ldcc", str(CORPUS), stdout=subprocess.DEVNULL)
    print(f"site loaded in {time.perf_counter() - start:.0f} s", flush=True)


def django_setup() -> None:
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()


def pick_article(work: Path) -> tuple[str, bytes]:
    """The published article with the longest body, and its page as readers get it."""
    django_setup()
    from django.db.models.functions import Length

    from kiji.newsroom.models import Article

    article = Article.objects.published().annotate(n=Length("body")).order_by("-n").first()
    from django.test import Client

    response = Client().get(article.get_absolute_url(), HTTP_HOST="127.0.0.1")
    assert response.status_code == 200, response.status_code
    return article.get_absolute_url(), response.content


SPREAD = 1000


def write_spread(work: Path) -> str:
    """A wrk script asking for the SPREAD most recent published articles in turn (not one URL repeated)."""
    from kiji.newsroom.models import Article

    urls = [a.get_absolute_url() for a in Article.objects.published().latest_first().only("pk", "slug")[:SPREAD]]
    script = work / "spread.lua"
    script.write_text(
        "local paths = {" + ",".join(f'"{u}"' for u in urls) + "}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i % #paths + 1\n"
        '  return wrk.format("GET", paths[i])\n'
        "end\n"
    )
    return str(script)


def start_app(server: str, env: dict, *, cache: bool) -> subprocess.Popen:
    env = {**env, "KIJI_PAGECACHE": "true" if cache else "false"}
    proc = subprocess.Popen(
        [
            "taskset",
            "-c",
            "0",
            sys.executable,
            "-m",
            "kiji.cli",
            "serve",
            "--server",
            server,
            "--bind",
            f"127.0.0.1:{APP_PORT}",
            "--workers",
            "2",
            "--no-scheduler",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    wait_http(f"http://127.0.0.1:{APP_PORT}/")
    return proc


def paired(name: str, url: str, seconds: int, **kwargs) -> Figure:
    """A figure and, right before it, the static limit it is compared with: on a shared, noisy
    machine a limit measured minutes earlier says little about this moment."""
    static = wrk("static", f"http://127.0.0.1:{STATIC_PORT}/page.html", seconds=seconds)
    figure = wrk(name, url, seconds=seconds, **kwargs)
    figure.static_rps = static.rps
    return figure


def measure_app(server: str, env: dict, url: str, seconds: int, spread: str) -> list[Figure]:
    figures = []
    app = start_app(server, env, cache=False)
    try:
        figures.append(
            paired(
                f"tier 1: uncached render ({server})",
                f"http://127.0.0.1:{APP_PORT}{url}",
                seconds,
                rss_of=lambda: rss_mb(app.pid),
            )
        )
        # One URL repeated lets every per-article memo hit; real traffic spreads over many articles.
        figures.append(
            paired(
                f"tier 1: uncached render, {SPREAD:,} articles ({server})",
                f"http://127.0.0.1:{APP_PORT}/",
                seconds,
                script=spread,
            )
        )
    finally:
        stop(app)
    app = start_app(server, env, cache=True)
    try:
        base = f"http://127.0.0.1:{APP_PORT}"
        figures.append(
            paired(f"tier 2: app page cache hit ({server})", base + url, seconds, rss_of=lambda: rss_mb(app.pid))
        )
        figures.append(
            wrk(
                f"304 conditional GET ({server})",
                base + url,
                seconds=seconds,
                headers={"If-None-Match": etag_of(APP_PORT, url)},
            )
        )
        figures[-1].static_rps = figures[-2].static_rps
        article_id = url.split("/")[2]
        figures.append(
            wrk(
                f"beacon POST /v/ ({server})",
                f"{base}/v/?a={article_id}",
                seconds=seconds,
                script=str(ROOT / "bench" / "post.lua"),
                rss_of=lambda: rss_mb(app.pid),
            )
        )
        figures[-1].static_rps = figures[-3].static_rps
    finally:
        stop(app)
    return figures


def etag_of(port: int, url: str) -> str:
    for _ in range(3):
        status, _body, headers = fetch(f"http://127.0.0.1:{port}{url}")
        if headers.get("ETag"):
            return headers["ETag"]
        time.sleep(0.3)
    raise RuntimeError(f"no ETag on {url}")


def start_nginx(work: Path, page: bytes) -> subprocess.Popen:
    """Two servers in one nginx on CPU 0: the static copy of the page, and the shipped config."""
    static_root = work / "static-page"
    static_root.mkdir()
    (static_root / "page.html").write_bytes(page)
    cache = work / "nginx-cache"
    cache.mkdir(mode=0o777)
    os.chmod(cache, 0o777)
    shipped = (ROOT / "deploy" / "nginx" / "kiji.conf").read_text()
    for old, new in (
        ("listen 80;", f"listen 127.0.0.1:{NGINX_PORT};"),
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{APP_PORT};"),
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
    sendfile on;
    tcp_nopush off;
    keepalive_requests 100000;
    include {work}/kiji.conf;
    server {{
        listen 127.0.0.1:{STATIC_PORT};
        root {static_root};
    }}
}}
""")
    subprocess.run([nginx_binary(), "-t", "-q", "-c", str(work / "nginx.conf")], check=True)
    proc = subprocess.Popen(["taskset", "-c", "0", nginx_binary(), "-c", str(work / "nginx.conf")])
    wait_http(f"http://127.0.0.1:{STATIC_PORT}/page.html")
    return proc


def measure_freshness(url: str) -> list[tuple[str, float]]:
    """Edit, unpublish and publish the article while wrk loads it through nginx; time until readers see it."""
    from django.db import transaction

    from kiji.newsroom.models import Article

    pk = int(url.split("/")[2])
    nginx_url = f"http://127.0.0.1:{NGINX_PORT}{url}"
    load = threading.Thread(
        target=wrk, args=("freshness load", nginx_url), kwargs={"seconds": 12, "warmup": 0}, daemon=True
    )
    load.start()
    time.sleep(1)
    results = []

    def change(event, apply, seen):
        with transaction.atomic():
            article = Article.objects.get(pk=pk)
            apply(article)
            article.save()
        committed = time.monotonic()
        while time.monotonic() - committed < 5:
            status, body, _ = fetch(nginx_url)
            if seen(status, body):
                break
            time.sleep(0.02)
        results.append((event, time.monotonic() - committed))

    headline = Article.objects.get(pk=pk).headline
    marker = f"訂正版 {int(time.time())}"
    change("edit (headline)", lambda a: setattr(a, "headline", marker), lambda s, b: marker.encode() in b)
    change("unpublish", lambda a: setattr(a, "status", Article.Status.UNPUBLISHED), lambda s, b: s == 404)
    change("publish", lambda a: setattr(a, "status", Article.Status.PUBLISHED), lambda s, b: s == 200)
    change("edit back", lambda a: setattr(a, "headline", headline), lambda s, b: marker.encode() not in b)
    load.join()
    return results


def template_benchmark(url: str, n: int = 300) -> dict:
    from lib_templates import compare

    return {"n": n, **compare(int(url.split("/")[2]), n)}


def append_results(lines: list[str]) -> None:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    path = ROOT / "bench" / "RESULTS.md"
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    if "## performance" not in text:
        text += "\n## performance\n"
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    command = " ".join(["bench/run.py", *sys.argv[1:]])
    entry = [f"\n### {stamp}, commit {commit}: `{command}` (`make bench` runs it without arguments)", "", *lines, ""]
    head, _, rest = text.partition("## performance\n")
    # Our entries go at the end of our own section, before any later section.
    nxt = rest.find("\n## ")
    section, after = (rest, "") if nxt < 0 else (rest[:nxt], rest[nxt:])
    path.write_text(head + "## performance\n" + section.rstrip("\n") + "\n" + "\n".join(entry) + after)


if __name__ == "__main__":
    main()
