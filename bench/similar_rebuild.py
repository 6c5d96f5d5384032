"""The also-read rebuild as the archive grows: time and peak memory of a full rebuild, and the cost
of one changed article, on the livedoor corpus copied `--copies` times.

    .venv/bin/python bench/similar_rebuild.py [--copies 1 2 4] [--fresh] [--dedupe] [--database-url URL]

Each size runs in a fresh process, so its peak RSS is its own. Baseline: one changed article scored
the old way (the transposed matrix rebuilt for every call, the projection copied) against the same
model, as a ratio (--no-baseline skips it). --dedupe: a copied corpus gives every word pair a df of
at least 2, so the vocabulary grows far faster than a real archive's; with it, terms are kept only
if MIN_DF articles of ONE copy hold them (a df pre-pass), so every size has the 1x vocabulary.
--database-url: read the index from that database (PostgreSQL) instead of the SQLite one.
"one changed article, CPU (wall)": the scheduler's update of one article, scored among its nearest
cluster's pool, beside main's way (against every article) in the same process; --per-article skips
the full lists (the update then computes only the units its candidates need).
CPU seconds are the process's (all threads): the machine is shared, wall times are noisy.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import audience_corpus

DB = Path(audience_corpus.DB_PATH).with_name("kiji-bench-similar.sqlite3")


KEPT = DB.with_name("kiji-bench-similar-kept.txt")


def setup(database_url: str | None) -> None:
    if not database_url:
        return audience_corpus.setup(db_path=DB)
    os.environ.update(DATABASE_URL=database_url, KIJI_AUDIENCE_REDIS_URL="", KIJI_LOG_LEVEL="ERROR")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiji.settings")
    sys.path.insert(0, str(audience_corpus.ROOT))
    import django

    django.setup()


def write_kept_terms() -> None:
    """The terms at least MIN_DF articles of the corpus (one copy) hold: --dedupe's vocabulary."""
    from collections import Counter

    from kiji.search import similar
    from kiji.search.models import SearchDocument

    df = Counter()
    for title, body in SearchDocument.objects.values_list("title", "body").iterator(chunk_size=1000):
        df.update(set(similar.words_and_pairs(title)) | set(similar.words_and_pairs(body)))
    KEPT.write_text("\n".join(term for term, n in df.items() if n >= similar.MIN_DF))


def measure_one(model, sample) -> dict:
    """One changed article, per article of `sample`: scored among the pool of its nearest cluster's
    unit ("after"), and against every article as main did ("before": unit_of() answering None, main's
    code path, one sparse row times the whole transposed matrix), each warmed up once (the units its
    candidates need, the transposed matrix), then timed twice alternately, the lower kept; then its
    RECIPROCAL neighbours' lists. CPU and wall ms per article."""
    from kiji.search import similar

    def one_pass(exact: bool) -> tuple[float, float]:
        if exact:
            model.unit_of = lambda latent: None
        try:
            cpu, wall = time.process_time(), time.perf_counter()
            for doc in sample:
                model.similar_to(*doc[1:], pk=doc[0], limit=40)
            return (time.process_time() - cpu) * 1000 / len(sample), (time.perf_counter() - wall) * 1000 / len(sample)
        finally:
            vars(model).pop("unit_of", None)

    one_pass(False), one_pass(True)  # warm-up
    after, before = [one_pass(False)], [one_pass(True)]
    after.append(one_pass(False)), before.append(one_pass(True))
    pools = [model.pool_of(model._project(model.matrix[[model.row_of(d[0])]])) for d in sample]
    scored = [len(model) if pool is None else len(pool) for pool in pools]
    found = [(d[0], model.similar_to(*d[1:], pk=d[0], limit=40)) for d in sample]
    cpu = time.process_time()
    for pk, neighbours in found:
        model.reciprocal(pk, neighbours, limit=40)
    reciprocal = (time.process_time() - cpu) * 1000 / len(sample)
    return {
        "after_cpu": min(a[0] for a in after),
        "after_wall": min(a[1] for a in after),
        "before_cpu": min(b[0] for b in before),
        "before_wall": min(b[1] for b in before),
        "scored": sum(scored) / len(scored),
        "reciprocal_cpu": reciprocal,
        "reciprocal": similar.RECIPROCAL,
    }


def measure(copies: int, *, dedupe: bool, baseline: bool, per_article: bool, database_url: str | None) -> dict:
    setup(database_url)
    import numpy as np

    from kiji.search import similar
    from kiji.search.models import SearchDocument

    rows = SearchDocument.objects.order_by("article_id").values_list("article_id", "title", "body", "parts")
    top = SearchDocument.objects.order_by("-article_id").values_list("article_id", flat=True).first()

    def docs():  # the corpus `copies` times over, each copy under new pks: the index read as it streams
        for copy in range(copies):
            for pk, title, body, parts in rows.iterator(chunk_size=1000):
                yield pk + copy * top, title, body, parts

    options = {}
    if dedupe:
        kept = set(KEPT.read_text().split("\n"))
        options["analyzer"] = lambda text: [t for t in similar.words_and_pairs(text) if t in kept]
    import similar_compare

    stages = {}  # peak RSS (MB) while each step of the fit runs
    similar._count = similar_compare._staged(stages, "counting", similar._count)
    similar._topics = similar_compare._staged(stages, "SVD", similar._topics)
    similar._project_all = similar_compare._staged(stages, "projection", similar._project_all)
    similar.RowStore.reordered = similar_compare._staged(stages, "cluster order", similar.RowStore.reordered)
    started, cpu = time.perf_counter(), time.process_time()
    model = similar.fit(docs(), **options)
    built, cpu_built = time.perf_counter(), time.process_time()
    peak_model = similar_compare.peak_mb()
    similar_compare._reset_peak()
    if not per_article:  # as the rebuild writes them (kiji.audience.lists): WRITE_BATCH lists at a time
        model._neighbourhoods()
        for start in range(0, len(model), 500):
            model.similar_rows(range(start, min(start + 500, len(model))), limit=40)
    listed, cpu_listed = time.perf_counter(), time.process_time()
    stages["lists"] = round(similar_compare._hwm_mb())  # the neighbourhoods and the lists, beside the model
    peak_lists = similar_compare.peak_mb()
    pools = [len(pool) for _, pool in model.units()]
    sample = [similar.document_of(pk) for pk in rows.values_list("article_id", flat=True)[:50]]
    one = measure_one(model, sample)
    one_ms, one_old_ms = one["after_wall"], float("nan")
    # The old way: the transposed matrix rebuilt (as CSC) for each article, and the projection held
    # as (TOPICS, columns), whose transposed view the sparse product copied on every call.
    if baseline:
        model.unit_of = lambda latent: None
        model.topics = np.asfortranarray(model.topics)
        old = time.perf_counter()
        for doc in sample[:10]:
            model._transposed = model.matrix.all().T.tocsc()
            model.similar_to(*doc[1:], pk=doc[0], limit=40)
        one_old_ms = (time.perf_counter() - old) / 10 * 1000
    return {
        "articles": len(model),
        "model_s": built - started,
        "lists_s": listed - built,
        "model_cpu": cpu_built - cpu,
        "lists_cpu": cpu_listed - cpu_built,
        "units": len(pools),
        "pool": sum(pools) / len(pools),
        "vocabulary": len(model.vocabulary),
        "one_ms": one_ms,
        "one_old_ms": one_old_ms,
        **one,
        "peak_model_mb": peak_model,
        "stages": stages,
        "peak_lists_mb": peak_lists,
        "peak_mb": similar_compare.peak_mb(),
        "nnz": int(model.matrix.nnz),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--fresh", action="store_true", help="re-import the corpus into a new database")
    parser.add_argument("--dedupe", action="store_true", help="every size keeps the 1x vocabulary (see above)")
    parser.add_argument("--no-baseline", dest="baseline", action="store_false", help="skip the old way's cost")
    parser.add_argument("--database-url", help="read the index from this database (already holding the corpus)")
    parser.add_argument(
        "--per-article", action="store_true", help="only the model and one changed article (no full lists)"
    )
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child process measuring one size
    args = parser.parse_args()
    options = {
        "dedupe": args.dedupe,
        "baseline": args.baseline,
        "per_article": args.per_article,
        "database_url": args.database_url,
    }
    if args.one:
        print(json.dumps(measure(args.one, **options)))
        return
    if args.database_url:
        setup(args.database_url)
    else:
        audience_corpus.setup(db_path=DB, fresh=args.fresh)
    if args.dedupe:
        write_kept_terms()
    flags = [f"--{name.replace('_', '-')}={value}" for name, value in options.items() if isinstance(value, str)]
    flags += ["--dedupe"] * args.dedupe + ["--no-baseline"] * (not args.baseline)
    flags += ["--per-article"] * args.per_article
    print(f"similar_rebuild: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average {os.getloadavg()}")
    first = None
    for copies in args.copies:
        out = subprocess.run([sys.executable, __file__, "--one", str(copies), *flags], capture_output=True, text=True)
        if out.returncode:
            sys.exit(out.stderr)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        first = first or r
        grow = (r["model_s"] + r["lists_s"]) / (first["model_s"] + first["lists_s"])
        lists = "not run (--per-article)" if args.per_article else f"{r['lists_s']:.1f} s"
        print(
            f"  {copies}x {r['articles']:,} articles: model {r['model_s']:.1f} s, all lists {lists} "
            f"(x{grow:.1f} for x{r['articles'] / first['articles']:.0f} articles), peak RSS {r['peak_lists_mb']:,.0f} MB; "
            f"one changed article {r['one_ms']:.1f} ms (baseline, the old way: "
            f"{r['one_old_ms']:.1f} ms, ratio {r['one_old_ms'] / r['one_ms']:.0f}x)",
            flush=True,
        )
        print(
            f"     CPU: model {r['model_cpu']:.1f} s, all lists {r['lists_cpu']:.1f} s; vocabulary {r['vocabulary']:,}, "
            f"matrix nnz {r['nnz']:,}; {r['units']} units scoring {r['pool']:,.0f} articles each on average; "
            f"load average {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        print(
            f"     peak RSS after the model {r['peak_model_mb']:,.0f} MB (counting {r['stages'].get('counting')} MB, "
            f"in the SVD {r['stages'].get('SVD')} MB, projection {r['stages'].get('projection')} MB, "
            f"cluster order {r['stages'].get('cluster order')} MB, lists {r['stages'].get('lists')} MB), "
            f"after all lists {r['peak_lists_mb']:,.0f} MB "
            f"(the whole run, one changed article measured both ways: {r['peak_mb']:,.0f} MB)",
            flush=True,
        )
        print(
            f"     one changed article, CPU (wall) per article: {r['after_cpu']:.1f} ms ({r['after_wall']:.1f} ms) "
            f"scoring {r['scored']:,.0f} articles; against all {r['articles']:,} as main did: "
            f"{r['before_cpu']:.1f} ms ({r['before_wall']:.1f} ms); its {r['reciprocal']} nearest neighbours' "
            f"lists: +{r['reciprocal_cpu']:.1f} ms CPU",
            flush=True,
        )


if __name__ == "__main__":
    main()
