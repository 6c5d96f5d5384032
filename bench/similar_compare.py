"""Are the also-read lists the same before and after a change to kiji/search/similar.py? Each run
rebuilds every list the way the scheduler does (a Rebuild into a temporary folder, then the lists in
batches of WRITE_BATCH with STORED + 10 ids), scores 50 changed articles one at a time (similar_to and
reciprocal), and dumps all of it with a hash of the model's arrays; `diff` compares two dumps.

    cd bench && ../.venv/bin/python similar_compare.py dump OUT.json [--database-url URL]
    cd bench && ../.venv/bin/python similar_compare.py diff BEFORE.json AFTER.json

For the "before" dump run the same script from a checkout of the older code (its bench/ folder: the
code imported is the one beside the script). The database is similar_rebuild.py's SQLite copy of the
livedoor corpus (1x). `dump` also prints the peak RSS of each stage of the model's fit (the peak is
reset between stages through /proc/self/clear_refs) and of the rebuild.
"""

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import similar_rebuild


def _hwm_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


_PEAK = [0.0]  # the highest VmHWM seen before a reset


def _reset_peak() -> None:
    _PEAK[0] = max(_PEAK[0], _hwm_mb())
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # resets VmHWM (and so ru_maxrss) to the current RSS


def peak_mb() -> float:
    """The process's peak RSS so far, across the resets."""
    return max(_PEAK[0], _hwm_mb())


def _staged(stages: dict, name: str, function):
    """`function`, recording the peak RSS while it runs under `name` (the last call's)."""

    def wrapper(*args, **kwargs):
        stages.setdefault(f"before {name}", round(_hwm_mb()))
        _reset_peak()
        try:
            return function(*args, **kwargs)
        finally:
            stages[name] = round(_hwm_mb())
            _reset_peak()

    return wrapper


def _digest(*arrays) -> str:
    import numpy as np

    h = hashlib.sha256()
    for a in arrays:
        if a is None:
            h.update(b"none")
        else:
            a = np.ascontiguousarray(a)
            h.update(str((a.dtype, a.shape)).encode())
            h.update(a.tobytes())
    return h.hexdigest()[:16]


def dump(out: Path, database_url: str | None) -> None:
    similar_rebuild.setup(database_url)
    from kiji.audience.lists import STORED, WRITE_BATCH
    from kiji.search import similar

    stages = {}
    similar._weigh = _staged(stages, "weigh", similar._weigh)
    similar._topics = _staged(stages, "topics (SVD)", similar._topics)
    cpu, wall = time.process_time(), time.perf_counter()
    _reset_peak()
    with tempfile.TemporaryDirectory() as folder:
        rebuild = similar.Rebuild(Path(folder) / "rebuild")

        stages_total = {}
        model = _staged(stages_total, "fit", similar.index_model)()
        model_cpu = time.process_time() - cpu
        _reset_peak()
        rebuild._save(model)
        rebuild.neighbourhoods(model)
        stages["units (neighbourhoods)"] = round(_hwm_mb())
        _reset_peak()
        lists = {}
        for start in range(0, len(model), WRITE_BATCH):
            rows = range(start, min(start + WRITE_BATCH, len(model)))
            lists.update(model.similar_rows(rows, limit=STORED + 10))
        stages["lists (batches)"] = round(_hwm_mb())
        rebuild_cpu, rebuild_wall = time.process_time() - cpu, time.perf_counter() - wall
        m = model.matrix.all() if hasattr(model.matrix, "all") else model.matrix  # a RowStore: read in row order
        digests = {
            "matrix": _digest(m.data, m.indices, m.indptr),
            "topics": _digest(model.topics),
            "latent": _digest(model.latent),
            "probes": _digest(model.probes),
            "idf": _digest(model.idf),
        }
        sample = [similar.document_of(int(pk)) for pk in model.pks[:: max(1, len(model) // 50)][:50]]
        one = {}
        for doc in sample:
            found = model.similar_to(*doc[1:], pk=doc[0], limit=STORED + 10)
            one[doc[0]] = {"found": found, "reciprocal": model.reciprocal(doc[0], found, limit=STORED + 10)}
    report = {
        "code": str(Path(similar.__file__).resolve()),
        "articles": len(lists),
        "model_cpu_s": round(model_cpu, 1),
        "rebuild_cpu_s": round(rebuild_cpu, 1),
        "rebuild_wall_s": round(rebuild_wall, 1),
        "load": os.getloadavg(),
        "peak_mb": {**stages_total, **stages},
        "digests": digests,
        "lists": {str(pk): found for pk, found in lists.items()},
        "one": {str(pk): v for pk, v in one.items()},
    }
    out.write_text(json.dumps(report))
    print(
        f"{report['code']}: {len(lists):,} lists, model {model_cpu:.1f} CPU s, rebuild {rebuild_cpu:.1f} CPU s "
        f"({rebuild_wall:.1f} s wall, load {os.getloadavg()[0]:.1f}); peak RSS by stage (MB): {report['peak_mb']}; "
        f"arrays {digests}"
    )


def diff(before: Path, after: Path) -> int:
    a, b = json.loads(before.read_text()), json.loads(after.read_text())
    problems = 0
    for name in sorted(set(a["digests"]) | set(b["digests"])):
        same = a["digests"].get(name) == b["digests"].get(name)
        print(f"  model array {name}: {'identical' if same else 'DIFFERENT'}")
    if a["lists"].keys() != b["lists"].keys():
        print(f"  DIFFERENT articles: {len(a['lists'])} before, {len(b['lists'])} after")
        problems += 1
    ids = scores = 0
    for pk in a["lists"].keys() & b["lists"].keys():
        x, y = a["lists"][pk], b["lists"][pk]
        if [p for p, _ in x] != [p for p, _ in y]:
            ids += 1
            if ids <= 5:
                print(f"  article {pk}: ids differ\n    before {x[:10]}\n    after  {y[:10]}")
        elif x != y:
            scores += 1
    common = a["lists"].keys() & b["lists"].keys()
    for top in (8, 30):  # how much of each top `top` is kept (an article page shows 8)
        kept = [
            len({p for p, _ in a["lists"][pk][:top]} & {p for p, _ in b["lists"][pk][:top]})
            / max(1, min(top, len(a["lists"][pk])))
            for pk in common
        ]
        print(f"  top {top} overlap: {sum(kept) / max(1, len(kept)):.3f} on average")
    one = sum(a["one"][pk] != b["one"].get(pk) for pk in a["one"])
    problems += ids + scores + one
    print(
        f"{len(a['lists']):,} full lists compared: {ids} with other ids or order, {scores} with the same ids but "
        f"other scores; {len(a['one'])} one-article updates (similar_to + reciprocal): {one} different"
    )
    print(f"peak RSS by stage, MB: before {a['peak_mb']}\n                       after  {b['peak_mb']}")
    print("IDENTICAL" if not problems else "NOT IDENTICAL")
    return 1 if problems else 0


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump")
    d.add_argument("out", type=Path)
    d.add_argument("--database-url")
    c = sub.add_parser("diff")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "dump":
        dump(args.out, args.database_url)
    else:
        sys.exit(diff(args.before, args.after))


if __name__ == "__main__":
    main()
