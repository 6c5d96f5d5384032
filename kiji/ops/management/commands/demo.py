"""kiji demo: the demo site (articles, writers, lead images, standing pages), only if the site is empty."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from kiji.newsroom.models import Article
from kiji.pages.demo import load_demo_pages


class Command(BaseCommand):
    help = "Load the demo articles and standing pages, only if the site has no articles yet."

    def handle(self, *args, **options):
        was_empty = not Article.objects.exists()
        call_command("load_demo", stdout=self.stdout)
        if was_empty and (made := load_demo_pages()):
            self.stdout.write(
                f"Standing pages: {made} (会社概要, プライバシーポリシー, お問い合わせ), linked from the footer."
            )
