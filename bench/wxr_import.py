"""Import a generated WordPress export of N posts (text from the livedoor corpus) and time it.

    .venv/bin/python bench/wxr_import.py [N] [PATH-TO-CORPUS.tar.gz]

Writes the export to a temporary folder (the corpus text never lands in the repository), imports it into
a fresh temporary SQLite database with `kiji import-wxr` (images excluded), and prints posts per second,
the seconds of an immediate re-run (which must add nothing) and the process's peak memory.
"""

import os
import resource
import shutil
import sys
import tempfile
import time
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# ../shared/corpora beside the checkout, or beside the folder of worktrees holding it
DEFAULT_CORPUS = next(
    (
        p / "shared" / "corpora" / "livedoor-news-corpus.tar.gz"
        for p in ROOT.parents
        if (p / "shared" / "corpora").is_dir()
    ),
    ROOT.parent / "shared" / "corpora" / "livedoor-news-corpus.tar.gz",
)
HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>bench</title><link>https://bench.example.jp</link><wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>https://bench.example.jp</wp:base_site_url><wp:base_blog_url>https://bench.example.jp</wp:base_blog_url>
<wp:author><wp:author_login>desk</wp:author_login><wp:author_display_name>編集部</wp:author_display_name></wp:author>
"""


def write_export(corpus: Path, count: int, path: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from kiji.newsroom.services.importing import parse_article, read_corpus

    files, _ = read_corpus(corpus)
    with path.open("w", encoding="utf-8") as out:
        out.write(HEAD)
        channels = sorted({f.channel for f in files})
        for slug in channels:
            out.write(
                f"<wp:category><wp:category_nicename>{slug}</wp:category_nicename>"
                f"<wp:cat_name>{slug}</wp:cat_name></wp:category>\n"
            )
        for n in range(count):
            article = parse_article(files[n % len(files)])
            when = article.published_at.strftime("%Y-%m-%d %H:%M:%S")
            body = article.body_text.replace("]]>", "]]]]><![CDATA[>")
            out.write(
                f"<item><title>{escape(article.headline)}</title>"
                f"<link>https://bench.example.jp/archives/{n + 1}</link><dc:creator>desk</dc:creator>"
                f"<content:encoded><![CDATA[{body}]]></content:encoded><excerpt:encoded></excerpt:encoded>"
                f"<wp:post_id>{n + 1}</wp:post_id><wp:post_date_gmt>{when}</wp:post_date_gmt>"
                f"<wp:post_name>post-{n + 1}</wp:post_name><wp:status>publish</wp:status>"
                f"<wp:post_type>post</wp:post_type>"
                f'<category domain="category" nicename="{article.channel}">{article.channel}</category></item>\n'
            )
        out.write("</channel></rss>\n")


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    corpus = Path(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_CORPUS
    tmp = Path(tempfile.mkdtemp(prefix="kiji-bench-wxr-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["KIJI_VAR_DIR"] = str(tmp)
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiji.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from io import StringIO

    from django.core.management import call_command

    try:
        call_command("migrate", verbosity=0)
        export = tmp / "export.xml"
        write_export(corpus, count, export)
        size = export.stat().st_size
        from kiji.wxr.importing import import_wxr

        marks = {}
        start = time.perf_counter()
        import_wxr(path=export, on_committed=lambda n: marks.setdefault("committed", time.perf_counter()))
        end = time.perf_counter()
        first = marks["committed"] - start  # the import proper, committed; then search, lists and cache hear of it
        listeners = end - marks["committed"]
        start = time.perf_counter()
        call_command("import_wxr", str(export), stdout=StringIO())
        again = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"wxr_import: {count:,} posts, export {size / 1e6:.1f} MB, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
        )
        print(f"  first import, committed: {first:.1f} s ({count / first:,.0f} posts/s)")
        print(f"  then its listeners (search index, also-read lists, page cache): {listeners:.1f} s")
        print(f"  re-run (adds nothing): {again:.1f} s")
        print(f"  peak memory of the process: {peak:.0f} MB; load average {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
