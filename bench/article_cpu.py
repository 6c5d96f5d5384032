"""CPU of one uncached article render in-process (page cache off): min of N, or a profile.

    KIJI_VAR_DIR=/tmp/kiji-perf3 DATABASE_URL=sqlite:////tmp/kiji-perf3/prof.sqlite3 \
        .venv/bin/python bench/article_cpu.py [--article 1460] [-n 300] [--wsgi] [--spread 1000] [--profile]

By default through Django's test client; with --wsgi through the production WSGI application
(kiji.ops.wsgi: metrics, request id, the fast doors, then Django), as a server calls it. With
--spread K the renders go round the K most recent published articles instead of one (the per-article
memos then miss as they do under real traffic); the figure is then the mean, not the minimum.

The minimum CPU of N renders survives a shared machine better than a mean; run it before and after a
change back to back (e.g. `git checkout <before> -- kiji jinja2`, run, `git checkout HEAD -- kiji jinja2`).
The database should hold the lists a real page shows (search index, `kiji manage similar --rebuild`,
`compute_lists()`), or the side lists render empty.
"""

import argparse
import io
import os
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiji.settings")
os.environ["KIJI_PAGECACHE"] = "false"
UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"


def wsgi_get(application, url: str) -> tuple[int, bytes]:
    """One GET through a WSGI application, as granian or gunicorn would call it."""
    path, _, query = url.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_USER_AGENT": UA,
        "REMOTE_ADDR": "127.0.0.1",
        "SCRIPT_NAME": "",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    status = []
    body = application(environ, lambda s, headers, exc_info=None: status.append(int(s[:3])))
    content = b"".join(body)
    if hasattr(body, "close"):
        body.close()
    return status[0], content


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--article", type=int, default=1460)
    parser.add_argument("-n", type=int, default=300)
    parser.add_argument("--wsgi", action="store_true", help="through kiji.ops.wsgi, not the test client")
    parser.add_argument("--spread", type=int, default=0, help="go round this many articles, not one")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--save", help="write the page's bytes to this file (to compare with cmp)")
    args = parser.parse_args()
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    from kiji.newsroom.models import Article

    if args.wsgi:
        from kiji.ops.wsgi import application

        def get(url):
            return wsgi_get(application, url)

    else:
        from django.test import Client

        setup_test_environment()
        client = Client()

        def get(url):
            response = client.get(url)
            return response.status_code, response.content

    if args.spread:
        urls = [a.get_absolute_url() for a in Article.objects.published().latest_first()[: args.spread]]
    else:
        urls = [Article.objects.get(pk=args.article).get_absolute_url()]
    status, content = get(urls[0])
    assert status == 200, status
    if args.save:
        with open(args.save, "wb") as f:
            f.write(content)
    print(f"{urls[0]}: {len(content):,} bytes" + (f" (and {len(urls) - 1} more articles)" if len(urls) > 1 else ""))
    if args.profile:
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.enable()
        for i in range(args.n):
            get(urls[i % len(urls)])
        profile.disable()
        stats = pstats.Stats(profile)
        stats.sort_stats("cumulative").print_stats(70)
        stats.sort_stats("tottime").print_stats(40)
        return
    best, total = float("inf"), 0.0
    for i in range(args.n):
        start = time.process_time()
        get(urls[i % len(urls)])
        spent = time.process_time() - start
        best, total = min(best, spent), total + spent
    how = "WSGI (kiji.ops.wsgi)" if args.wsgi else "test client"
    print(
        f"article view, {how}, {len(urls)} article(s): min CPU of {args.n}: {best * 1000:.3f} ms, "
        f"mean {total / args.n * 1000:.3f} ms; load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
