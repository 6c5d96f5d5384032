"""The also-read rebuild as the archive grows: time and peak memory of a full rebuild, and the cost
of one changed article, on the livedoor corpus copied `--copies` times.

    .venv/bin/python bench/similar_rebuild.py [--copies 1 2 4] [--fresh]

Each size runs in a fresh process, so its peak RSS is its own. Baseline: one changed article scored
the old way (the transposed matrix rebuilt for every call, the projection copied) against the same
model, as a ratio.
"""

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import audience_corpus

DB = Path(audience_corpus.DB_PATH).with_name("kiji-bench-similar.sqlite3")


def measure(copies: int) -> dict:
    audience_corpus.setup(db_path=DB)
    import numpy as np

    from kiji.search import similar
    from kiji.search.models import SearchDocument

    rows = SearchDocument.objects.order_by("article_id").values_list("article_id", "title", "body", "parts")
    top = SearchDocument.objects.order_by("-article_id").values_list("article_id", flat=True).first()

    def docs():  # the corpus `copies` times over, each copy under new pks: the index read as it streams
        for copy in range(copies):
            for pk, title, body, parts in rows.iterator(chunk_size=1000):
                yield pk + copy * top, title, body, parts

    started = time.perf_counter()
    model = similar.fit(docs())
    built = time.perf_counter()
    model.similar_all(limit=40)
    listed = time.perf_counter()
    sample = [similar.document_of(pk) for pk in rows.values_list("article_id", flat=True)[:50]]
    one = time.perf_counter()
    for doc in sample:
        model.similar_to(*doc[1:], pk=doc[0], limit=40)
    one = (time.perf_counter() - one) / len(sample)
    # The old way: the transposed matrix rebuilt (as CSC) for each article, and the projection held
    # as (TOPICS, columns), whose transposed view the sparse product copied on every call.
    model.topics = np.asfortranarray(model.topics)
    old = time.perf_counter()
    for doc in sample[:10]:
        model._transposed = model.matrix.T.tocsc()
        model.similar_to(*doc[1:], pk=doc[0], limit=40)
    old = (time.perf_counter() - old) / 10
    return {
        "articles": len(model),
        "model_s": built - started,
        "lists_s": listed - built,
        "one_ms": one * 1000,
        "one_old_ms": old * 1000,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "nnz": int(model.matrix.nnz),
        "dtype": str(np.asarray(model.matrix.data).dtype),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--fresh", action="store_true", help="re-import the corpus into a new database")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child process measuring one size
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one)))
        return
    audience_corpus.setup(db_path=DB, fresh=args.fresh)
    print(f"similar_rebuild: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    first = None
    for copies in args.copies:
        out = subprocess.run([sys.executable, __file__, "--one", str(copies)], capture_output=True, text=True)
        if out.returncode:
            sys.exit(out.stderr)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        first = first or r
        grow = (r["model_s"] + r["lists_s"]) / (first["model_s"] + first["lists_s"])
        print(
            f"  {copies}x {r['articles']:,} articles: model {r['model_s']:.1f} s, all lists {r['lists_s']:.1f} s "
            f"(x{grow:.1f} for x{r['articles'] / first['articles']:.0f} articles), peak RSS {r['peak_mb']:,.0f} MB; "
            f"one changed article {r['one_ms']:.1f} ms (baseline, the old way: "
            f"{r['one_old_ms']:.1f} ms, ratio {r['one_old_ms'] / r['one_ms']:.0f}x)",
            flush=True,
        )


if __name__ == "__main__":
    main()
