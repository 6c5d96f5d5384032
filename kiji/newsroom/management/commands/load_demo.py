"""kiji demo: demo content for a site with no articles yet."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from kiji.newsroom.services.demo import load_demo

CORPUS = Path(settings.BASE_DIR).parent / "shared" / "corpora" / "livedoor-news-corpus.tar.gz"


class Command(BaseCommand):
    help = "Load demo categories, writers and fictional articles, only if the site has no articles yet."

    def handle(self, *args, **options):
        report = load_demo()
        if not report.loaded:
            self.stdout.write("The site already has articles: demo content not loaded.")
        else:
            counts = ", ".join(f"{n} {status}" for status, n in sorted(report.articles.items()))
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo content loaded: {report.categories} categories, {report.writers} writers, "
                    f"{sum(report.articles.values())} articles ({counts}), {report.images} lead images."
                )
            )
        if CORPUS.exists():
            # Never imported automatically: `make run` must stay fast, and the corpus is an operator's choice.
            self.stdout.write(
                "Real articles are available too (livedoor news corpus, CC BY-ND 2.1 JP):\n"
                "  kiji import-ldcc ../shared/corpora/livedoor-news-corpus.tar.gz"
            )
