"""Scheduler jobs: send the WebSub pings that publishing, correcting and unpublishing queued."""

from kiji.distribution.websub import forget_old_pings, send_due_pings


def send_websub_pings() -> None:
    send_due_pings()
    forget_old_pings()


JOBS = {"websub": send_websub_pings}
