"""Content similarity: TF-IDF over Sudachi tokens (kiji.search.tokenize) of title and body.

Pure Python over an inverted index: each document keeps its TOP_TERMS heaviest terms, so
finding one article's neighbours touches only the postings of those terms (a few thousand
entries), not every other article.
"""

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from kiji.lib.html import html_to_text
from kiji.search.tokenize import tokens

TOP_TERMS = 200      # terms kept per document vector (60: 0.76 same-channel share, 200: 0.84)
STORED_TERMS = 300   # term counts stored per article (ArticleTerms)
TITLE_WEIGHT = 3     # a title word counts as this many body words
MIN_DF = 2           # a term must occur in this many articles to count
# Terms rarer than this share of articles weigh no more than one that common: a word shared by a
# few hundred articles (a team, a product line, a recurring theme) then counts as much as a
# one-off name, which ties articles into their topic (livedoor: 0.76 -> 0.84 same-channel share).
IDF_CAP_SHARE = 0.05


def article_terms(headline: str, body_html: str, tokenize: Callable[[str], list[str]] = tokens) -> Counter:
    """Content-word counts of an article, the title weighted above the body."""
    counts = Counter(tokenize(html_to_text(body_html or "")))
    for term in tokenize(headline or ""):
        counts[term] += TITLE_WEIGHT
    return Counter(dict(counts.most_common(STORED_TERMS)))


@dataclass
class Doc:
    pk: int
    category_id: int | None
    published_ts: float
    vector: dict[str, float] = field(default_factory=dict)


class Index:
    """TF-IDF vectors of many articles and their inverted index."""

    def __init__(self, docs: Iterable[tuple[int, int | None, float, dict[str, int]]]):
        rows = list(docs)
        self.df = Counter(term for *_, terms in rows for term in terms)
        self.n = len(rows)
        self.docs: dict[int, Doc] = {}
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self._building = True
        for row in rows:
            self.add(*row)
        self._building = False

    def add(self, pk: int, category_id: int | None, published_ts: float, terms: dict[str, int]) -> None:
        """Add (or replace) one document, weighted by the index's document frequencies."""
        if pk in self.docs:
            for term in self.docs[pk].vector:
                self.postings[term] = [p for p in self.postings[term] if p[0] != pk]
        elif not self._building:  # a newcomer: count it in the frequencies (older vectors stay as they are)
            self.n += 1
            self.df.update(terms.keys())
        n, df = self.n, self.df
        # Terms found in no other article cannot make two articles similar; left in, they would
        # take vector slots and weigh down the norm, so they are dropped (MIN_DF).
        cap = math.log((n + 1) / max(2.0, n * IDF_CAP_SHARE))
        weights = {t: (1 + math.log(c)) * min(cap, math.log((n + 1) / max(1, df.get(t, 0))))
                   for t, c in terms.items() if c > 0 and df.get(t, 0) >= MIN_DF}
        top = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_TERMS]
        norm = math.sqrt(sum(w * w for _, w in top)) or 1.0
        doc = Doc(pk, category_id, published_ts, {t: w / norm for t, w in top if w > 0})
        self.docs[pk] = doc
        for term, weight in doc.vector.items():
            self.postings[term].append((pk, weight))

    def __len__(self):
        return len(self.docs)

    def similar(self, pk: int, *, limit: int = 20, category_boost: float = 0.0,
                recency_boost: float = 0.0, now_ts: float = 0.0) -> list[tuple[int, float]]:
        """[(pk, score)] best first: cosine, times (1 + category_boost) in the same category and
        (1 + recency_boost * 0.5 ** (age in days / 14)) for recent candidates. Never `pk` itself."""
        doc = self.docs.get(pk)
        if doc is None:
            return []
        scores: dict[int, float] = defaultdict(float)
        for term, weight in doc.vector.items():
            for other, other_weight in self.postings[term]:
                scores[other] += weight * other_weight
        scores.pop(pk, None)
        if category_boost or recency_boost:
            for other, score in scores.items():
                cand = self.docs[other]
                if category_boost and cand.category_id == doc.category_id:
                    score *= 1 + category_boost
                if recency_boost:
                    age_days = max(0.0, (now_ts - cand.published_ts) / 86400)
                    score *= 1 + recency_boost * 0.5 ** (age_days / 14)
                scores[other] = score
        return sorted(scores.items(), key=lambda kv: (-kv[1], -kv[0]))[:limit]
