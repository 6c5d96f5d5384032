"""Search latency and quality on the livedoor corpus, and on a 10x copy (73k articles).

    .venv/bin/python bench/search_bench.py [--postgres] [--no-append]
    DATABASE_URL=... .venv/bin/python bench/search_bench.py --reuse [--no-append]

Loads the corpus into a fresh temporary database (SQLite by default; --postgres uses a fresh
database KIJI_BENCH_PG_DB, kiji_search_bench by default, on 127.0.0.1:5432) with the importer of `kiji import-ldcc`, whose
articles_imported signal builds the index; then times `kiji reindex` (the same work, from scratch).
Runs 50 two-word Japanese queries chosen from the corpus channels' topics and prints:
- latency p50/p95 of the index query (ranked ids + total, what the backend does) and of a whole
  results page's data (query + articles + highlighted snippets), against a plain LIKE substring
  search on the same queries (the baseline, measured in the same run);
- the same after copying every article and index row 9 times with new ids (10x);
- precision@10 of both, judged two ways (printed with the figures):
  channel: a result is relevant when its livedoor channel is one the query is about (the channel
  label is the ground truth of the corpus); P@10 = relevant results in the top 10 / 10.
  terms: a result is relevant when both query words occur in its headline or body after Sudachi
  normalization (付属=附属, スマホ variants ...); P@10 = such results in the top 10 / 10.
Appends the figures to bench/RESULTS.md under "## Search" unless --no-append.

--reuse: DATABASE_URL already holds a copy made by bench/search_build.py (10x, or --copies N): only its latency is
measured, the same 50 queries the same way, with the CPU time beside the wall time (on PostgreSQL
the server process's too: cpu_clock), as the wall time waits for the shared cores. --no-baseline
leaves out the LIKE search run after each search (3-5 s each at 10x on PostgreSQL: it reads every
article row, and pushes the index out of PostgreSQL's shared buffers before the next search).
"""

import argparse
import datetime
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpora" / "livedoor-news-corpus.tar.gz"
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
PG_BENCH_DB = os.environ.get("KIJI_BENCH_PG_DB", "kiji_search_bench")
COPIES = 10
ID_STRIDE = 1_000_000  # copy k of article n gets id n + k * ID_STRIDE

# (query, the channels it is about)
QUERIES = [
    ("韓国 批判", {"topic-news"}),
    ("ネット 炎上", {"topic-news"}),
    ("芸能人 ブログ", {"topic-news", "movie-enter"}),
    ("中国 反日", {"topic-news"}),
    ("テレビ 番組", {"topic-news", "movie-enter", "sports-watch"}),
    ("橋下 市長", {"topic-news"}),
    ("サッカー 日本代表", {"sports-watch"}),
    ("プロ野球 巨人", {"sports-watch"}),
    ("本田 移籍", {"sports-watch"}),
    ("ダルビッシュ 登板", {"sports-watch"}),
    ("香川 ドルトムント", {"sports-watch"}),
    ("なでしこ 五輪", {"sports-watch"}),
    ("ウイルス 対策", {"it-life-hack", "smax"}),
    ("クラウド サービス", {"it-life-hack", "smax", "kaden-channel"}),
    ("パソコン 便利", {"it-life-hack", "kaden-channel"}),
    ("無料 アプリ", {"it-life-hack", "smax"}),
    ("USB メモリ", {"it-life-hack", "kaden-channel"}),
    ("セキュリティ ソフト", {"it-life-hack", "smax"}),
    ("掃除機 ロボット", {"kaden-channel"}),
    ("テレビ 録画", {"kaden-channel", "it-life-hack"}),
    ("デジカメ 撮影", {"kaden-channel", "it-life-hack"}),
    ("節電 エアコン", {"kaden-channel"}),
    ("家電 量販店", {"kaden-channel"}),
    ("電子書籍 端末", {"kaden-channel", "it-life-hack", "smax"}),
    ("映画 公開", {"movie-enter"}),
    ("監督 作品", {"movie-enter"}),
    ("ハリウッド 女優", {"movie-enter"}),
    ("アニメ 劇場版", {"movie-enter"}),
    ("興行 収入", {"movie-enter"}),
    ("試写会 舞台挨拶", {"movie-enter"}),
    ("結婚 女性", {"dokujo-tsushin", "peachy"}),
    ("独身 アラフォー", {"dokujo-tsushin"}),
    ("婚活 パーティー", {"dokujo-tsushin", "peachy"}),
    ("彼氏 恋愛", {"dokujo-tsushin", "peachy"}),
    ("職場 同僚", {"dokujo-tsushin", "livedoor-homme"}),
    ("母親 娘", {"dokujo-tsushin"}),
    ("Android スマートフォン", {"smax", "it-life-hack", "kaden-channel"}),
    ("ドコモ 新機種", {"smax"}),
    ("au 発表", {"smax"}),
    ("ソフトバンク iPhone", {"smax", "it-life-hack"}),
    ("Galaxy 発売", {"smax"}),
    ("アップデート 提供", {"smax", "it-life-hack"}),
    ("ビジネスマン 仕事", {"livedoor-homme"}),
    ("年収 転職", {"livedoor-homme"}),
    ("ファッション 男性", {"livedoor-homme", "peachy"}),
    ("時計 ブランド", {"livedoor-homme"}),
    ("ダイエット 美容", {"peachy", "dokujo-tsushin"}),
    ("コスメ 新作", {"peachy"}),
    ("レシピ 料理", {"peachy"}),
    ("肌 ケア", {"peachy"}),
]
assert len(QUERIES) == 50


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--no-append", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="DATABASE_URL holds the 10x copy: measure it only")
    parser.add_argument("--no-baseline", action="store_true", help="with --reuse: no LIKE search between searches")
    args = parser.parse_args()
    if args.reuse:
        return reuse(append=not args.no_append, baseline=not args.no_baseline)
    if not CORPUS.exists():
        sys.exit(f"corpus not found: {CORPUS}")
    tmp = Path(tempfile.mkdtemp(prefix="kiji-bench-search-"))
    os.environ["DATABASE_URL"] = _fresh_postgres() if args.postgres else f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["KIJI_VAR_DIR"] = str(tmp)
    os.environ.pop("REDIS_URL", None)  # a local cache: no shared Redis is touched
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiji.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    try:
        lines = run()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if not args.no_append:
        _append(lines, "--postgres" if args.postgres else "")


def reuse(*, append: bool, baseline: bool) -> None:
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiji.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    from kiji.newsroom.models import Article

    lines = _Lines()
    lines.append(f"database: {connection.vendor} (reused); load average at start {os.getloadavg()[0]:.1f}")
    lines += measure(f"reused database ({Article.objects.count()} articles)", quality=False, baseline=baseline)
    lines.append(f"load average at end {os.getloadavg()[0]:.1f}")
    if append:
        _append(lines, "--reuse")


def _fresh_postgres() -> str:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_BENCH_DB}")
        conn.execute(f"CREATE DATABASE {PG_BENCH_DB}")
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + PG_BENCH_DB


class _Lines(list):
    """The figures, printed as soon as they are known."""

    def append(self, line: str) -> None:
        print(line, flush=True)
        super().append(line)

    def __iadd__(self, lines):
        for line in lines:
            self.append(line)
        return self


def run() -> list[str]:
    from django.db import connection

    from kiji.newsroom.models import Article
    from kiji.search.models import SearchDocument
    from kiji.search.services import reindex_all

    lines = _Lines()
    lines.append(
        f"database: {connection.vendor}; load average at start {os.getloadavg()[0]:.1f} "
        f"(2 cores shared with other work: latencies are upper bounds)"
    )
    start = time.perf_counter()
    created = load_corpus()
    load_seconds = time.perf_counter() - start
    indexed = SearchDocument.objects.count()
    lines.append(f"import + index (articles_imported): {created} articles in {load_seconds:.1f} s; {indexed} indexed")
    start = time.perf_counter()
    reindexed = reindex_all()
    lines.append(f"kiji reindex from scratch: {reindexed} articles in {time.perf_counter() - start:.1f} s")
    _analyze()
    lines += measure(f"1x ({Article.objects.count()} articles)")
    start = time.perf_counter()
    copy_corpus()
    _analyze()
    lines.append(
        f"10x copy made in {time.perf_counter() - start:.1f} s "
        f"({Article.objects.count()} articles, {SearchDocument.objects.count()} indexed)"
    )
    lines += measure(f"10x ({Article.objects.count()} articles)", quality=False)
    lines.append(f"load average at end {os.getloadavg()[0]:.1f}")
    return lines


def load_corpus() -> int:
    """The importer of `kiji import-ldcc` (its articles_imported signal indexes); a minimal loader if absent."""
    try:
        from kiji.newsroom.services.importing import import_ldcc
    except ImportError:
        return _minimal_load()
    return import_ldcc(path=CORPUS).created


def _minimal_load() -> int:
    import tarfile

    from django.db import transaction

    from kiji.lib.html import plain_text_to_html
    from kiji.newsroom.models import Article, Category
    from kiji.newsroom.signals import articles_imported

    articles, categories = [], {}
    with tarfile.open(CORPUS) as tar:
        for member in tar:
            parts = member.name.split("/")
            if not member.isfile() or len(parts) != 3 or not parts[2].startswith(parts[1] + "-"):
                continue
            channel = parts[1]
            if channel not in categories:
                categories[channel] = Category.objects.create(name=channel, slug=channel, position=len(categories))
            url, when, title, *body = tar.extractfile(member).read().decode().split("\n")
            articles.append(
                Article(
                    headline=title[:200],
                    body=plain_text_to_html("\n".join(body)),
                    category=categories[channel],
                    status=Article.Status.PUBLISHED,
                    published_at=datetime.datetime.fromisoformat(when),
                    source_url=url,
                )
            )
    with transaction.atomic():
        ids = [a.pk for a in Article.objects.bulk_create(articles, batch_size=500)]
    articles_imported.send(sender=Article, article_ids=ids)
    return len(ids)


def copy_corpus(first: int = 1, until: float | None = None) -> int:
    """More copies of every article and index row (COPIES in all), with new ids: the index rows are copied, not
    re-tokenized. One transaction a copy: in one transaction for all, SQLite's WAL held every page until the
    end (7 GB after 40 minutes of a 100x copy) and each page read searched it: each copy slower than the last.
    Starts at copy `first`, stops before `until` (a perf_counter time) if given; returns the copies held."""
    from django.db import connection, transaction

    from kiji.newsroom.models import Article
    from kiji.search.models import SearchDocument

    cols = ", ".join(f.column for f in Article._meta.concrete_fields if f.column not in ("id", "source_url"))
    doc_cols = ", ".join(f.column for f in SearchDocument._meta.concrete_fields if f.column != "article_id")
    for k in range(first, COPIES):
        if until is not None and time.perf_counter() > until:
            return k
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO newsroom_article (id, source_url, {cols}) "
                f"SELECT id + %s, '', {cols} FROM newsroom_article WHERE id < %s",
                [k * ID_STRIDE, ID_STRIDE],
            )
            cursor.execute(
                f"INSERT INTO search_searchdocument (article_id, {doc_cols}) "
                f"SELECT article_id + %s, {doc_cols} FROM search_searchdocument WHERE article_id < %s",
                [k * ID_STRIDE, ID_STRIDE],
            )
    return COPIES


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        if connection.vendor == "sqlite":
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")


def measure(label: str, *, quality: bool = True, baseline: bool = True) -> list[str]:
    from django.utils import timezone

    from kiji.search import results
    from kiji.search.backends import Filters, backend
    from kiji.search.expand import plan
    from kiji.search.query import parse_query
    from kiji.search.results import search_articles

    results.RESULT_SECONDS = 0  # every query runs: the figures are of uncached searches
    now, engine = timezone.now(), backend()
    ours, ours_cpu, full, like, ours_ids, like_ids = [], [], [], [], {}, {}
    for text, _ in QUERIES:  # warm-up: tokenizer, caches, prepared statements
        engine.search(plan(parse_query(text)), Filters(), now=now, limit=10, offset=0)
    for text, _ in QUERIES:
        start, cpu = time.perf_counter(), cpu_clock()
        ids, total = engine.search(plan(parse_query(text)), Filters(), now=now, limit=10, offset=0)[:2]
        ours.append(time.perf_counter() - start)
        ours_cpu.append(cpu_clock() - cpu)
        ours_ids[text] = ids
        start = time.perf_counter()
        search_articles(parse_query(text), now=now)
        full.append(time.perf_counter() - start)
        if baseline:
            start = time.perf_counter()
            like_ids[text] = like_search(text)
            like.append(time.perf_counter() - start)
    lines = [
        f"-- {label}, 50 two-word queries, ms --",
        _latency("search index query (parse + ranked top 10 + total)", ours),
        _latency("  its CPU (this process + its PostgreSQL server process)", ours_cpu),
        _latency("results page data (+ articles, highlighted snippets)", full),
    ]
    if baseline:
        lines += [
            _latency("baseline: LIKE substring search (top 10, newest first)", like),
            f"p95 ratio LIKE / search: {_pct(like, 95) / _pct(ours, 95):.1f}x",
        ]
    if quality:
        lines += precision(ours_ids, like_ids)
    return lines


def like_search(text: str) -> list[int]:
    """The plain way: every word as a substring of headline or body, newest first."""
    from django.db.models import Q

    from kiji.newsroom.models import Article

    q = Q()
    for word in text.split():
        q &= Q(headline__icontains=word) | Q(body__icontains=word)
    return list(
        Article.objects.published().filter(q).order_by("-published_at", "-pk").values_list("pk", flat=True)[:10]
    )


def precision(ours: dict, like: dict) -> list[str]:
    from django.utils.html import strip_tags

    from kiji.newsroom.models import Article
    from kiji.search.tokenize import tokens

    ids = {pk for found in (*ours.values(), *like.values()) for pk in found}
    articles = {a.pk: a for a in Article.objects.filter(pk__in=ids).select_related("category")}
    words = {a.pk: set(tokens(a.headline + "\n" + strip_tags(a.body))) for a in articles.values()}
    scores = {"ours": {"channel": [], "terms": [], "found": []}, "like": {"channel": [], "terms": [], "found": []}}
    for text, channels in QUERIES:
        wanted = [set(tokens(word)) for word in text.split()]
        for name, found in (("ours", ours[text]), ("like", like[text])):
            top = found[:10]
            scores[name]["channel"].append(sum(articles[pk].category.slug in channels for pk in top) / 10)
            scores[name]["terms"].append(sum(all(w <= words[pk] for w in wanted) for pk in top) / 10)
            scores[name]["found"].append(len(top))
    lines = ["-- quality: precision@10 (mean over 50 queries; empty slots count as misses) --"]
    for method, meaning in (
        ("channel", "result's livedoor channel is one the query is about"),
        ("terms", "both query words occur after Sudachi normalization"),
    ):
        lines.append(
            f"P@10 by {method} ({meaning}): search {statistics.mean(scores['ours'][method]):.3f}, "
            f"LIKE {statistics.mean(scores['like'][method]):.3f}"
        )
    lines.append(
        f"results returned (of 10): search {statistics.mean(scores['ours']['found']):.1f}, "
        f"LIKE {statistics.mean(scores['like']['found']):.1f}; queries with no result: "
        f"search {scores['ours']['found'].count(0)}, LIKE {scores['like']['found'].count(0)}"
    )
    return lines


def cpu_clock() -> float:
    """CPU seconds of this process and, on PostgreSQL (a server on this machine), of its server
    process: what a search costs however busy the shared cores are (the wall clock waits for them)."""
    from django.db import connection

    spent = time.process_time()
    if connection.vendor == "postgresql":
        if getattr(connection, "_bench_backend_pid", None) is None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                connection._bench_backend_pid = cursor.fetchone()[0]
        with open(f"/proc/{connection._bench_backend_pid}/schedstat") as stat:  # ns on a CPU, first field
            spent += int(stat.read().split()[0]) / 1e9
    return spent


def _pct(values: list[float], p: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


def _latency(name: str, values: list[float]) -> str:
    return f"{name}: p50 {_pct(values, 50):.1f}  p95 {_pct(values, 95):.1f}  max {max(values) * 1000:.1f}"


def _append(lines: list[str], flags: str) -> None:
    path = ROOT / "bench" / "RESULTS.md"
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    command = f".venv/bin/python bench/search_bench.py {flags}".rstrip()
    entry = f"\n### {datetime.date.today().isoformat()}: `{command}`\n\n```\n" + "\n".join(lines) + "\n```\n"
    if "\n## Search\n" not in text:
        text = text.rstrip("\n") + "\n\n## Search\n"
    head, _, tail = text.partition("\n## Search\n")
    nxt = tail.find("\n## ")
    section, rest = (tail, "") if nxt < 0 else (tail[:nxt], tail[nxt:])
    path.write_text(head + "\n## Search\n" + section.rstrip("\n") + "\n" + entry + rest)


if __name__ == "__main__":
    main()
