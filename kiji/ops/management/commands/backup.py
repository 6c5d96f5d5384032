from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils import timezone

from kiji.ops.backup import create_backup


class Command(BaseCommand):
    help = "Write one archive with a consistent snapshot of the database and the media files."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", "-o", type=Path, help="Archive path (default: var/backups/kiji-YYYYmmdd-HHMMSS.tar.gz)."
        )

    def handle(self, *args, output, **options):
        from django.conf import settings

        output = output or Path(settings.VAR_DIR) / "backups" / timezone.localtime().strftime(
            "kiji-%Y%m%d-%H%M%S.tar.gz"
        )
        manifest = create_backup(output=output)
        self.stdout.write(self.style.SUCCESS(f"Backed up the {manifest['engine']} database and media to {output}"))
