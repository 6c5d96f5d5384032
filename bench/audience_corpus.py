"""Shared set-up for the audience benchmarks: Django on a temporary SQLite database holding the
livedoor corpus, imported once with `kiji import-ldcc` and reused by later runs (--fresh rebuilds).

The corpus is read from ../shared/corpora (CC BY-ND 2.1 JP, credit per channel); nothing of it
is written into the repository.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# ../shared beside the checkout, or ../../shared for a worktree under /work/wt/NAME
CORPUS = next(
    (p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if p.is_dir()), ROOT.parent / "shared"
) / ("corpora/livedoor-news-corpus.tar.gz")
DB_PATH = Path(tempfile.gettempdir()) / "kiji-bench-audience.sqlite3"


def setup(*, redis_url: str = "", fresh: bool = False, db_path: Path = DB_PATH) -> None:
    """Configure Django for a benchmark run and make sure the corpus is in the database."""
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ["KIJI_AUDIENCE_REDIS_URL"] = redis_url
    os.environ["KIJI_AUDIENCE_FLUSH_THREAD"] = "false"
    os.environ.setdefault("KIJI_LOG_LEVEL", "ERROR")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiji.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from kiji.newsroom.models import Article

    call_command("migrate", verbosity=0)
    if not Article.objects.exists():
        started = time.perf_counter()
        print(f"importing {CORPUS.name} into {db_path} with `kiji import-ldcc` ...", flush=True)
        call_command("import_ldcc", str(CORPUS), "--skip-bad", stdout=open(os.devnull, "w"))
        print(f"  imported {Article.objects.count()} articles in {time.perf_counter() - started:.0f} s", flush=True)
