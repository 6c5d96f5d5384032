"""A simulated day of traffic: 1,000,000 view events over the livedoor corpus with a Zipf-like
popularity curve, counted by kiji's backend (visitor hash, 30-minute dedupe, batched hourly
buckets), ranked by kiji's list job, and checked against an exact offline count.

    .venv/bin/python bench/audience_day.py [--events 1000000] [--redis]

Visitors: a pool of 150,000 (IP, user agent) pairs, popularity-skewed too; each event picks an
article by Zipf (s = 1.0) and a visitor, at a time spread over one JST day. The offline count
applies the same rule (a visitor's repeat view of an article within 30 minutes counts once).
"""

import argparse
import bisect
import itertools
import random
import time
from collections import Counter
from datetime import timedelta

import audience_corpus

REDIS_URL = "redis://127.0.0.1:6379/6"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--visitors", type=int, default=150_000)
    parser.add_argument("--redis", action="store_true", help="count in Redis (db 6) instead of in-process")
    args = parser.parse_args()
    audience_corpus.setup(redis_url=REDIS_URL if args.redis else "")

    from django.utils import timezone

    from kiji.audience import lists
    from kiji.audience.backends import DEDUPE_SECONDS, get_backend
    from kiji.audience.models import ArticleViewHour, CoRead
    from kiji.newsroom.models import Article

    backend = get_backend()
    if args.redis:
        backend.clear()
    ArticleViewHour.objects.all().delete()
    CoRead.objects.all().delete()
    published = dict(Article.objects.published().values_list("pk", "published_at"))
    rng = random.Random(2012)
    order = list(published)
    rng.shuffle(order)  # popularity rank is unrelated to id or date
    article_cum = list(itertools.accumulate(1 / (r + 1) for r in range(len(order))))
    visitor_cum = list(itertools.accumulate(1 / (r + 1) ** 0.6 for r in range(args.visitors)))
    visitors = [
        (
            f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}",
            f"Mozilla/5.0 (Linux; Android 14; SH-{i % 97}) Chrome/131.0.{i % 1000} Mobile Safari/537.36",
        )
        for i in range(args.visitors)
    ]
    day = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)
    offsets = sorted(rng.uniform(0, 86_399) for _ in range(args.events))
    events = [
        (
            day + timedelta(seconds=s),
            order[bisect.bisect(article_cum, rng.random() * article_cum[-1])],
            bisect.bisect(visitor_cum, rng.random() * visitor_cum[-1]),
        )
        for s in offsets
    ]
    print(
        f"{args.events:,} events over {len(order):,} articles and {args.visitors:,} visitors, "
        f"{timezone.localtime(day):%Y-%m-%d} JST, backend: {backend.name}",
        flush=True,
    )

    started = time.perf_counter()
    flushes, counted = 0, 0
    for i, (when, article_id, v) in enumerate(events, 1):
        ip, ua = visitors[v]
        counted += backend.record_view(article_id, backend.visitor_id(ip, ua, when), when)
        if i % 20_000 == 0:  # the 5-second flush, compressed: ~50 batches over the day
            backend.flush(when)
            flushes += 1
    backend.flush(events[-1][0])
    elapsed = time.perf_counter() - started
    end = day + timedelta(hours=23, minutes=59)
    started = time.perf_counter()
    stored = lists.compute_lists(end)["ranking:24h:all"]
    lists_s = time.perf_counter() - started
    print(
        f"  counted {counted:,} views ({args.events - counted:,} repeats within 30 min) in {elapsed:.1f} s "
        f"= {args.events / elapsed:,.0f} events/s; {flushes + 1} batched flushes, "
        f"{ArticleViewHour.objects.count():,} hourly rows; lists computed in {lists_s:.2f} s"
    )

    # The exact offline count: the same 30-minute rule, plain dictionaries.
    last_seen, exact = {}, Counter()
    for when, article_id, v in events:
        ts = when.timestamp()
        key = (v, article_id)
        if key not in last_seen or ts - last_seen[key] >= DEDUPE_SECONDS:
            last_seen[key] = ts
            exact[article_id] += 1
    top_exact = sorted(exact, key=lambda pk: (-exact[pk], -published[pk].timestamp(), -pk))[:10]
    db_total = sum(ArticleViewHour.objects.values_list("count", flat=True))
    top_kiji = stored["ids"][:10]
    print(f"  views in the database {db_total:,} vs exact offline {sum(exact.values()):,}")
    print("  rank  kiji (id: views)     exact (id: views)")
    for r, (a, b) in enumerate(zip(top_kiji, top_exact, strict=False), 1):
        print(
            f"  {r:>4}  {a:>5}: {stored['views'][r - 1]:>7,}      {b:>5}: {exact[b]:>7,}  {'ok' if a == b else 'DIFFERS'}"
        )
    same = top_kiji == top_exact and all(stored["views"][i] == exact[pk] for i, pk in enumerate(top_exact))
    print(f"  top 10 identical to the exact count (ids, order and views): {'yes' if same else 'NO'}")
    if args.redis:
        backend.clear()


if __name__ == "__main__":
    main()
