"""Import the whole livedoor corpus into a fresh temporary SQLite database and time it.

    .venv/bin/python bench/import_ldcc.py [PATH-TO-CORPUS.tar.gz]

Prints the seconds and articles/s of the import as `kiji import-ldcc` runs it (listeners of
articles_imported included, and also shown apart), the time of an immediate re-run (which must add 0), and a baseline
measured in the same run: the same articles saved one by one with Article.save() in one transaction.
"""

import os
import shutil
import sys
import tempfile
import time
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
    baseline_rate = measure_baseline(corpus)
    listeners = time_listeners()

    from kiji.newsroom.models import Article
    from kiji.newsroom.services.importing import import_ldcc

    start = time.perf_counter()
    report = import_ldcc(path=corpus)
    seconds = time.perf_counter() - start
    assert report.created == Article.objects.count(), "every created article is in the database"
    rate = report.created / seconds

    start = time.perf_counter()
    again = import_ldcc(path=corpus)
    rerun = time.perf_counter() - start

    own = seconds - listeners["seconds"]
    print(f"corpus: {corpus}")
    print(f"database: SQLite (fresh, {tmp})")
    print(f"kiji import-ldcc total: {report.created} articles in {seconds:.2f} s = {rate:.0f} articles/s")
    print(f"  import proper (read, parse, sanitize, insert, commit): {own:.2f} s = {report.created / own:.0f} articles/s")
    print(f"  articles_imported listeners ({listeners['receivers']} receiver(s): search, audience, cache): "
          f"{listeners['seconds']:.2f} s")
    print(f"re-run: added {again.created}, already there {again.already_there}, in {rerun:.2f} s")
    print(f"baseline (one Article.save() per article, {BASELINE_FILES} files, one transaction): "
          f"{baseline_rate:.0f} articles/s; the import proper is {report.created / own / baseline_rate:.1f}x faster")


def measure_baseline(corpus: Path) -> float:
    """Articles/s when each article is saved on its own: the obvious way, rolled back afterwards."""
    from django.db import transaction

    from kiji.newsroom.models import Article, Category
    from kiji.newsroom.services.importing import credit_line, parse_article, read_corpus
    from kiji.lib.html import plain_text_to_html

    files, licences = read_corpus(corpus)
    files = files[:BASELINE_FILES]
    with transaction.atomic():
        start = time.perf_counter()
        categories = {}
        for file in files:
            parsed = parse_article(file)
            if parsed.channel not in categories:
                categories[parsed.channel] = Category.objects.create(name=parsed.channel, slug=parsed.channel)
            Article(headline=parsed.headline, body=plain_text_to_html(parsed.body_text),
                    category=categories[parsed.channel], status=Article.Status.PUBLISHED,
                    published_at=parsed.published_at, source_url=parsed.source_url,
                    source_credit=credit_line(parsed.channel, licences.get(parsed.channel))).save()
        seconds = time.perf_counter() - start
        transaction.set_rollback(True)
    return len(files) / seconds


def time_listeners() -> dict:
    """Wrap articles_imported.send to learn how long the listeners (search, audience) take."""
    from kiji.newsroom import signals

    measured = {"seconds": 0.0, "receivers": len(signals.articles_imported.receivers)}
    send = signals.articles_imported.send

    def timed_send(*args, **kwargs):
        start = time.perf_counter()
        try:
            return send(*args, **kwargs)
        finally:
            measured["seconds"] += time.perf_counter() - start

    signals.articles_imported.send = timed_send
    return measured


if __name__ == "__main__":
    main()
