"""Scheduler jobs: send scheduled newsletter issues in batches."""

from kiji.newsletters.services import send_due_issues


def send_newsletters() -> None:
    send_due_issues()


JOBS = {"send": send_newsletters}
