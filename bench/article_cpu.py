"""CPU of one uncached article render in-process (test client, page cache off): min of N, or a profile.

    KIJI_VAR_DIR=/tmp/kiji-perf3 DATABASE_URL=sqlite:////tmp/kiji-perf3/prof.sqlite3 \
        .venv/bin/python bench/article_cpu.py [--article 1460] [-n 300] [--profile]

The minimum CPU of N renders survives a shared machine better than a mean; run it before and after a
change back to back (e.g. `git checkout <before> -- kiji jinja2`, run, `git checkout HEAD -- kiji jinja2`).
The database should hold the lists a real page shows (search index, `kiji manage similar --rebuild`,
`compute_lists()`), or the side lists render empty.
"""

import argparse
import os
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiji.settings")
os.environ["KIJI_PAGECACHE"] = "false"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--article", type=int, default=1460)
    parser.add_argument("-n", type=int, default=300)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    import django

    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment

    from kiji.newsroom.models import Article

    setup_test_environment()
    client = Client()
    url = Article.objects.get(pk=args.article).get_absolute_url()
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    print(f"{url}: {len(response.content):,} bytes")
    if args.profile:
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.n):
            client.get(url)
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(60)
        return
    best = float("inf")
    for _ in range(args.n):
        start = time.process_time()
        client.get(url)
        best = min(best, time.process_time() - start)
    print(f"article view: min CPU of {args.n}: {best * 1000:.3f} ms; load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
