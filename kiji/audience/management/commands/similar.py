import time

from django.core.management.base import BaseCommand

from kiji.audience import lists


class Command(BaseCommand):
    help = (
        "Recompute every article's also-read list from a fresh similarity model over the search index "
        "(kiji manage similar --rebuild; the scheduler also does it every 10 minutes)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="rebuild all lists now")

    def handle(self, *args, rebuild, **options):
        if not rebuild:
            self.stdout.write("Nothing to do: pass --rebuild to recompute every also-read list now.")
            return
        started = time.perf_counter()
        written = lists.compute_also_read()
        self.stdout.write(
            self.style.SUCCESS(f"Computed {written} also-read list(s) in {time.perf_counter() - started:.1f} s.")
        )
