"""Import a generated WordPress export of N posts (text from the livedoor corpus) and time it.

    .venv/bin/python bench/wxr_import.py [N] [PATH-TO-CORPUS.tar.gz] [--import-only] [--profile]
        [--export FILE] [--code CHECKOUT]

Writes the export (N posts, default 100,000; every tenth with a comment and a reply) to a temporary folder
(the corpus text never lands in the repository), imports it into a fresh temporary SQLite database
(images excluded), and prints posts per second, the time its listeners take after the commit, the
seconds of an immediate re-run (which must add nothing) and the import process's memory as it goes.
The CPU time (user + sys) of the import is printed too: on a shared machine it is the figure to compare.
--export FILE keeps the generated export (or reuses it when there), --code imports with another checkout's
kiji (e.g. /work/main), so before and after can be run one after the other on the same export.
"""

import argparse
import cProfile
import os
import pstats
import resource
import shutil
import subprocess
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

# Every tenth post: a comment and a reply to it (threads, kept one level deep).
THREAD = (
    "<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_author>読者A</wp:comment_author>"
    "<wp:comment_date_gmt>{when}</wp:comment_date_gmt><wp:comment_content>なるほど。</wp:comment_content>"
    "<wp:comment_approved>1</wp:comment_approved><wp:comment_parent>0</wp:comment_parent></wp:comment>"
    "<wp:comment><wp:comment_id>2</wp:comment_id><wp:comment_author>読者B</wp:comment_author>"
    "<wp:comment_date_gmt>{when}</wp:comment_date_gmt><wp:comment_content>同感です。</wp:comment_content>"
    "<wp:comment_approved>1</wp:comment_approved><wp:comment_parent>1</wp:comment_parent></wp:comment>"
)


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
                f'<category domain="category" nicename="{article.channel}">{article.channel}</category>'
                f"{THREAD.format(when=when) if n % 10 == 0 else ''}</item>\n"
            )
        out.write("</channel></rss>\n")


def rss_mb() -> float:
    """The process's resident memory now (Linux), to show it stays flat as the import goes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def kiji_root() -> str:
    import kiji

    return str(Path(kiji.__file__).resolve().parent.parent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", nargs="?", type=int, default=100_000, help="posts in the generated export")
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument(
        "--import-only",
        action="store_true",
        help="leave out what listens after the commit (search index, also-read model): at 100,000 posts those "
        "take far longer than the import and their memory is the model's, not the import's",
    )
    parser.add_argument(
        "--profile", action="store_true", help="the first import under cProfile: the 25 costliest functions (own time)"
    )
    parser.add_argument("--export", type=Path, help="keep the generated export here, or reuse it if it exists")
    parser.add_argument("--code", type=Path, help="import with the kiji package of this checkout (a before/after)")
    parser.add_argument("--write", type=Path, help=argparse.SUPPRESS)  # the child process that writes the export
    args = parser.parse_args()
    if args.write:
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiji.settings")
        django.setup()  # the corpus reader is the newsroom's
        write_export(args.corpus, args.count, args.write)
        return
    tmp = Path(tempfile.mkdtemp(prefix="kiji-bench-wxr-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["KIJI_VAR_DIR"] = str(tmp)
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiji.settings")
    sys.path.insert(0, str(args.code.resolve() if args.code else ROOT))
    try:
        export = args.export or tmp / "export.xml"
        # Written by a child process, so this one's peak memory is the import's, not the corpus's.
        started = time.perf_counter()
        if not export.exists():
            subprocess.run(
                [sys.executable, __file__, str(args.count), str(args.corpus), "--write", str(export)], check=True
            )
        written = time.perf_counter() - started
        run(args, tmp, export, written)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(args: argparse.Namespace, tmp: Path, export: Path, written: float) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from kiji.newsroom.signals import articles_imported
    from kiji.wxr.importing import import_wxr

    call_command("migrate", verbosity=0)
    if args.import_only:
        articles_imported.receivers = []
    count, size = args.count, export.stat().st_size
    before = rss_mb()
    samples, seen = [], [0]

    def progress(n: int) -> None:
        seen[0] += n
        if seen[0] % max(count // 5, 1) == 0:
            samples.append(f"{seen[0]:,}: {rss_mb():.0f} MB")

    marks = {}

    def committed(n: int) -> None:
        marks["committed"] = time.perf_counter()
        marks["cpu"] = cpu_seconds()

    profile = cProfile.Profile(time.process_time) if args.profile else None  # CPU time: the machine may be shared
    start, cpu = time.perf_counter(), cpu_seconds()
    if profile:
        profile.enable()
    report = import_wxr(path=export, progress=progress, on_committed=committed)
    if profile:
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)
    end = time.perf_counter()
    first = marks["committed"] - start  # the import proper, committed; then search, lists and cache hear of it
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    again = import_wxr(path=export)
    rerun = time.perf_counter() - start
    assert again.unchanged[("article", "published")] == count and not again.created, "the re-run must add nothing"
    print(
        f"wxr_import: {count:,} posts, export {size / 1e6:.1f} MB (written in {written:.0f} s), {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    )
    print(f"  first import, committed: {first:.1f} s ({count / first:,.0f} posts/s); {report.redirects:,} redirects")
    cpu = marks["cpu"] - cpu
    print(f"  its CPU time (user + sys): {cpu:.1f} s ({count / cpu:,.0f} posts per CPU second); code: {kiji_root()}")
    if args.import_only:
        print("  its listeners (search index, also-read lists): left out (--import-only)")
    else:
        print(f"  then its listeners (search index, also-read lists, page cache): {end - marks['committed']:.1f} s")
    print(f"  re-run (adds nothing): {rerun:.1f} s ({count / rerun:,.0f} posts/s)")
    print(f"  memory (RSS): {before:.0f} MB before the import; posts read so far → RSS: {'; '.join(samples)}")
    print(f"  peak RSS of the import process: {peak:.0f} MB; load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
