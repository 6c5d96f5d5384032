"""Also-read quality on the livedoor corpus: the share of also-read items in the source's channel.

    .venv/bin/python bench/related_quality.py [--fresh] [--limit 8]

Content signal only (category boost, recency boost and co-readership off: the channel IS the
category), averaged over all articles, beside two baselines computed the same way: random
articles, and TF-IDF over plain character bigrams (no Sudachi), which shows what the tokenizer buys.
"""

import argparse
import random
import re
import time
import unicodedata

import audience_corpus


def bigrams(text: str) -> list[str]:
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "").lower())
    return [text[i:i + 2] for i in range(len(text) - 1)]


def share_same_channel(neighbours: dict[int, list[int]], channel: dict[int, int]) -> float:
    shares = [sum(channel[o] == channel[pk] for o in others) / len(others)
              for pk, others in neighbours.items() if others]
    return sum(shares) / len(shares)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--fresh", action="store_true", help="re-import the corpus into a new database")
    parser.add_argument("--limit", type=int, default=8)
    args = parser.parse_args()
    audience_corpus.setup(fresh=args.fresh)

    from kiji.audience.lists import store_terms
    from kiji.audience.models import ArticleTerms
    from kiji.audience.similarity import Index, article_terms
    from kiji.newsroom.models import Article

    articles = list(Article.objects.published().values_list("pk", "category_id", "published_at", "headline", "body"))
    channel = {pk: cat for pk, cat, *_ in articles}
    if ArticleTerms.objects.count() < len(articles):
        started = time.perf_counter()
        store_terms(Article.objects.published().only("pk", "headline", "body"))
        print(f"tokenized {len(articles)} articles with Sudachi in {time.perf_counter() - started:.1f} s")
    terms = dict(ArticleTerms.objects.values_list("article_id", "terms"))

    def evaluate(rows) -> tuple[float, float, float]:
        started = time.perf_counter()
        index = Index(rows)
        built = time.perf_counter()
        neighbours = {pk: [o for o, _ in index.similar(pk, limit=args.limit)] for pk in channel}
        return share_same_channel(neighbours, channel), built - started, time.perf_counter() - built

    print(f"\n{len(articles)} articles, {len(set(channel.values()))} channels, {args.limit} also-read items each")
    sudachi, build_s, query_s = evaluate((pk, cat, ts.timestamp(), terms[pk]) for pk, cat, ts, *_ in articles)
    print(f"  TF-IDF over Sudachi tokens (kiji):   {sudachi:.3f}   "
          f"(index {build_s:.1f} s, all lists {query_s:.1f} s = {1000 * query_s / len(articles):.1f} ms/article)")

    started = time.perf_counter()
    bigram_rows = [(pk, cat, ts.timestamp(), article_terms(h, b, tokenize=bigrams)) for pk, cat, ts, h, b in articles]
    tokenize_s = time.perf_counter() - started
    bigram, build_s, query_s = evaluate(bigram_rows)
    print(f"  TF-IDF over character bigrams:       {bigram:.3f}   (bigrams {tokenize_s:.1f} s, index {build_s:.1f} s, "
          f"lists {query_s:.1f} s)")

    rng = random.Random(7)
    pks = list(channel)
    rand = share_same_channel({pk: rng.sample([o for o in pks if o != pk], args.limit) for pk in pks[:2000]}, channel)
    print(f"  random articles (baseline):          {rand:.3f}")
    print(f"\n  Sudachi vs random: x{sudachi / rand:.1f}; Sudachi - bigrams: {sudachi - bigram:+.3f}; "
          f"target >= 0.90: {'met' if sudachi >= 0.90 else 'NOT met'}")


if __name__ == "__main__":
    main()
