"""A newsletter to 1,000 subscribers through a real SMTP server on loopback, with the sender killed
midway and started again: how long it takes, and whether anyone got it twice or not at all.

    .venv/bin/python bench/newsletter_send.py [--subscribers 1000] [--kill-at 400] [--signal KILL|TERM]

A throwaway SQLite database in a temporary directory; aiosmtpd in this process; the sender is the real
`kiji manage send_newsletter ISSUE` in a child process, killed (SIGKILL: no chance to finish; SIGTERM:
finishes the message in hand) once the server has received --kill-at messages, then run again to the
end. Baseline in the same run: the same number of bare messages over one smtplib connection.
"""

import argparse
import email
import email.policy
import os
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[1]
KIJI = str(ROOT / ".venv" / "bin" / "kiji")


class Inbox:
    def __init__(self):
        self.recipients = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.recipients.append(message["To"])
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--kill-at", type=int, default=400)
    parser.add_argument("--signal", choices=("KILL", "TERM"), default="KILL")
    args = parser.parse_args()
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    tmp = tempfile.mkdtemp(prefix="kiji-newsletter-bench-")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
        "KIJI_SMTP_URL": f"smtp://127.0.0.1:{port}?starttls=off",
        "KIJI_NEWSLETTER_BATCH": "200",
        "KIJI_NEWSLETTER_SENDER_ADDRESS": "東京都千代田区1-1 ベンチ株式会社",
    }
    env.pop("REDIS_URL", None)
    subprocess.run([KIJI, "manage", "migrate", "-v", "0"], env=env, check=True)
    setup = (
        "from kiji.newsletters.models import Issue, Subscriber\n"
        f"Subscriber.objects.bulk_create(Subscriber(email=f'reader{{i}}@example.jp', status='active', token=f't{{i}}')"
        f" for i in range({args.subscribers}))\n"
        "print(Issue.objects.create(subject='ベンチマーク号', intro='1,000 人への配信').pk)\n"
    )
    issue = subprocess.run(
        [KIJI, "manage", "shell", "-c", setup], env=env, check=True, capture_output=True, text=True
    ).stdout.split()[-1]

    started = time.perf_counter()
    sender = subprocess.Popen([KIJI, "manage", "send_newsletter", issue], env=env, stdout=subprocess.DEVNULL)
    while len(inbox.recipients) < args.kill_at and sender.poll() is None:
        time.sleep(0.005)
    sender.send_signal(getattr(signal, f"SIG{args.signal}"))
    sender.wait()
    at_kill = len(inbox.recipients)
    subprocess.run([KIJI, "manage", "send_newsletter", issue], env=env, check=True, stdout=subprocess.DEVNULL)
    elapsed = time.perf_counter() - started
    controller.stop()

    counts = Counter(inbox.recipients)
    duplicates = sum(n - 1 for n in counts.values() if n > 1)
    missing = args.subscribers - len(counts)

    controller = Controller(Inbox(), hostname="127.0.0.1", port=port)
    controller.start()
    base_start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for i in range(args.subscribers):
            smtp.sendmail("noreply@localhost", [f"reader{i}@example.jp"], f"Subject: base {i}\r\n\r\nbody\r\n")
    baseline = time.perf_counter() - base_start
    controller.stop()

    print(
        f"newsletter_send: {args.subscribers} subscribers, SIG{args.signal} at {at_kill} received, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    )
    print(f"  kiji (two runs, incl. start-up):  {elapsed:.2f} s  ({args.subscribers / elapsed:,.0f} mails/s)")
    print(f"  baseline bare smtplib:            {baseline:.2f} s  ({args.subscribers / baseline:,.0f} mails/s)")
    print(f"  ratio kiji/baseline:              {elapsed / baseline:.1f}x")
    print(f"  received {len(inbox.recipients)}, distinct {len(counts)}, duplicates {duplicates}, missing {missing}")
    sys.exit(1 if duplicates else 0)


if __name__ == "__main__":
    main()
