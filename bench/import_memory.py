"""Peak memory of `kiji import-ldcc` by archive size: the corpus copied N times, a fresh process each.

    .venv/bin/python bench/import_memory.py [--copies 1,2] [--code DIR] [--with-lists]

Each copy gets its own source URLs (…?copy=K), so N copies import N times the articles. Every size
runs in a fresh process on a fresh SQLite database, and prints the wall time and the peak RSS
(ru_maxrss) of the import proper; the search index and the also-read lists that follow an import
are left out unless --with-lists (they are measured by bench/similar_rebuild.py and search_bench.py).
--code DIR imports Kiji from another checkout (e.g. main before the import streamed) for a before/after.
Nothing of the corpus is kept: the copies live in a temporary folder removed at the end.
"""

import argparse
import io
import os
import resource
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = next(
    (p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if p.is_dir()), ROOT.parent / "shared"
)
CORPUS = SHARED / "corpora" / "livedoor-news-corpus.tar.gz"


def make_copies(copies: int, target: Path) -> Path:
    """A .tar.gz holding the corpus `copies` times, each copy's source URLs made unique."""
    archive = target / f"corpus-x{copies}.tar.gz"
    with tarfile.open(CORPUS, "r:gz") as source, tarfile.open(archive, "w:gz", compresslevel=1) as out:
        members = [(m, source.extractfile(m).read()) for m in source if m.isfile()]
        for copy in range(copies):
            for member, data in members:
                name = member.name
                if copy and name.endswith(".txt") and not name.endswith(("LICENSE.txt", "README.txt", "CHANGES.txt")):
                    first, _, rest = data.partition(b"\n")
                    data = first.rstrip() + f"?copy={copy}".encode() + b"\n" + rest
                    name = name[:-4] + f"-c{copy}.txt"
                elif copy:
                    continue
                info = tarfile.TarInfo(name)
                info.size = len(data)
                out.addfile(info, io.BytesIO(data))
    return archive


def child(archive: str, with_lists: bool) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if not with_lists:
        from kiji.newsroom.signals import articles_imported

        articles_imported.receivers = []
        articles_imported.sender_receivers_cache.clear()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    out = io.StringIO()
    call_command("import_ldcc", archive, "--skip-bad", stdout=out)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"{out.getvalue().strip().splitlines()[-1]} | {seconds:.1f} s | peak RSS {peak / 1024:.0f} MB "
        f"(after setup {before / 1024:.0f} MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", default="1,2")
    parser.add_argument("--code", default=str(ROOT), help="the Kiji checkout to import with")
    parser.add_argument("--with-lists", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.with_lists)
    code = Path(args.code).resolve()
    revision = subprocess.run(["git", "-C", str(code), "log", "-1", "--format=%h %s"], capture_output=True, text=True)
    print(f"code: {code} ({revision.stdout.strip()[:70]})")
    tmp = Path(tempfile.mkdtemp(prefix="kiji-bench-importmem-"))
    try:
        for copies in [int(c) for c in args.copies.split(",")]:
            archive = make_copies(copies, tmp)
            env = {
                **os.environ,
                "PYTHONPATH": str(code),
                "DATABASE_URL": f"sqlite:///{tmp / f'x{copies}.sqlite3'}",
                "KIJI_VAR_DIR": str(tmp),
                "DJANGO_SETTINGS_MODULE": "kiji.settings",
            }
            env.pop("REDIS_URL", None)
            env.pop("KIJI_AUDIENCE_REDIS_URL", None)
            command = [sys.executable, __file__, "--child", str(archive)] + (
                ["--with-lists"] if args.with_lists else []
            )
            result = subprocess.run(command, env=env, cwd=code, capture_output=True, text=True)
            print(f"{copies}x: {result.stdout.strip() or result.stderr.strip()[-500:]}")
            archive.unlink()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
