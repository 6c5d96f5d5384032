"""kiji import-ldcc PATH: import the livedoor news corpus (a .tar.gz or an extracted folder)."""

from django.core.management.base import BaseCommand, CommandError

from kiji.newsroom.services.importing import CorpusError, import_ldcc


class Command(BaseCommand):
    help = (
        "Import the livedoor news corpus (.tar.gz or folder of channel folders) as published articles. "
        "Idempotent: articles already imported (same source URL) are left alone."
    )
    bar = None

    def add_arguments(self, parser):
        parser.add_argument(
            "path", help="livedoor-news-corpus.tar.gz, or a folder holding ldcc-text/ or the channel folders"
        )
        parser.add_argument(
            "--skip-bad",
            action="store_true",
            help="Skip files that break the format and list them at the end, instead of stopping.",
        )
        parser.add_argument(
            "--channel",
            action="append",
            dest="channels",
            metavar="SLUG",
            help="Import only this channel folder (repeatable), e.g. --channel topic-news.",
        )

    def handle(self, *args, path, skip_bad, channels, **options):
        try:
            report = import_ldcc(
                path=path,
                skip_bad=skip_bad,
                channels=set(channels or []),
                on_total=self.start_bar,
                progress=self.advance,
                on_committed=self.committed,
            )
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from None
        except CorpusError as exc:
            raise CommandError(f"{exc}\nNothing was imported. Fix the file, or run again with --skip-bad.") from None
        finally:
            self.close_bar()
        if report.new_categories:
            self.stdout.write(f"New categories: {', '.join(report.new_categories)}")
        self.stdout.write(
            self.style.SUCCESS(f"Imported {report.created} article(s); {report.already_there} were already there.")
        )
        if report.skipped:
            self.stdout.write(self.style.WARNING(f"Skipped {len(report.skipped)} bad file(s):"))
            for error in report.skipped:
                self.stdout.write(f"  {error}")

    def start_bar(self, total: int) -> None:
        if self.stdout.isatty():  # a progress bar only for a person at a terminal, never in logs or tests
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit=" files", file=self.stdout._out, leave=False)

    def advance(self, count: int) -> None:
        if self.bar is not None:
            self.bar.update(count)

    def close_bar(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def committed(self, count: int) -> None:
        self.close_bar()
        self.stdout.write(f"Saved {count} new article(s); updating the search index and reader lists…")
