"""The two full-text backends behind one contract: ranked article ids and the total, for a Plan.

Order, the same on both: coverage (how many of the query's word groups an article matches; only
strict matches when there are STRICT_ENOUGH of them), then phrase (adjacent query words adjacent in
the article), then exact (groups matched by the reader's own words, not a reading or a synonym),
then relevance.

Chosen by the database in use: SQLite FTS5 (bm25) or PostgreSQL tsvector (ts_rank). Both rank
by relevance times a recency boost: 1 + 0.5 / (1 + age in days / 30), so a story from today gets
up to +50 %, one from last month +25 %, one from years ago almost nothing.

How, so that no query scores every article holding a common word: the index answers, without
scoring, which articles match all groups (the strict set) and, only when that set is small, which
match each group; coverage, phrase and exact are counted here from those id sets, and relevance is
computed only for the best tiers that fill the page, for at most SCORE_CAP articles of each (those
whose title holds the query's words first, then the newest by id), and only against the query's
rarer words (see relevant_groups).

When more than CANDIDATES articles hold every word, they are not counted: the total is then a lower
bound (`Found.at_least`; the page says 「1000件以上」), and only the newest CANDIDATES and those
with every word in the title are ranked.
"""

import json
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from django.db import connection, transaction

from kiji.lib.memo import Memo
from kiji.search.expand import Group, Plan, documents_of

# FTS5 bm25 column weights (title, body, parts, readings); PostgreSQL's ts_rank weighs its A, B, C, D
# labels (the same columns) in the same proportions, so that both backends put the same article first.
TITLE_WEIGHT, BODY_WEIGHT, PARTS_WEIGHT, READINGS_WEIGHT = 5.0, 1.0, 0.5, 0.3
PG_WEIGHTS = (
    "{" + ",".join(str(w / TITLE_WEIGHT) for w in (READINGS_WEIGHT, PARTS_WEIGHT, BODY_WEIGHT, TITLE_WEIGHT)) + "}"
)
# ts_rank normalization: 1 divides by 1 + the log of the article's length, as bm25 discounts long
# articles (by default a long article that repeats a common word outranks the one titled with them).
PG_NORMALIZATION = 1
RECENCY_BOOST = 0.5
RECENCY_DAYS = 30.0
# Articles with every word come first; when fewer than this many do, articles with most of the
# words follow (a question of eight words still finds the article with five of them).
STRICT_ENOUGH = 10
# The index gives at most this many candidates per word (newest ids first) and relevance is
# computed for at most SCORE_CAP of one tier: no query scores every article holding a common word.
# 1000 / 200 (were 2000 / 500): SQLite CPU p95 at 10x 28.7 -> 23.3 ms (bench/RESULTS.md, issue 16).
CANDIDATES = 1000
SCORE_CAP = 200
# Relevance is computed against the query's rarer words only: a word in more than this many times
# as many articles as the query's rarest adds little to BM25, and its list is most of the cost.
COMMON_RATIO = 10


class Found(NamedTuple):
    ids: list[int]
    total: int
    at_least: bool = False  # more articles match than `total`: they were not all counted


@dataclass(frozen=True)
class Filters:
    category_id: int | None = None
    start: datetime | None = None  # inclusive
    end: datetime | None = None  # exclusive

    def sql(self) -> tuple[str, list]:
        clauses, params = [], []
        if self.category_id is not None:
            clauses.append("AND d.category_id = %s")
            params.append(self.category_id)
        if self.start is not None:
            clauses.append("AND d.published_at >= %s")
            params.append(_dt(self.start))
        if self.end is not None:
            clauses.append("AND d.published_at < %s")
            params.append(_dt(self.end))
        return " ".join(clauses), params


def _dt(value: datetime):
    return connection.ops.adapt_datetimefield_value(value)


def _run(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _fts(tokens: tuple[str, ...]) -> str:
    return '"' + " ".join(tok.replace('"', '""') for tok in tokens) + '"'


class _Ranking:
    """The order both backends share; each says how to write an expression, which articles match
    one (ids, no scoring) and how relevant given articles are to the plan (scores)."""

    def group(self, group: Group, *, own_only: bool = False) -> str:
        raise NotImplementedError

    def pair(self, pair: tuple[str, str]) -> str:
        raise NotImplementedError

    def title(self, group: Group) -> str:
        raise NotImplementedError

    def every(self, exprs: list[str], plan: Plan) -> str:
        """All of `exprs` and the plan's required phrases, none of its excluded ones."""
        raise NotImplementedError

    def any(self, exprs: list[str], plan: Plan) -> str:
        raise NotImplementedError

    def ids(
        self, expr: str, filters: Filters, *, limit: int | None = None, within: list[int] | None = None
    ) -> list[int]:
        """Ids of the articles matching `expr` (newest ids first, at most `limit`; only those `within`)."""
        raise NotImplementedError

    def scores(self, plan: Plan, ids: list[int], now: datetime, *, strict: bool) -> dict[int, tuple[float, object]]:
        """{id: (score, published_at)} for those of `ids` published by `now`; higher is better."""
        raise NotImplementedError

    def scored(self, plan: Plan, *, strict: bool) -> str:
        """The expression relevance is computed against: any of the rarer groups, or all of them
        when every candidate holds all (the index finds those faster)."""
        groups = [self.group(g) for g in relevant_groups(plan.groups)]
        return self.any(groups, plan) if groups and not strict else self.every(groups, plan)

    def _candidates(self, plan: Plan, filters: Filters) -> tuple[dict[int, int], int, bool]:
        """({article id: coverage} of at most a few CANDIDATES, the number of matching articles,
        whether that number is only a lower bound)."""
        groups = [self.group(g) for g in plan.groups]
        every = self.every(groups, plan)
        strict, titled = self.strict_ids(plan, every, filters)
        if len(strict) > CANDIDATES:  # a common word: the newest and those with every word in the title
            # Not counted further (a count reads every matching row: 10 ms CPU for サッカー 日本代表 at
            # 10x on SQLite, every heap row on PostgreSQL): more than CANDIDATES match.
            return dict.fromkeys([*titled, *strict[:CANDIDATES]], len(groups)), CANDIDATES, True
        if len(strict) >= STRICT_ENOUGH or len(groups) <= 1:
            return dict.fromkeys(strict, len(groups)), len(strict), False
        # Few strict matches: articles with most of the words follow. Words that are in more than
        # CANDIDATES articles (方法, 知る) only count for articles that hold a rarer word of the query:
        # they are not listed (a list reads every matching row: 25-38 ms of server CPU each at 10x
        # on PostgreSQL) but tested among the rarer words' candidates. Which words are common is
        # known beforehand from the vocabulary's counts (unfiltered searches; under a filter a common
        # word may match few) or else from the list itself.
        counted = filters == Filters()
        matching = [
            None if counted and documents_of(g) > CANDIDATES else self.ids(expr, filters, limit=CANDIDATES + 1)
            for g, expr in zip(plan.groups, groups, strict=True)
        ]
        rare = [expr for expr, found in zip(groups, matching, strict=True) if found and len(found) <= CANDIDATES]
        if not rare:
            # Every word common: the newest CANDIDATES holding one of the rarer words (relevant_groups;
            # the newest holding any word read the matching rows of every common word, 方法 | 知る: 70
            # ms at 10x on PostgreSQL), each tested for all the words. Not counted further.
            held = [g for g, found in zip(plan.groups, matching, strict=True) if found is None or found]
            if not held:  # no article holds any of the words
                return {}, 0, False
            scope = [self.group(g) for g in relevant_groups(held)]
            found = self.ids(self.any(scope, plan), filters, limit=CANDIDATES)
            coverage = dict.fromkeys(found, 0)
            for pk, n in self._within([groups], found, filters)[0].items():
                coverage[pk] += n
            return coverage, len(coverage), len(found) >= CANDIDATES
        found = self.ids(self.any(rare, plan), filters, limit=CANDIDATES * len(rare))
        coverage = dict.fromkeys(found, 0)
        tested = []
        for expr, ids in zip(groups, matching, strict=True):
            if ids is None or len(ids) > CANDIDATES:
                tested.append(expr)
                continue
            for pk in ids:
                if pk in coverage:
                    coverage[pk] += 1
        for pk, n in self._within([tested], found, filters)[0].items():
            coverage[pk] += n
        return coverage, len(coverage), False

    def strict_ids(self, plan: Plan, every: str, filters: Filters) -> tuple[list[int], list[int]]:
        """(the newest CANDIDATES + 1 articles matching `every`; when more than CANDIDATES do, also
        the newest CANDIDATES of them with every word of the plan in the title, else [])."""
        strict = self.ids(every, filters, limit=CANDIDATES + 1)
        if len(strict) <= CANDIDATES:
            return strict, []
        return strict, self.ids(self.every([self.title(g) for g in plan.groups], plan), filters, limit=CANDIDATES)

    def _within(self, tests: list[list[str]], within: list[int], filters: Filters) -> list[dict[int, int]]:
        """For each list of expressions in `tests`, {id: how many of them it matches}, among `within`."""
        out = []
        for exprs in tests:
            counts: dict[int, int] = {}
            for expr in exprs:
                for pk in self.ids(expr, filters, within=within):
                    counts[pk] = counts.get(pk, 0) + 1
            out.append(counts)
        return out

    def search(self, plan: Plan, filters: Filters, *, now: datetime, limit: int, offset: int) -> Found:
        coverage, total, at_least = self._candidates(plan, filters)
        if not coverage:
            return Found([], 0)
        # Phrase and exact are tested for the rarer words only, as relevance is (relevant_groups): a
        # pair of common words (つく 知る, from について知りたい) reads two long lists for nothing.
        within, rarer = list(coverage), relevant_groups(plan.groups)
        forms = {g.form for g in rarer}
        pairs = [p for p in plan.pairs if forms.intersection(p)]
        every_group = all(cov == len(plan.groups) for cov in coverage.values())
        near, exact = self.near_and_exact(pairs, rarer, within, filters, every_group=every_group)
        tiers: dict[tuple[int, int, int], list[int]] = {}
        for pk, cov in coverage.items():
            tiers.setdefault((cov, near.get(pk, 0), exact.get(pk, 0)), []).append(pk)
        # The best tiers that fill the page. Each tier is in the candidates' order (those with every
        # word in the title first, then the newest): its first SCORE_CAP are ranked by relevance, the
        # rest follow in that order unscored, so that a deep page still continues the first ones.
        wanted, filled = [], 0
        for key in sorted(tiers, reverse=True):
            if filled >= offset + limit:
                break
            wanted.append(tiers[key])
            filled += len(tiers[key])
        strict = all(key[0] == len(plan.groups) for key in tiers)
        scored = self.scores(plan, [pk for tier in wanted for pk in tier[:SCORE_CAP]], now, strict=strict)
        ranked = []
        for tier in wanted:
            head = (pk for pk in tier[:SCORE_CAP] if pk in scored)
            ranked += [*sorted(head, key=lambda pk: (*scored[pk], pk), reverse=True), *tier[SCORE_CAP:]]
        return Found(ranked[offset : offset + limit], total, at_least)

    def near_and_exact(
        self,
        pairs: list[tuple[str, str]],
        rarer: list[Group],
        within: list[int],
        filters: Filters,
        *,
        every_group: bool,
    ) -> tuple[dict[int, int], dict[int, int]]:
        """({id: how many of `pairs` it holds as phrases}, {id: how many of the `rarer` groups it
        matches by the reader's own word}) among `within`; `every_group`: each of them matches every
        group of the plan."""
        near, exact = self._within(
            [[self.pair(p) for p in pairs], [self.group(g, own_only=True) for g in rarer]], within, filters
        )
        return near, exact

    def count(self, plan: Plan, filters: Filters, *, now: datetime) -> tuple[int, bool]:
        """(the number of matching articles, whether it is only a lower bound)."""
        return self._candidates(plan, filters)[1:]


def relevant_groups(groups: list[Group]) -> list[Group]:
    """The groups relevance is computed against: those in at most COMMON_RATIO times as many
    articles as the rarest (by the vocabulary's counts, kept per process: expand.documents_of). 方法
    and 知る add little to 節電's BM25 and would make the index read their long lists; candidates
    matching none of these still rank (at 0) within their tier."""
    counts = [max(documents_of(g), 1) for g in groups]
    rarest = min(counts, default=0)
    return [g for g, n in zip(groups, counts, strict=True) if n <= rarest * COMMON_RATIO]


class SqliteBackend(_Ranking):
    WORDS = "{title body parts}"

    def group(self, group: Group, *, own_only: bool = False) -> str:
        alternatives = [f"{self.WORDS} : {_fts(alt)}" for alt in group.alternatives()[: 1 if own_only else None]]
        if not own_only:
            alternatives += [f"readings : {_fts(reading)}" for reading in group.readings()]
        return "(" + " OR ".join(alternatives) + ")"

    def pair(self, pair: tuple[str, str]) -> str:
        return f"{self.WORDS} : {_fts(pair)}"

    def title(self, group: Group) -> str:
        return "(" + " OR ".join(f"title : {_fts(alt)}" for alt in group.alternatives()) + ")"

    def every(self, exprs: list[str], plan: Plan) -> str:
        """An FTS5 MATCH string in which every token is a quoted string: no reader syntax survives."""
        required = [*exprs, *(_fts(t.tokens) for t in plan.required)]
        return " AND ".join(f"({r})" for r in required) + "".join(f" NOT {_fts(t.tokens)}" for t in plan.excluded)

    def any(self, exprs: list[str], plan: Plan) -> str:
        return self.every(["(" + " OR ".join(exprs) + ")"], plan)

    def ids(
        self, expr: str, filters: Filters, *, limit: int | None = None, within: list[int] | None = None
    ) -> list[int]:
        # `+rowid`: FTS5 reads the MATCH once and filters; a rowid look-up would run it again per id.
        sql, params = "SELECT rowid FROM search_fts WHERE search_fts MATCH %s", [expr]
        if within is not None:
            sql, params = sql + " AND +rowid IN (SELECT value FROM json_each(%s))", [*params, json.dumps(within)]
        if filters != Filters():
            where, more = filters.sql()
            sql = f"SELECT d.article_id FROM ({sql}) f JOIN search_searchdocument d ON d.article_id = f.rowid WHERE 1 {where}"
            params += more
        if limit is not None:
            sql, params = f"SELECT * FROM ({sql}) ORDER BY 1 DESC LIMIT %s", [*params, limit]
        return [r[0] for r in _run(sql, params)]

    def scores(self, plan: Plan, ids: list[int], now: datetime, *, strict: bool) -> dict[int, tuple[float, object]]:
        # bm25 is lower for better matches: negated, so that higher is better on both backends. The
        # FTS table is read by its MATCH only (`+rowid`: a rowid look-up per id would run the MATCH
        # again for each), then joined; a candidate matching none of the scored (rarer) words scores 0.
        expr = self.scored(plan, strict=strict)
        rows = _run(
            f"""
            WITH s AS MATERIALIZED (
                SELECT rowid AS id, bm25(search_fts, {TITLE_WEIGHT}, {BODY_WEIGHT}, {PARTS_WEIGHT}, {READINGS_WEIGHT}) AS b
                FROM search_fts WHERE search_fts MATCH %s AND +rowid IN (SELECT value FROM json_each(%s)))
            SELECT d.article_id, -coalesce(s.b, 0.0) * (1.0 + {RECENCY_BOOST} / (1.0 + max(0.0, julianday(%s)
                   - julianday(d.published_at)) / {RECENCY_DAYS})), d.published_at
            FROM search_searchdocument d LEFT JOIN s ON s.id = d.article_id
            WHERE d.article_id IN (SELECT value FROM json_each(%s)) AND d.published_at <= %s""",
            [expr, json.dumps(ids), _dt(now), json.dumps(ids), _dt(now)],
        )
        return {pk: (score, published) for pk, score, published in rows}


def _lexeme(token: str, weights: str = "") -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'" + (f":{weights}" if weights else "")


@contextmanager
def _by_index():
    """One transaction per search in which the planner reads matches by the GIN index, never by a
    sequential scan (see ids()): set once, not around each of the search's queries (each SET LOCAL
    cost a transaction and two more round trips)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        yield


# The lexemes PostgreSQL's parser makes of a token ('simple' configuration: w杯 -> w杯, a-b -> a-b a b),
# kept per process: the terms tested are built here from them, with no parsing left to the query.
_parsed = Memo(seconds=3600, max_entries=50_000)
# The marks of search_pgterms.terms (migration 0006): a reading, a title word; a space between two
# words in a row. A lexeme never holds a space, so no word's lexeme can be one of these.
PLAIN, READING, TITLE = "", " ", "  "
NOTHING = "'   '"  # a term no article holds: for a token of which the parser keeps no lexeme


def _lexemes(tokens: set[str]) -> dict[str, tuple[str, ...]]:
    found = {tok: _parsed.get(tok) for tok in tokens}
    missing = sorted(tok for tok, lexemes in found.items() if lexemes is None)
    if missing:
        rows = _run(
            """SELECT t, array(SELECT u.lexeme FROM unnest(to_tsvector('simple', t)) u, unnest(u.positions) pos
                               ORDER BY pos)
               FROM unnest(%s::text[]) t""",
            [missing],
        )
        for tok, lexemes in rows:
            found[tok] = _parsed.set(tok, tuple(lexemes))
    return found


def _id_array(ids: list[int]) -> str:
    """Article ids as one array literal: psycopg's client-side binding adapts a list of a thousand
    ints one by one (3-5 ms of this process's CPU for the five lists of one _within, 10x) and the
    server then plans each element; the literal is one string, cast once (bigint[]: see _within)."""
    return "{" + ",".join(str(int(pk)) for pk in ids) + "}"


def _plan_tokens(plan: Plan) -> set[str]:
    tokens = {tok for g in plan.groups for alt in [*g.alternatives(), *g.readings()] for tok in alt}
    tokens.update(tok for pair in plan.pairs for tok in pair)
    tokens.update(tok for term in [*plan.required, *plan.excluded] for tok in term.tokens)
    return tokens


class PostgresBackend(_Ranking):
    """Matches are tested in search_pgterms (migration 0006) with plain lexemes the GIN index answers
    alone; relevance is ts_rank over search_searchdocument.vector (weights and positions)."""

    lexemes: dict[str, tuple[str, ...]] = {}

    def search(self, plan: Plan, filters: Filters, *, now: datetime, limit: int, offset: int) -> Found:
        self.lexemes = _lexemes(_plan_tokens(plan))
        with _by_index():
            return super().search(plan, filters, now=now, limit=limit, offset=offset)

    def count(self, plan: Plan, filters: Filters, *, now: datetime) -> tuple[int, bool]:
        self.lexemes = _lexemes(_plan_tokens(plan))
        with _by_index():
            return super().count(plan, filters, now=now)

    def phrase(self, tokens: tuple[str, ...], mark: str = PLAIN) -> str:
        """tsquery text for `tokens` in a row: their one lexeme, or every two of their lexemes in a
        row (three or more lexemes: each two of them in a row somewhere, not checked as one run)."""
        lexemes = [lex for tok in tokens for lex in (self.lexemes.get(tok) or _lexemes({tok})[tok])]
        if not lexemes:
            return NOTHING
        if len(lexemes) == 1:
            return _lexeme(mark + lexemes[0])
        return "(" + " & ".join(_lexeme(f"{mark}{a} {b}") for a, b in zip(lexemes, lexemes[1:], strict=False)) + ")"

    def group(self, group: Group, *, own_only: bool = False) -> str:
        """tsquery text for a group; every lexeme quoted, so it is data, never syntax."""
        alternatives = [self.phrase(alt) for alt in group.alternatives()[: 1 if own_only else None]]
        if not own_only:
            alternatives += [self.phrase(reading, READING) for reading in group.readings()]
        return "(" + " | ".join(alternatives) + ")"

    def pair(self, pair: tuple[str, str]) -> str:
        return self.phrase(pair)

    def title(self, group: Group) -> str:
        return "(" + " | ".join(self.phrase(alt, TITLE) for alt in group.alternatives()) + ")"

    def every(self, exprs: list[str], plan: Plan) -> str:
        # A reader's "phrase" is matched in any column, as FTS5 does without a column filter.
        quoted = ["(" + self.phrase(t.tokens) + " | " + self.phrase(t.tokens, READING) + ")" for t in plan.required]
        excluded = ["!(" + self.phrase(t.tokens) + " | " + self.phrase(t.tokens, READING) + ")" for t in plan.excluded]
        return " & ".join([*(f"({e})" for e in exprs), *quoted, *excluded])

    def any(self, exprs: list[str], plan: Plan) -> str:
        return self.every(["(" + " | ".join(exprs) + ")"], plan)

    def ids(
        self, expr: str, filters: Filters, *, limit: int | None = None, within: list[int] | None = None
    ) -> list[int]:
        where, params = filters.sql()
        if within is not None:
            where, params = "AND d.article_id = ANY(%s::bigint[]) " + where, [_id_array(within), *params]
        # MATERIALIZED: the GIN index finds the matches, and only then are they ordered by id (a
        # backward scan of the primary key testing each row would read the whole table for a rare word).
        rows = _run(
            f"""WITH m AS MATERIALIZED (SELECT d.article_id FROM search_pgterms d
                WHERE d.terms @@ %s::tsquery {where})
            SELECT article_id FROM m"""
            + (" ORDER BY 1 DESC LIMIT %s" if limit is not None else ""),
            [expr, *params, *([limit] if limit is not None else [])],
        )
        return [r[0] for r in rows]

    def _within(self, tests: list[list[str]], within: list[int], filters: Filters) -> list[dict[int, int]]:
        """One query for every expression of every test, each answered by the GIN index, its matches
        then kept if among the candidates. `article_id + 0`: read by the primary key instead, each
        candidate's terms would be fetched from TOAST to be tested (psql, 10x, 映画 among 1000
        candidates: 460 ms that way, 5-15 ms through the index and 12,920 narrow rows). `bigint[]`:
        the ids as psycopg sends them (integer[]) are compared one by one, as bigint hashed (発表
        among 1000: 198 against 10-18 ms)."""
        out: list[dict[int, int]] = [{} for _ in tests]
        exprs = [(i, e) for i, exprs in enumerate(tests) for e in exprs]
        if not within or not exprs:
            return out
        where, params = filters.sql()
        sql = " UNION ALL ".join(
            f"SELECT {i}, d.article_id FROM search_pgterms d WHERE d.terms @@ %s::tsquery"
            f" AND d.article_id + 0 = ANY(%s::bigint[]) {where}"
            for i, _ in exprs
        )
        ids = _id_array(within)
        for i, pk in _run(sql, [p for _, e in exprs for p in (e, ids, *params)]):
            out[i][pk] = out[i].get(pk, 0) + 1
        return out

    def near_and_exact(
        self,
        pairs: list[tuple[str, str]],
        rarer: list[Group],
        within: list[int],
        filters: Filters,
        *,
        every_group: bool,
    ) -> tuple[dict[int, int], dict[int, int]]:
        """When every candidate matches every group, those matching a group by another word than the
        reader's (a synonym, a reading) without the reader's own are listed instead: few, where the
        reader's word, common, has a long list of matches to read (サッカー 日本代表 at 10x: three
        lists of 10,000-15,000 rows against a few dozen)."""
        if not every_group:
            return super().near_and_exact(pairs, rarer, within, filters, every_group=every_group)
        lacking = []
        for g in rarer:
            others = [self.phrase(alt) for alt in g.alternatives()[1:]]
            others += [self.phrase(reading, READING) for reading in g.readings()]
            lacking.append([f"({' | '.join(others)}) & !{self.group(g, own_only=True)}"] if others else [])
        near, *without_own = self._within([[self.pair(p) for p in pairs], *lacking], within, filters)
        return near, {pk: len(rarer) - sum(pk in found for found in without_own) for pk in within}

    def scored(self, plan: Plan, *, strict: bool) -> str:
        """ts_rank's query, over the vector's weights: the reader's words (A, B, C) and readings (D)."""
        groups = [_rank_group(g) for g in relevant_groups(plan.groups)]
        exprs = [f"({e})" for e in ([" | ".join(groups)] if groups and not strict else groups)]
        exprs += ["(" + " <-> ".join(_lexeme(tok) for tok in t.tokens) + ")" for t in plan.required]
        exprs += ["!(" + " <-> ".join(_lexeme(tok) for tok in t.tokens) + ")" for t in plan.excluded]
        return " & ".join(exprs)

    # ts_rank, not ts_rank_cd: on the 10x livedoor copy it ranked the 50 benchmark queries twice as
    # fast (p95 86 vs 169 ms) with the same precision@10 by channel (0.748 vs 0.738).
    def scores(self, plan: Plan, ids: list[int], now: datetime, *, strict: bool) -> dict[int, tuple[float, object]]:
        expr = self.scored(plan, strict=strict)
        rows = _run(
            f"""
            SELECT d.article_id, ts_rank('{PG_WEIGHTS}'::float4[], d.vector, to_tsquery('simple', %s), {PG_NORMALIZATION})
                   * (1.0 + {RECENCY_BOOST} / (1.0 +
                   greatest(0.0, extract(epoch FROM (%s - d.published_at)) / 86400.0) / {RECENCY_DAYS})),
                   d.published_at
            FROM search_searchdocument d WHERE d.article_id = ANY(%s::bigint[]) AND d.published_at <= %s""",
            [expr, now, _id_array(ids), now],
        )
        return {pk: (float(score), published) for pk, score, published in rows}


def _rank_group(group: Group) -> str:
    alternatives = [" <-> ".join(_lexeme(tok, "ABC") for tok in alt) for alt in group.alternatives()]
    alternatives += [" <-> ".join(_lexeme(tok, "D") for tok in reading) for reading in group.readings()]
    return "(" + " | ".join(alternatives) + ")"


def backend() -> SqliteBackend | PostgresBackend:
    return PostgresBackend() if connection.vendor == "postgresql" else SqliteBackend()
