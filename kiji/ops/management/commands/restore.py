import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kiji.ops.backup import restore_backup


class Command(BaseCommand):
    help = "Replace this site's database and media with those in a `kiji backup` archive."

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--yes", action="store_true", help="Do not ask before replacing the database.")

    def handle(self, *args, archive, yes, **options):
        if not archive.is_file():
            raise CommandError(f"No such archive: {archive}")
        if not yes:
            if not sys.stdin.isatty():
                raise CommandError("Restoring replaces the database: add --yes to confirm.")
            answer = input(f"This replaces the site's database and media with {archive}. Type 'yes': ")
            if answer.strip() != "yes":
                raise CommandError("Restore cancelled.")
        try:
            manifest = restore_backup(archive_path=archive)
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the {manifest['engine']} database of {manifest['created_at']} and media from {archive}"
            )
        )
