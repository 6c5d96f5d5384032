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
    parser.add_argument(
        "--sample",
        type=int,
        nargs="+",
        help="only: the topics fitted on this many articles (similar.SAMPLE) against all of them (the baseline, "
        "same run), the share and how much of each list is kept",
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
    if args.sample:
        sample_shares(indexed, channel, args.limit, args.sample)
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


def sample_shares(indexed, channel, limit: int, sizes: list[int]) -> None:
    """The topics fitted on every article (the baseline) and on `sizes` articles each, spread evenly."""
    from kiji.search import similar

    def lists(sample: int) -> tuple[dict, float]:
        similar.SAMPLE = sample
        started = time.process_time()
        model = similar.fit(indexed)
        found = {pk: [o for o, _ in f] for pk, f in model.similar_all(limit=limit).items()}
        return found, time.process_time() - started

    full, cpu = lists(10**9)
    base = share_same_channel(full, channel)
    print(f"  topics fitted on all {len(full)} articles: {base:.3f}   ({cpu:.1f} CPU s)")
    for size in sizes:
        found, cpu = lists(size)
        share = share_same_channel(found, channel)
        kept = sum(len(set(found[pk]) & set(full[pk])) / max(1, len(full[pk])) for pk in full) / len(full)
        print(
            f"  on a sample of {size:>6}: {share:.3f}, loss {base - share:+.3f} (allowed 0.010); "
            f"top {limit} kept {kept:.3f}   ({cpu:.1f} CPU s)"
        )


if __name__ == "__main__":
    main()
