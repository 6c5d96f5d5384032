"""Also-read quality on the livedoor corpus: the share of also-read items in the source's channel.

    .venv/bin/python bench/related_quality.py [--fresh] [--limit 8]

Content signal only (kiji.search.similar as the also-read lists use it, before the audience app's
category/recency boosts and co-readership: the channel IS the category), averaged over all
articles, beside two baselines computed the same way: random articles, and the same weighting,
topics and re-ranking over plain character bigrams (no Sudachi), which shows what the tokenizer buys.
"""

import argparse
import random
import re
import time
import unicodedata

import audience_corpus


def bigrams(text: str) -> list[str]:
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "").lower())
    return [text[i : i + 2] for i in range(len(text) - 1)]


def share_same_channel(neighbours: dict[int, list[int]], channel: dict[int, int]) -> float:
    shares = [
        sum(channel[o] == channel[pk] for o in others) / len(others) for pk, others in neighbours.items() if others
    ]
    return sum(shares) / len(shares)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--fresh", action="store_true", help="re-import the corpus into a new database")
    parser.add_argument("--limit", type=int, default=8)
    parser.add_argument(
        "--search", action="store_true", help="only: the clustered neighbour search against the exact one (all pairs)"
    )
    parser.add_argument(
        "--new",
        action="store_true",
        help="only: articles newer than the model (every 10th held out), scored among their nearest cluster's "
        "pool (the scheduler's update) against all articles",
    )
    args = parser.parse_args()
    audience_corpus.setup(fresh=args.fresh)

    from kiji.lib.html import html_to_text
    from kiji.newsroom.models import Article
    from kiji.search import similar
    from kiji.search.models import SearchDocument

    articles = list(Article.objects.published().values_list("pk", "category_id", "headline", "body"))
    channel = {pk: cat for pk, cat, *_ in articles}

    def evaluate(docs, **options) -> tuple[float, float, float]:
        started = time.perf_counter()
        model = similar.fit(docs, **options)
        built = time.perf_counter()
        neighbours = {pk: [o for o, _ in found] for pk, found in model.similar_all(limit=args.limit).items()}
        return share_same_channel(neighbours, channel), built - started, time.perf_counter() - built

    print(f"\n{len(articles)} articles, {len(set(channel.values()))} channels, {args.limit} also-read items each")
    # The search index's text: Sudachi ran once, when the articles were indexed (kiji import-ldcc).
    indexed = SearchDocument.objects.order_by("article_id").values_list("article_id", "title", "body", "parts")
    if args.new:
        docs = list(indexed)
        held, kept = docs[::10], [d for i, d in enumerate(docs) if i % 10]
        model = similar.fit(kept)
        model.similar_all(limit=args.limit)  # the lists the scheduler holds between two rebuilds

        def update_share(exact: bool) -> tuple[float, float]:
            if exact:
                model.unit_of = lambda latent: None  # every article scored, as before the clusters were probed
            started = time.process_time()
            found = {pk: model.similar_to(t, b, p, pk=pk, limit=args.limit) for pk, t, b, p in held}
            vars(model).pop("unit_of", None)
            cpu = (time.process_time() - started) * 1000 / len(held)
            return share_same_channel({pk: [o for o, _ in f] for pk, f in found.items()}, channel), cpu

        (pooled, pooled_ms), (exact, exact_ms) = update_share(False), update_share(True)
        print(f"  {len(held)} new articles against a model of {len(kept)} ({len(model.units())} units):")
        print(f"  among the nearest cluster's pool: {pooled:.3f}   ({pooled_ms:.1f} ms CPU an article)")
        print(f"  against every article:           {exact:.3f}   ({exact_ms:.1f} ms CPU an article)")
        print(f"  loss: {exact - pooled:+.3f} (allowed: 0.010)")
        return
    if args.search:
        clustered, build_s, query_s = evaluate(indexed)
        print(f"  clustered search (PROBES {similar.PROBES} of ~{similar.CLUSTER_SIZE}): {clustered:.3f}", end="")
        print(f"   (model {build_s:.1f} s, all lists {query_s:.1f} s)")
        similar.PROBES = 10**9  # every article in one unit: the exact all-pairs search
        exact, build_s, query_s = evaluate(indexed)
        print(f"  exact all-pairs search:          {exact:.3f}   (model {build_s:.1f} s, all lists {query_s:.1f} s)")
        print(f"  loss: {exact - clustered:+.3f} (allowed: 0.010)")
        return
    sudachi, build_s, query_s = evaluate(indexed)
    print(
        f"  kiji.search.similar, Sudachi tokens:   {sudachi:.3f}   (model {build_s:.1f} s, all lists {query_s:.1f} s "
        f"= {1000 * query_s / len(articles):.2f} ms/article)"
    )

    plain = [(pk, h, html_to_text(b), "") for pk, _, h, b in articles]
    bigram, build_s, query_s = evaluate(plain, analyzer=bigrams)
    print(
        f"  same weighting, character bigrams:    {bigram:.3f}   (model {build_s:.1f} s incl. bigrams, "
        f"lists {query_s:.1f} s)"
    )

    rng = random.Random(7)
    pks = list(channel)
    rand = share_same_channel({pk: rng.sample([o for o in pks if o != pk], args.limit) for pk in pks[:2000]}, channel)
    print(f"  random articles (baseline):           {rand:.3f}")
    print("\n  what each step buys (Sudachi / bigrams):")
    for label, weights in (
        ("term cosine only", {"TOPIC_WEIGHT": 0.0, "SHARED_WEIGHT": 0.0}),
        ("+ topics (SVD)", {"SHARED_WEIGHT": 0.0}),
    ):
        saved = {name: getattr(similar, name) for name in weights}
        vars(similar).update(weights)
        try:
            print(f"    {label:<20} {evaluate(indexed)[0]:.3f} / {evaluate(plain, analyzer=bigrams)[0]:.3f}")
        finally:
            vars(similar).update(saved)
    print(f"    {'+ shared neighbours':<20} {sudachi:.3f} / {bigram:.3f}")
    print(f"    Sudachi words without adjacent-word pairs, all steps: {evaluate(indexed, analyzer=str.split)[0]:.3f}")
    print(
        f"\n  Sudachi vs random: x{sudachi / rand:.1f}; Sudachi - bigrams: {sudachi - bigram:+.3f}; "
        f"target >= 0.90: {'met' if sudachi >= 0.90 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
