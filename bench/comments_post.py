"""Comment posting throughput through the whole pipeline, against a bare database insert.

    .venv/bin/python bench/comments_post.py [--posts 500] [--redis redis://127.0.0.1:6379/3]

Posts go through the test client (URL routing, middleware, CSRF check, the form, cleaning and
grapheme counting, NG words, rate limits, duplicate check, insert, redirect), one visitor per 3
posts so rate limits are counted but not hit. Baseline in the same run: Comment.objects.create of
the same bodies (the write no pipeline can avoid). Counters on the database unless --redis.
"""

import argparse
import time

from comments_setup import make_article, rate, setup_django, timed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=500)
    parser.add_argument("--redis", default="", help="REDIS_URL for the counters (default: database counters)")
    args = parser.parse_args()
    setup_django(
        REDIS_URL=args.redis,
        KIJI_COMMENTS_FLOOD_PER_10MIN="1000000",
        KIJI_COMMENTS_MIN_SECONDS="0",
        KIJI_PAGECACHE="false",
    )
    from django.test import Client

    from kiji.comments.forms import started_stamp
    from kiji.comments.models import Comment, NGWord, Visitor
    from kiji.comments.text import body_hash

    for word in ("ばか", "あほ", "死ね", "殺す", "spam", "カジノ", "出会い", "副業", "儲かる", "クリック"):
        NGWord.objects.create(word=word, action=NGWord.Action.REJECT if len(word) > 2 else NGWord.Action.HOLD)
    article, baseline_article = make_article(), make_article("比較用")
    body = "消費税の議論はもっと丁寧にしてほしい。地方の声も聞いてください👍🏽 その{}回目です。"
    url = f"/articles/{article.pk}/comments/"
    clients = {}

    def post(i: int) -> None:
        client = clients.get(i // 3)
        if client is None:
            address = f"10.{i // 60000}.{i // 250 % 240}.{i // 3 % 250}"
            client = clients[i // 3] = Client(enforce_csrf_checks=True, REMOTE_ADDR=address)
            client.get("/comments/token/")
        token = client.cookies["csrftoken"].value
        response = client.post(
            url,
            {"body": body.format(i), "nickname": "ベンチ", "started": started_stamp(0), "csrfmiddlewaretoken": token},
        )
        assert response.status_code == 302, (response.status_code, response.content[-2000:])

    visitor = Visitor.objects.create(key="baseline")

    def insert(i: int) -> None:
        text = body.format(i)
        Comment.objects.create(
            article=baseline_article,
            visitor=visitor,
            body=text,
            body_hash=body_hash(text),
            status=Comment.Status.APPROVED,
        )

    post(-1), insert(-1)  # warm-up: imports, template compile, connections
    pipeline = baseline = 0.0
    for i in range(args.posts):  # interleaved: other load on the machine hits both figures alike
        pipeline += timed(lambda _, i=i: post(i), 1)
        baseline += timed(lambda _, i=i: insert(i), 1)
    assert Comment.objects.filter(article=article, status="approved").count() == args.posts + 1
    counters = "redis" if args.redis else "database"
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"comments_post: {args.posts} posts, counters={counters}, {when}")
    print(f"  full pipeline (client POST + redirect): {rate(args.posts, pipeline)}")
    print(f"  baseline bare insert:                   {rate(args.posts, baseline)}")
    print(f"  ratio pipeline/baseline time per comment: {pipeline / baseline:.1f}x")


if __name__ == "__main__":
    main()
