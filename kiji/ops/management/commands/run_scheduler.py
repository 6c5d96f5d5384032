import logging
import signal
import subprocess
import sys
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from kiji.ops.scheduler import beat, run_due_jobs

log = logging.getLogger("kiji.scheduler")

STOP_GRACE = 5  # seconds the slow process gets after SIGTERM before it is killed (systemd allows 10+)
PAUSE_STEP = 0.2  # seconds: how soon a stop asked for between rounds is noticed


def pause(stop: threading.Event, seconds: float) -> bool:
    """Wait `seconds` between rounds, less once `stop` is set; returns whether it is.

    Short sleeps, not `stop.wait(seconds)`: under libfaketime (CI's pass 400 days ahead; Debian's 0.9.10)
    a timed wait on a lock never ends, as it fakes the monotonic clock but not sem_clockwait, which
    Python's lock waits use, while sleeps it handles. A scheduler would then never see a second round.
    """
    deadline = time.monotonic() + seconds
    while not stop.is_set() and (left := deadline - time.monotonic()) > 0:
        time.sleep(min(left, PAUSE_STEP))
    return stop.is_set()


def slow_command(interval: int) -> list[str]:
    return [sys.executable, "-m", "kiji.cli", "scheduler", "--slow", "--interval", str(interval)]


class SlowProcess:
    """The scheduler's second process, running the slow jobs; started again if it dies."""

    def __init__(self, command: list[str]):
        self.command = command
        self.process = None

    def ensure_running(self) -> None:
        if self.process is None or self.process.poll() is not None:
            if self.process is not None:
                log.warning("the slow jobs' process ended (%s); starting it again", self.process.returncode)
            self.process = subprocess.Popen(self.command)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=STOP_GRACE)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Command(BaseCommand):
    help = "Run the scheduler loop: publishes scheduled articles and runs periodic jobs until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=int, default=settings.KIJI_SCHEDULER_INTERVAL)
        parser.add_argument("--once", action="store_true", help="Run every due job once, here, and exit.")
        parser.add_argument(
            "--slow", action="store_true", help="Run only the slow jobs (the scheduler starts this process itself)."
        )

    def handle(self, *args, interval, once, slow, **options):
        if once:
            return self.loop(threading.Event(), interval, slow=None, once=True)
        if slow:
            # The rebuild is one long call into numpy: no flag could stop it within seconds, so
            # SIGTERM keeps its default (end now). Lists are written in small atomic batches and
            # the next full round starts over.
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            return self.loop(threading.Event(), interval, slow=True)
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write(f"Scheduler running every {interval} s.")
        helper = SlowProcess(slow_command(interval))
        try:
            self.loop(stop, interval, slow=False, before_round=helper.ensure_running)
        finally:
            helper.stop()
        self.stdout.write("Scheduler stopped.")

    def loop(self, stop: threading.Event, interval: int, *, slow: bool | None, once=False, before_round=None) -> None:
        while True:
            try:
                if before_round:
                    before_round()
                run_due_jobs(slow=slow)
                if not slow:
                    beat()  # the quick rounds are the ones publishing waits for
            except Exception:  # one failed round must not stop scheduled publishing for good
                log.exception("scheduler round failed")
            finally:
                close_old_connections()
            if once or pause(stop, interval):
                break
