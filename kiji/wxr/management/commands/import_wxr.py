"""kiji import-wxr EXPORT.xml: bring a WordPress site over (articles, pages, writers, terms, comments)."""

from django.core.management.base import BaseCommand, CommandError

from kiji.wxr.importing import ImportReport, WxrError, import_wxr

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

    def handle(self, *args, path, media, dry_run, skip_bad, create_logins, **options):
        try:
            report = import_wxr(
                path=path,
                dry_run=dry_run,
                skip_bad=skip_bad,
                create_logins=create_logins,
                media=media,
                progress=self.advance,
            )
        except FileNotFoundError as exc:
            raise CommandError(f"--media: {exc}") from None
        except WxrError as exc:
            raise CommandError(f"{exc}\n何も取り込んでいません。") from None
        finally:
            self.close_bar()
        self.print_report(report, dry_run=dry_run)

    def print_report(self, report: ImportReport, *, dry_run: bool) -> None:
        write = self.stdout.write
        for line in report.became:
            write(line)
        write("")
        for title, counts in (("新規", report.created), ("更新", report.updated), ("変更なし", report.unchanged)):
            for (kind, status), n in sorted(counts.items()):
                label = f"（{STATUSES.get(status, status)}）" if status else ""
                write(f"{title}: {KINDS.get(kind, kind)}{label} {n}")
        for reason, n in sorted(report.skipped.items()):
            write(f"スキップ: {reason} {n}")
        for line in report.not_public:
            write(f"公開しない: {line}")
        for line in report.folded:
            write(f"カテゴリーをまとめました: {line}")
        for name, n in sorted(report.shortcodes.items()):
            write(f"ショートコードを除去: [{name}] {n}")
        write(f"転送（301）: 旧 URL {report.redirects} 件")
        write(f"画像: {report.images} 件をコピー")
        for url in report.missing_media:
            write(self.style.WARNING(f"画像が UPLOADS にありません（代替テキストに置き換え）: {url}"))
        for line in report.bad:
            write(self.style.WARNING(f"取り込めなかった項目: {line}"))
        if dry_run:
            write(self.style.WARNING("--dry-run: 何も保存していません。"))
        else:
            write(self.style.SUCCESS("取り込みが完了しました。"))

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
