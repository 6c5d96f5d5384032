import sys

from django.core.management.base import BaseCommand

from kiji.newsroom.models import Article
from kiji.search import services


class Command(BaseCommand):
    help = "Rebuild the search index from every article readers can see (kiji reindex)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=services.BATCH_SIZE)

    def handle(self, *args, batch_size, **options):
        total = Article.objects.published().count()
        with _progress(self.stdout, total) as advance:
            indexed = services.reindex_all(batch_size=batch_size, progress=advance)
        self.stdout.write(self.style.SUCCESS(f"Indexed {indexed} article(s)."))


class _progress:
    """A tqdm bar on a terminal; otherwise a line every tenth of the way (logs, tests)."""

    def __init__(self, stdout, total: int):
        self.stdout, self.total, self.done, self.next_report = stdout, total, 0, 0
        self.bar = None
        if sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="article", desc="reindex")

    def __enter__(self):
        return self.advance

    def __exit__(self, *exc):
        if self.bar:
            self.bar.close()

    def advance(self, n: int) -> None:
        self.done += n
        if self.bar:
            self.bar.update(n)
        elif self.done >= self.next_report:
            self.stdout.write(f"{self.done}/{self.total}")
            self.next_report = self.done + max(1, self.total // 10)
