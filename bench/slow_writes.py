"""How long the slow scheduler process's write passes hold SQLite's one write lock, seen from another process.

    cp /tmp/kiji-perf3/x10.sqlite3 /tmp/copy.sqlite3
    DATABASE_URL=sqlite:////tmp/copy.sqlite3 .venv/bin/python bench/slow_writes.py

A child process writes a heartbeat row every 0.2 s, as the regular scheduler's rounds do (its jobs
and beat() write; publishing is one of them), with the settings' busy timeout, and records how long
each write waited and how many failed with "database is locked". Meanwhile this process runs the
slow process's write passes as on the first round after a large change:
- the view-hour roll-up, with the clock moved --days-ahead days so that every hour has aged (the
  first run on a site with a long view history);
- the vocabulary pass, after every count was made wrong and --new-terms words removed (as after a
  large import: counts to write, words to read with Sudachi and add).
The database is changed: run it on a copy.
"""

import argparse
import os
import subprocess
import sys
import time
from datetime import timedelta

BEAT_EVERY = 0.2


def writer() -> None:
    """The child: a small write every BEAT_EVERY s until stdin closes; prints its figures."""
    import select

    import django

    django.setup()
    from django.db import OperationalError
    from django.utils import timezone

    from kiji.ops.models import Heartbeat

    waits, failures = [], 0
    while not select.select([sys.stdin], [], [], BEAT_EVERY)[0]:
        start = time.perf_counter()
        try:
            Heartbeat.objects.update_or_create(name="bench-slow-writes", defaults={"beat_at": timezone.now()})
        except OperationalError as error:
            failures += 1
            print(f"failed after {time.perf_counter() - start:.1f} s: {error}", flush=True)
        else:
            waits.append(time.perf_counter() - start)
    waits.sort()
    print(
        f"writer: {len(waits)} writes, {failures} failed; wait median {waits[len(waits) // 2] * 1000:.0f} ms, "
        f"max {waits[-1] * 1000:.0f} ms, {sum(w > 1 for w in waits)} over 1 s",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days-ahead", type=int, default=40)
    parser.add_argument("--new-terms", type=int, default=3000)
    parser.add_argument("--writer", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiji.settings")
    if args.writer:
        return writer()
    import django

    django.setup()
    from django.db.models import F
    from django.utils import timezone

    from kiji.audience.models import ArticleViewHour
    from kiji.audience.store import roll_up_view_hours
    from kiji.search.models import Term
    from kiji.search.services import refresh_vocabulary

    Term.objects.filter(
        pk__in=list(Term.objects.order_by("-pk").values_list("pk", flat=True)[: args.new_terms])
    ).delete()
    Term.objects.update(documents=F("documents") + 1)
    print(f"view-hour rows {ArticleViewHour.objects.count():,}, terms {Term.objects.count():,}", flush=True)
    child = subprocess.Popen([sys.executable, __file__, "--writer"], stdin=subprocess.PIPE, text=True)
    time.sleep(2)
    load = os.getloadavg()[0]
    for name, job in (
        ("roll-up", lambda: roll_up_view_hours(timezone.now() + timedelta(days=args.days_ahead))),
        ("vocabulary", refresh_vocabulary),
    ):
        start, cpu = time.perf_counter(), time.process_time()
        result = job()
        print(f"{name}: {result} in {time.perf_counter() - start:.1f} s wall, {time.process_time() - cpu:.1f} s CPU")
    child.stdin.close()
    child.wait()
    print(f"load average {load:.1f} before / {os.getloadavg()[0]:.1f} after")


if __name__ == "__main__":
    main()
