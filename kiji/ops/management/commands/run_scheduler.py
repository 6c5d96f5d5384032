import logging
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from kiji.ops.scheduler import run_due_jobs

log = logging.getLogger("kiji.scheduler")


class Command(BaseCommand):
    help = "Run the scheduler loop: publishes scheduled articles and runs periodic jobs until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=int, default=settings.KIJI_SCHEDULER_INTERVAL)
        parser.add_argument("--once", action="store_true", help="Run the due jobs once and exit.")

    def handle(self, *args, interval, once, **options):
        stop = threading.Event()
        if not once:
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: stop.set())
            self.stdout.write(f"Scheduler running every {interval} s.")
        while True:
            try:
                run_due_jobs()
            except Exception:  # one failed round must not stop scheduled publishing for good
                log.exception("scheduler round failed")
            finally:
                close_old_connections()
            if once or stop.wait(interval):
                break
        self.stdout.write("Scheduler stopped.")
