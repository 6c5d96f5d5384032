"""The real `kiji scheduler` command stops on SIGTERM within systemd's stop timeout, its slow process too."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from kiji.ops.management.commands.run_scheduler import pause
from kiji.ops.tests.sites import ROOT, drop_site, fresh_site, kiji, python

HEARTBEAT = "from kiji.ops.models import Heartbeat; print(Heartbeat.objects.filter(name='scheduler').count())"


def children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in found.read_text().split()] if found.exists() else []


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"  # not a zombie awaiting its parent


def test_sigterm_stops_the_scheduler_and_its_slow_process_within_ten_seconds(tmp_path):
    env = fresh_site(tmp_path, "stop")
    env.pop("KIJI_AUDIENCE_REDIS_URL", None)
    try:
        kiji(env, "manage", "migrate", "--noinput")
        scheduler = subprocess.Popen(
            [sys.executable, "-m", "kiji.cli", "scheduler", "--interval", "1"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            assert scheduler.stdout.readline().startswith("Scheduler running every 1 s.")
            deadline = time.monotonic() + 60
            while not children(scheduler.pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            slow = children(scheduler.pid)
            assert slow, "the slow jobs' process did not start"
            assert python(env, HEARTBEAT).strip() == "1"  # a round has run: it is working, not starting

            scheduler.send_signal(signal.SIGTERM)
            output, _ = scheduler.communicate(timeout=10)  # systemd's TimeoutStopSec is 10 s or more

            assert scheduler.returncode == 0
            assert "Scheduler stopped." in output
            assert not any(alive(pid) for pid in slow)
        finally:
            if scheduler.poll() is None:
                scheduler.kill()
                scheduler.wait()
    finally:
        drop_site(env)


def test_a_stop_ends_the_pause_between_rounds_at_once_and_without_one_it_lasts_the_interval():
    stop = threading.Event()
    threading.Thread(target=lambda: (time.sleep(0.3), stop.set())).start()  # as SIGTERM's handler does
    start = time.monotonic()
    assert pause(stop, 60)
    assert time.monotonic() - start < 5  # not the minute

    start = time.monotonic()
    assert not pause(threading.Event(), 0.5)
    assert 0.5 <= time.monotonic() - start < 5
