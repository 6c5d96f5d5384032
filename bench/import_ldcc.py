"""Import the whole livedoor corpus into a fresh temporary SQLite database and time it.

    .venv/bin/python bench/import_ldcc.py [PATH-TO-CORPUS.tar.gz]

Prints the seconds of the whole `kiji import-ldcc` command (run as the command, stdout kept) and of
each phase: the import proper (read, parse, sanitize, insert, commit), the search index (the one
Sudachi pass) and the also-read lists (similarity model + all lists), each articles_imported
receiver timed apart; then the time of an immediate re-run (which must add 0), the load average,
and a baseline measured in the same run: the same articles saved one by one with Article.save().
"""

import os
import shutil
import sys
import tempfile
import time
import weakref
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "livedoor-news-corpus.tar.gz"
BASELINE_FILES = 1000


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CORPUS
    if not corpus.exists():
        sys.exit(f"corpus not found: {corpus}")
    tmp = Path(tempfile.mkdtemp(prefix="kiji-bench-import-"))
    # A fresh database and media folder; a local cache, so no shared Redis is touched.
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["KIJI_VAR_DIR"] = str(tmp)
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiji.settings")
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    try:
        run(corpus, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(corpus: Path, tmp: Path) -> None:
    from io import StringIO

    from django.core.management import call_command

    from kiji.newsroom.models import Article

    baseline_rate = measure_baseline(corpus)
    phases = time_receivers()
    load = os.getloadavg()

    start = time.perf_counter()
    call_command("import_ldcc", str(corpus), stdout=StringIO(), stderr=StringIO())
    seconds = time.perf_counter() - start
    created = Article.objects.count()

    start = time.perf_counter()
    out = StringIO()
    call_command("import_ldcc", str(corpus), stdout=out, stderr=StringIO())
    rerun = time.perf_counter() - start

    own = seconds - sum(phases.values())
    print(f"corpus: {corpus}")
    print(f"database: SQLite (fresh, {tmp}); load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(
        f"kiji import-ldcc, whole command: {created} articles in {seconds:.2f} s = {created / seconds:.0f} "
        f"articles/s (target < 60 s: {'met' if seconds < 60 else 'NOT met'})"
    )
    print(f"  import proper (read, parse, sanitize, insert, commit): {own:.2f} s = {created / own:.0f} articles/s")
    for name, spent in phases.items():
        print(f"  {name}: {spent:.2f} s")
    print(f"re-run: {out.getvalue().strip().splitlines()[-1]} ({rerun:.2f} s)")
    print(
        f"baseline (one Article.save() per article, {BASELINE_FILES} files, one transaction): "
        f"{baseline_rate:.0f} articles/s; the import proper is {created / own / baseline_rate:.1f}x faster"
    )


def measure_baseline(corpus: Path) -> float:
    """Articles/s when each article is saved on its own: the obvious way, rolled back afterwards."""
    from django.db import transaction

    from kiji.lib.html import plain_text_to_html
    from kiji.newsroom.models import Article, Category
    from kiji.newsroom.services.importing import credit_line, parse_article, read_corpus

    files, licences = read_corpus(corpus)
    files = files[:BASELINE_FILES]
    with transaction.atomic():
        start = time.perf_counter()
        categories = {}
        for file in files:
            parsed = parse_article(file)
            if parsed.channel not in categories:
                categories[parsed.channel] = Category.objects.create(name=parsed.channel, slug=parsed.channel)
            Article(
                headline=parsed.headline,
                body=plain_text_to_html(parsed.body_text),
                category=categories[parsed.channel],
                status=Article.Status.PUBLISHED,
                published_at=parsed.published_at,
                source_url=parsed.source_url,
                source_credit=credit_line(parsed.channel, licences.get(parsed.channel)),
            ).save()
        seconds = time.perf_counter() - start
        transaction.set_rollback(True)
    return len(files) / seconds


def time_receivers() -> dict[str, float]:
    """Wrap each articles_imported receiver to learn how long each phase after the import takes."""
    from kiji.newsroom import signals

    names = {"search": "search index (Sudachi, once)", "audience": "also-read lists (similarity, all articles)"}
    measured: dict[str, float] = {}
    wrapped = []
    for key, ref, is_async in signals.articles_imported.receivers:
        func = ref() if isinstance(ref, weakref.ReferenceType) else ref
        app = func.__module__.split(".")[1]
        label = names.get(app, func.__module__)
        measured[label] = 0.0

        def timed(*args, _func=func, _label=label, **kwargs):
            start = time.perf_counter()
            try:
                return _func(*args, **kwargs)
            finally:
                measured[_label] += time.perf_counter() - start

        wrapped.append((key, timed, is_async))
    signals.articles_imported.receivers = wrapped
    signals.articles_imported.sender_receivers_cache.clear()
    return measured


if __name__ == "__main__":
    main()
