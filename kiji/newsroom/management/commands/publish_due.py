from django.core.management.base import BaseCommand
from django.utils import timezone

from kiji.newsroom.services.publishing import publish_due_articles


class Command(BaseCommand):
    help = "Publish scheduled articles whose time has come."

    def handle(self, *args, **options):
        count = publish_due_articles(now=timezone.now())
        self.stdout.write(self.style.SUCCESS(f"Published {count} article(s)."))
