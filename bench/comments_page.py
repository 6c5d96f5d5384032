"""The article page with 1,000 approved comments, against the same page with none.

    .venv/bin/python bench/comments_page.py [--comments 1000] [--requests 200]

Renders through the test client (whole middleware stack) with the page cache off (every request
renders: the worst case, after a purge) and on (what readers get between purges), and the
uncached comment page (/articles/<pk>/comments/, 20 per page) sorted newest and most liked.
Baseline in the same run: the same article page with no comments. Requests are interleaved.
"""

import argparse
import random
import time

from comments_setup import make_article, rate, setup_django, timed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--comments", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    setup_django(KIJI_PAGECACHE="false")
    from django.conf import settings
    from django.test import Client

    from kiji.comments.models import Comment, Visitor
    from kiji.comments.text import body_hash

    busy, empty = make_article("コメントの多い記事"), make_article("コメントのない記事")
    rng = random.Random(7)
    visitors = Visitor.objects.bulk_create([Visitor(key=f"bench-{i}") for i in range(200)])
    Comment.objects.bulk_create(
        [
            Comment(
                article=busy,
                visitor=visitors[i % 200],
                nickname=f"読者{i}",
                status=Comment.Status.APPROVED,
                body=f"コメント{i}: " + "地方の声も聞いてください。" * rng.randint(1, 20),
                body_hash=body_hash(str(i)),
                like_count=rng.randint(0, 500),
            )
            for i in range(args.comments)
        ]
    )
    client = Client()

    def getter(url: str):
        def get(i: int) -> None:
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        return get

    pages = {
        "article page, no comments (baseline)": empty.get_absolute_url(),
        f"article page, {args.comments} comments": busy.get_absolute_url(),
        "comment page newest (20 of them)": f"/articles/{busy.pk}/comments/",
        "comment page most liked, page 25": f"/articles/{busy.pk}/comments/?sort=liked&page=25",
    }
    results = dict.fromkeys(pages, 0.0)
    for url in pages.values():
        getter(url)(0)  # warm-up
    # Interleaved, one request of each in turn: other load on the machine hits every figure alike.
    for _ in range(args.requests):
        for label, url in pages.items():
            results[label] += timed(getter(url), 1)
    settings.KIJI_PAGECACHE = True
    getter(busy.get_absolute_url())(0)
    results[f"article page, {args.comments} comments, page cache hit"] = timed(
        getter(busy.get_absolute_url()), args.requests
    )

    baseline = results["article page, no comments (baseline)"]
    size = len(client.get(busy.get_absolute_url()).content)
    print(
        f"comments_page: {args.comments} approved comments, {args.requests} requests each, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; article page {size:,} bytes"
    )
    for label, seconds in results.items():
        print(f"  {label:<55} {rate(args.requests, seconds):<28} {seconds / baseline:5.2f}x baseline")


if __name__ == "__main__":
    main()
