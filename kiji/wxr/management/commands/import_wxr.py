"""kiji import-wxr EXPORT.xml: bring a WordPress site over (articles, pages, writers, terms, comments)."""

from django.core.management.base import BaseCommand, CommandError

from kiji.wxr.importing import EXAMPLES, ImportReport, Listing, WxrError, check_permalinks, import_wxr

KINDS = {
    "article": "記事",
    "page": "固定ページ",
    "comment": "コメント",
    "writer": "記者",
    "category": "カテゴリー",
    "tag": "タグ",
}


STATUSES = {
    "published": "公開",
    "scheduled": "予約",
    "draft": "下書き",
    "review": "レビュー待ち",
    "unpublished": "非公開",
    "approved": "表示",
    "pending": "承認待ち",
}


class Command(BaseCommand):
    help = "Import a WordPress export (WXR). Idempotent: running it again adds nothing and updates what changed."
    bar = None

    def add_arguments(self, parser):
        parser.add_argument("path", help="the WordPress export file (Tools → Export), e.g. site.WordPress.xml")
        parser.add_argument("--media", metavar="UPLOADS", help="wp-content/uploads as a folder or a .tar.gz")
        parser.add_argument("--dry-run", action="store_true", help="Print the full report; write nothing.")
        parser.add_argument(
            "--skip-bad", action="store_true", help="Skip items that cannot be imported, and list them."
        )
        parser.add_argument("--create-logins", action="store_true", help="Give each imported writer a newsroom login.")
        parser.add_argument(
            "--permalinks",
            metavar="STRUCTURE",
            default="",
            help="The old site's permalink structure (Settings → Permalinks), e.g. /%%year%%/%%monthnum%%/%%postname%%/, "
            "when the export's links do not show it; each post's address under it answers 301 too.",
        )
        parser.add_argument(
            "--report",
            metavar="FILE",
            help=f"Write the full report (every line) to FILE; the printed one shows counts and {EXAMPLES} of each kind.",
        )

    def handle(self, *args, path, media, dry_run, skip_bad, create_logins, report, permalinks, **options):
        self.report_path = report
        try:
            if permalinks:
                check_permalinks(permalinks)
        except ValueError as exc:
            raise CommandError(f"--permalinks: {exc}") from None
        try:
            full = open(report, "w", encoding="utf-8") if report else None  # noqa: SIM115 (closed below)
        except OSError as exc:
            raise CommandError(f"--report: {exc}") from None
        try:
            result = import_wxr(
                path=path,
                dry_run=dry_run,
                skip_bad=skip_bad,
                create_logins=create_logins,
                media=media,
                progress=self.advance,
                report=ImportReport(full=(lambda line: full.write(line + "\n")) if full else None),
                on_committed=self.announce,
                permalinks=permalinks,
            )
        except FileNotFoundError as exc:
            raise CommandError(f"--media: {exc}") from None
        except WxrError as exc:
            raise CommandError(f"{exc}\n何も取り込んでいません。") from None
        finally:
            self.close_bar()
        try:
            self.print_report(result, dry_run=dry_run, full=full)
        finally:
            if full:
                full.close()

    def announce(self, count: int) -> None:
        self.close_bar()
        self.stdout.write(f"記事 {count} 件を保存しました。検索の索引と一覧を更新しています…")

    def print_report(self, report: ImportReport, *, dry_run: bool, full=None) -> None:
        def write(line: str) -> None:
            self.stdout.write(line)
            if full:
                full.write(line + "\n")

        self.listing(report.became, self.stdout.write)
        write("")
        for title, counts in (("新規", report.created), ("更新", report.updated), ("変更なし", report.unchanged)):
            for (kind, status), n in sorted(counts.items()):
                label = f"（{STATUSES.get(status, status)}）" if status else ""
                write(f"{title}: {KINDS.get(kind, kind)}{label} {n}")
        for reason, n in sorted(report.skipped.items()):
            write(f"スキップ: {reason} {n}")
        for listing in (report.not_public, report.folded, report.menu):
            self.listing(listing, lambda line, label=listing.label: self.stdout.write(f"{label}: {line}"))
        for name, n in sorted(report.shortcodes.items()):
            write(f"ショートコードを除去: [{name}] {n}")
        write(f"転送（301）: 旧 URL {report.redirects} 件")
        write(f"画像: {report.images} 件をコピー")
        self.listing(
            report.missing_media,
            lambda url: self.stdout.write(
                self.style.WARNING(f"画像が UPLOADS にありません（代替テキストに置き換え）: {url}")
            ),
        )
        self.listing(report.bad, lambda line: self.stdout.write(self.style.WARNING(f"取り込めなかった項目: {line}")))
        if dry_run:
            write(self.style.WARNING("--dry-run: 何も保存していません。"))
        else:
            write(self.style.SUCCESS("取り込みが完了しました。"))

    def listing(self, listing: Listing, write) -> None:
        """The first lines of a kind; past those, how many more and where they all are."""
        for line in listing:
            write(line)
        if more := len(listing) - len(listing.examples):
            where = f"全件は {self.report_path}" if self.report_path else "全件は --report FILE に書き出せます"
            self.stdout.write(f"（{listing.label}: ほか {more} 件。{where}）")

    def advance(self, count: int) -> None:
        if self.bar is None and self.stdout.isatty():  # a bar only for a person at a terminal
            from tqdm import tqdm

            self.bar = tqdm(unit=" items", file=self.stdout._out, leave=False)
        if self.bar is not None:
            self.bar.update(count)

    def close_bar(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
