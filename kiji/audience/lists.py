"""The audience lists: computed in the background into the backend's store, read in one lookup.

compute_*() run from the scheduler (at most once a minute, claimed across processes) and on
publish; the read functions (ranking, trending, recommended, also_read) never compute: they
read one precomputed list and keep only articles that are published now.
"""

import math
import time
from collections import defaultdict
from datetime import UTC, datetime

from django.conf import settings
from django.db import router
from django.db.models import F, Sum
from django.utils import timezone

from kiji.audience.backends import RedisBackend, get_backend, hour_of, utc_hour
from kiji.audience.models import ArticleViewHour, CoRead, EditorPick
from kiji.lib import metrics
from kiji.lib.db import pause_for_writers
from kiji.lib.memo import Memo
from kiji.lib.queries import PreparedValue
from kiji.newsroom.models import Article, Category

WINDOWS = {"1h": 1, "24h": 24, "7d": 24 * 7}
WINDOW_LABELS = {"1h": "1時間", "24h": "24時間", "7d": "7日間"}
STORED = 30  # ids kept per list: room for articles unpublished since the computation
TRENDING_PRIOR = 20.0  # views of pseudo-baseline: a new article's 5 views are no surge
TRENDING_MIN_VIEWS = 5
CO_PRIOR = 5.0  # co-read count at which the co-readership signal reaches half its weight
WRITE_BATCH = 500  # also-read lists per write (and per checkpoint of a full rebuild)


def default_window() -> str:
    return settings.KIJI_AUDIENCE_RANKING_WINDOW


# ---- computing -------------------------------------------------------------------------------


def _since(now: datetime, hours: int) -> datetime:
    """Start of a window of `hours` hours: the current hour's bucket plus the `hours` before it."""
    return utc_hour(hour_of(now) - hours)


def _views(since: datetime, until: datetime | None = None) -> dict[int, int]:
    rows = ArticleViewHour.objects.filter(hour__gte=since)
    if until is not None:
        rows = rows.filter(hour__lt=until)
    # Grouped by article_id + 0, not article_id: SQLite otherwise walks the whole table in article order
    # to skip the GROUP BY's sort (4.3 s for the last hour of 381,600 rows); this way it reads only the
    # window's rows from the (hour, article) index (7 ms). PostgreSQL plans both the same way.
    article = F("article_id") + 0
    return dict(rows.annotate(a=article).values("a").annotate(v=Sum("count")).values_list("a", "v"))


def _ranked(views: dict[int, int], meta: dict[int, tuple]) -> list[int]:
    """Most views first; ties: the newer article, then the higher id (deterministic)."""
    return sorted((pk for pk in views if pk in meta), key=lambda pk: (-views[pk], -meta[pk][1], -pk))


def _published_meta(
    now: datetime, *, viewed_since: datetime | None = None, ids: set[int] | None = None
) -> dict[int, tuple[int, float]]:
    """{pk: (category, published timestamp)} of published articles; with `viewed_since`, only of those
    viewed since then (the rankings' and trending's candidates: never the whole archive each minute);
    with `ids`, only of those articles."""
    articles = Article.objects.published(now)
    if viewed_since is not None:
        viewed = ArticleViewHour.objects.filter(hour__gte=viewed_since).values("article")
        articles = articles.filter(pk__in=viewed)
    if ids is not None:
        listed, found = sorted(ids), {}
        for start in range(0, len(listed), WRITE_BATCH):
            found.update(_meta(articles.filter(pk__in=listed[start : start + WRITE_BATCH])))
        return found
    return _meta(articles)


def _meta(articles) -> dict[int, tuple[int, float]]:
    return {pk: (cat, ts.timestamp()) for pk, cat, ts in articles.values_list("pk", "category_id", "published_at")}


def compute_rankings(now: datetime, meta: dict) -> dict[str, dict]:
    lists = {}
    for window, hours in WINDOWS.items():
        views = _views(_since(now, hours))
        ranked = _ranked(views, meta)
        lists[f"ranking:{window}:all"] = {"ids": ranked[:STORED], "views": [views[pk] for pk in ranked[:STORED]]}
        by_category = defaultdict(list)
        for pk in ranked:
            by_category[meta[pk][0]].append(pk)
        for category_id in Category.objects.values_list("pk", flat=True):
            ids = by_category.get(category_id, [])[:STORED]
            lists[f"ranking:{window}:{category_id}"] = {"ids": ids, "views": [views[pk] for pk in ids]}
    return lists


def trending_scores(now: datetime, meta: dict) -> dict[int, float]:
    """Poisson z-score of the last hour's views against the article's own hourly baseline.

    recent = this hour's views + the previous hour's, prorated to make 60 minutes;
    baseline = mean views per hour over the 24 hours before that (or since publication);
    z = (recent - baseline) / sqrt(baseline + TRENDING_PRIOR). The prior keeps a brand-new
    article with 5 views (z ≈ 1.1) far below a real surge (10/h → 100/h: z ≈ 16).
    """
    current = hour_of(now)
    fraction = (now.timestamp() % 3600) / 3600
    this_hour = _views(utc_hour(current))
    last_hour = _views(utc_hour(current - 1), utc_hour(current))
    history = _views(utc_hour(current - 25), utc_hour(current - 1))
    scores = {}
    for pk in set(this_hour) | set(last_hour):
        if pk not in meta:
            continue
        recent = this_hour.get(pk, 0) + last_hour.get(pk, 0) * (1 - fraction)
        if recent < TRENDING_MIN_VIEWS:
            continue
        age_hours = (now.timestamp() - meta[pk][1]) / 3600 - 1
        baseline = history.get(pk, 0) / min(24.0, max(1.0, age_hours))
        z = (recent - baseline) / math.sqrt(baseline + TRENDING_PRIOR)
        if z > 0:
            scores[pk] = z
    return scores


def compute_trending(now: datetime, meta: dict) -> dict[str, dict]:
    scores = trending_scores(now, meta)
    ids = sorted(scores, key=lambda pk: (-scores[pk], -meta[pk][1], -pk))[:STORED]
    return {"trending": {"ids": ids, "scores": [round(scores[pk], 2) for pk in ids]}}


def compute_recommended(now: datetime, lists: dict[str, dict]) -> dict[str, dict]:
    """Editors' active picks first (in their order), then the day's ranking, then trending, then the
    newest article of each category: a new site, or a quiet night, still recommends something."""
    picks = list(EditorPick.objects.active(now).values_list("article_id", "expires_at"))
    automatic = (
        lists.get("ranking:24h:all", {}).get("ids", [])
        + lists.get("trending", {}).get("ids", [])
        + _newest_per_category(now)
    )
    # 広告/PR articles are recommended only when an editor picks them.
    sponsored = set(Article.objects.filter(pk__in=automatic).exclude(sponsorship="").values_list("pk", flat=True))
    ids = list(dict.fromkeys([pk for pk, _ in picks] + [pk for pk in automatic if pk not in sponsored]))
    return {
        "recommended": {
            "ids": ids[:STORED],
            "picks": len(dict.fromkeys(pk for pk, _ in picks)),
            # A pick's end is applied when the list is read, so no reader's request has to rewrite it.
            "expires": [[pk, expires.timestamp()] for pk, expires in picks if expires is not None],
        }
    }


def _newest_per_category(now: datetime) -> list[int]:
    """Newest first, at most one article per category, so the fallback is varied (one indexed
    query per category, not the whole archive)."""
    newest = []
    for category_id in Category.objects.values_list("pk", flat=True):
        found = (
            Article.objects.published(now)
            .filter(category_id=category_id)
            .order_by("-published_at", "-pk")
            .values_list("published_at", "pk")
            .first()
        )
        if found:
            newest.append(found)
    return [pk for _, pk in sorted(newest, reverse=True)][:STORED]


def compute_lists(now: datetime | None = None) -> dict[str, dict]:
    """Rankings, trending and recommended, written to the store; returns what was written."""
    now = now or timezone.now()
    meta = _published_meta(now, viewed_since=_since(now, max(WINDOWS.values())))
    lists = compute_rankings(now, meta)
    lists.update(compute_trending(now, meta))
    lists.update(compute_recommended(now, lists))
    get_backend().write_lists(lists)
    return lists


def refresh_lists_job() -> None:
    """Scheduler job: recompute the lists at most once a minute across all processes."""
    if get_backend().claim("lists", 60):
        compute_lists()
        metrics.set_gauge("kiji_audience_snapshot_timestamp_seconds", time.time(), list="rankings")


def refresh_recommended(now: datetime | None = None) -> None:
    """After editors change picks: recompute おすすめ at once from the stored rankings."""
    now = now or timezone.now()
    backend = get_backend()
    stored = {k: backend.read_list(k) or {} for k in ("ranking:24h:all", "trending")}
    backend.write_lists(compute_recommended(now, stored))


# ---- also read -------------------------------------------------------------------------------
#
# Content similarity comes from the search app (kiji.search.similar, over the index's text, so
# each article is tokenized once); this part boosts it by category and recency and blends in
# co-readership. It needs numpy/scipy, so it runs in the scheduler and in commands, never in a
# web worker: a published or edited article gets its list at the scheduler's next round (~15 s).


# This process's similarity model (scheduler and commands only). Without one, the next round rebuilds
# every list; it is rebuilt at each full round anyway, so a day is only an upper bound.
_model = Memo(seconds=86400, max_entries=1)


def _boosted(content: list[tuple[int, float]], source: tuple | None, meta: dict, now_ts: float) -> list:
    """Content scores times (1 + category boost) in the source's category and
    (1 + recency boost * 0.5 ** (age in days / 14)) for recent candidates."""
    category_boost = settings.KIJI_AUDIENCE_CATEGORY_BOOST
    recency_boost = settings.KIJI_AUDIENCE_RECENCY_BOOST
    boosted = []
    for pk, score in content:
        if pk not in meta:
            continue  # unpublished since the model was built
        category, published_ts = meta[pk]
        if category_boost and source and category == source[0]:
            score *= 1 + category_boost
        if recency_boost:
            score *= 1 + recency_boost * 0.5 ** (max(0.0, now_ts - published_ts) / 86400 / 14)
        boosted.append((pk, score))
    return boosted


def _co_reads(ids: list[int]) -> dict[int, dict[int, int]]:
    found = defaultdict(dict)
    for a, b, n in CoRead.objects.filter(article_id__in=ids).values_list("article_id", "other_id", "count"):
        found[a][b] = n
    return found


def blend(content: list[tuple[int, float]], co: dict[int, int], *, co_weight: float) -> list[int]:
    """Content score plus co_weight * c / (c + CO_PRIOR) for co-read count c; best first."""
    scores = defaultdict(float, content)
    for other, count in co.items():
        scores[other] += co_weight * count / (count + CO_PRIOR)
    return sorted(scores, key=lambda pk: (-scores[pk], -pk))


def write_also_read(content: dict[int, list[tuple[int, float]]], *, meta: dict | None = None) -> int:
    """Store こんな記事も読まれています for each {pk: content neighbours}: boosted, blended with
    co-readership; returns how many lists were written. `meta`: _published_meta(), when the caller
    writes many batches (read once, not per batch)."""
    now = timezone.now()
    if meta is None:  # only the articles these lists name: a round's few lists never read the whole archive
        meta = _published_meta(now, ids={p for pk, found in content.items() for p in (pk, *(o for o, _ in found))})
    now_ts = now.timestamp()
    co_weight = settings.KIJI_AUDIENCE_CO_READ_WEIGHT
    ids = [pk for pk in content if pk in meta]
    backend = get_backend()
    for start in range(0, len(ids), WRITE_BATCH):
        chunk = ids[start : start + WRITE_BATCH]
        co = _co_reads(chunk)
        backend.write_lists(
            {
                f"also:{pk}": {
                    "ids": [
                        o
                        for o in blend(
                            _boosted(content[pk], meta[pk], meta, now_ts), co.get(pk, {}), co_weight=co_weight
                        )
                        if o != pk and o in meta
                    ][:STORED]
                }
                for pk in chunk
            }
        )
        if not isinstance(backend, RedisBackend):  # lists in the database: ~150 batches at 10x, publishing between
            pause_for_writers()
    return len(ids)


def _rebuild():
    from kiji.search import similar  # loads numpy/scipy only when used

    return similar.Rebuild(settings.KIJI_AUDIENCE_REBUILD_DIR)


def rebuild_pending() -> bool:
    """A full rebuild was interrupted here (killed, or its process stopped) and waits to continue."""
    return _rebuild().pending()


def compute_also_read(article_ids: list[int] | None = None) -> int:
    """Precompute also-read lists: all of them from a fresh model (default: continues an interrupted
    rebuild first), or the given articles' against this process's model (built if missing)."""
    from kiji.search import similar  # loads numpy/scipy: background and commands only

    model = _model.get("model")
    if article_ids is None or model is None:
        # Release the old model first: two models side by side would double the peak memory.
        model = None
        _model.pop("model")
        if article_ids is None:
            return _rebuild_all(similar)
        model = _model.set("model", similar.index_model())
    content = {}
    for pk in article_ids:
        doc = similar.document_of(pk)
        if doc is not None:
            content[pk] = model.similar_to(*doc[1:], pk=pk, limit=STORED + 10)
            # Its nearest neighbours list it at once (the others at the next full rebuild).
            content.update(model.reciprocal(pk, content[pk], limit=STORED + 10))
    return write_also_read(content)


def _rebuild_all(similar) -> int:
    """Every list, through a Rebuild (kiji.search.similar): the neighbours of all articles are
    computed and saved unit by unit before any list is written, so readers keep the previous lists
    until then; a killed rebuild continues at its next run. Returns the lists written by this run."""
    rebuild = _rebuild()
    if not rebuild.acquire():
        return 0  # another process on this machine is rebuilding into the same folder
    try:
        model = _model.set("model", rebuild.model(fit=similar.index_model))
        rebuild.neighbourhoods(model)
        meta, written = _published_meta(timezone.now()), 0
        for start in range(rebuild.written(), len(model), WRITE_BATCH):
            rows = range(start, min(start + WRITE_BATCH, len(model)))
            written += write_also_read(model.similar_rows(rows, limit=STORED + 10), meta=meta)
            rebuild.mark_written(rows.stop)
        rebuild.finish()
        return written
    finally:
        rebuild.release()


def _changed_since(since: datetime, now: datetime, limit: int = 2000) -> list[int]:
    """Published articles edited or published since `since` (at most `limit`), read from two indexes:
    the edited ones by modified_at, the published ones by (status, published_at). One query with an OR
    of both read every published article, every round."""
    edited = Article.objects.filter(modified_at__gte=since).order_by().values_list("pk", flat=True)[:limit]
    published = Article.objects.published(now)
    fresh = published.filter(published_at__gte=since).order_by().values_list("pk", flat=True)[:limit]
    return sorted({*published.filter(pk__in=list(edited)).values_list("pk", flat=True), *fresh})[:limit]


def refresh_also_read_job() -> None:
    """Scheduler job: lists of articles published or edited since the last round, at once (and of their
    nearest neighbours, which list them: similar.RECIPROCAL); all lists every
    KIJI_AUDIENCE_RELATED_REFRESH seconds (new articles then appear in every older list they belong in),
    and at once when a rebuild was interrupted here (it continues where it stopped)."""
    backend = get_backend()
    if not backend.claim("also_read", 10):
        return
    now = timezone.now()
    # The first round claims like the others: a process that starts (or restarts) inside another's
    # period builds its model only when an article changes, and never rebuilds twice back to back.
    if rebuild_pending():
        compute_also_read()
        return  # its model predates this round: the next round's changes count from the last one's
    if backend.claim("also_read_full", settings.KIJI_AUDIENCE_RELATED_REFRESH):
        compute_also_read()
    else:
        since = datetime.fromtimestamp((backend.read_list("_also_read_since") or {}).get("ts", 0), tz=UTC)
        changed = _changed_since(since, now)
        if changed:
            compute_also_read(changed)
    backend.write_lists({"_also_read_since": {"ts": now.timestamp()}})
    metrics.set_gauge("kiji_audience_snapshot_timestamp_seconds", time.time(), list="also_read")


# ---- reading (what the pages call) ------------------------------------------------------------


def _articles(ids: list[int], limit: int, *, exclude: set[int] = frozenset()) -> list[Article]:
    wanted = [pk for pk in dict.fromkeys(ids) if pk not in exclude][: limit + 10]
    if not wanted:
        return []
    # Lists show titles, not bodies: the bodies (the largest column) stay unread.
    found = Article.objects.published().filter(pk__in=wanted).select_related("category").defer("body").in_bulk()
    return [found[pk] for pk in wanted if pk in found][:limit]


def _ids(key: str) -> list[int]:
    return (get_backend().read_list(key) or {}).get("ids", [])


def ranking(category: Category | None = None, *, window: str | None = None, limit: int = 6) -> list[Article]:
    window = window if window in WINDOWS else default_window()
    return _articles(_ids(f"ranking:{window}:{category.pk if category else 'all'}"), limit)


def ranking_with_views(category: Category | None, *, window: str, limit: int = 30) -> list[tuple[Article, int]]:
    data = get_backend().read_list(f"ranking:{window}:{category.pk if category else 'all'}") or {}
    views = dict(zip(data.get("ids", []), data.get("views", []), strict=False))
    return [(a, views[a.pk]) for a in _articles(data.get("ids", []), limit)]


def trending(*, limit: int = 5) -> list[Article]:
    return _articles(_ids("trending"), limit)


def recommended(*, limit: int = 5) -> list[Article]:
    """おすすめ as the scheduler last stored it, less the picks that have ended since; reads only."""
    data = get_backend().read_list("recommended") or {}
    now = timezone.now().timestamp()
    ended = {pk for pk, until in data.get("expires", []) if until <= now}
    picks = data.get("ids", [])[: data.get("picks", 0)]
    ids = [pk for pk in picks if pk not in ended] + data.get("ids", [])[len(picks) :]
    return _articles(ids, limit)


def also_read(article: Article, *, limit: int = 8) -> list[Article]:
    """Precomputed also-read list; topped up with the category's latest articles."""
    items = _articles(_ids(f"also:{article.pk}"), limit, exclude={article.pk})
    if len(items) < limit:
        seen = {a.pk for a in items} | {article.pk}
        latest = (
            Article.objects.published()
            .filter(category_id=article.category_id)
            .exclude(pk__in=seen)
            .select_related("category")
            .defer("body")
            .latest_first()[: limit - len(items)]
        )
        items += list(latest)
    return items


# Asked on every article page: compiled once (kiji.lib.queries), not on every render.
_total_views = PreparedValue(
    lambda pk: (
        ArticleViewHour.objects.filter(article_id=pk).values("article_id").annotate(v=Sum("count")).values_list("v")
    ),
    default=0,
)


def total_views(article_id: int) -> int:
    return _total_views(article_id, router.db_for_read(ArticleViewHour))


def format_count(n: int) -> str:
    """Views as Japanese portals show them: 999, 1,234, 1.2万, 12万, 1.2億."""
    if n < 10_000:
        return f"{n:,}"
    if n < 100_000_000:
        man = n / 10_000
        return f"{math.floor(man * 10) / 10:.1f}万".replace(".0万", "万") if man < 10 else f"{int(man):,}万"
    oku = n / 100_000_000
    return f"{math.floor(oku * 10) / 10:.1f}億".replace(".0億", "億") if oku < 10 else f"{int(oku):,}億"
