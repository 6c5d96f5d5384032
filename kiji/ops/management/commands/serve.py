import os
import shutil
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand

# The WSGI app with the page cache's fast door in front (kiji/ops/wsgi.py).
APP = "kiji.ops.wsgi:application"


def server_command(server: str, bind: str, workers: int) -> list[str]:
    """The production server's command line: several worker processes, one WSGI app."""
    bin_dir = os.path.dirname(sys.executable)
    host, _, port = bind.rpartition(":")
    if server == "granian":
        granian = shutil.which("granian", path=bin_dir) or shutil.which("granian")
        return [
            granian,
            "--interface",
            "wsgi",
            "--host",
            host.strip("[]") or "127.0.0.1",
            "--port",
            port,
            "--workers",
            str(workers),
            "--blocking-threads",
            "1",
            "--runtime-threads",
            "1",
            "--no-ws",
            "--log-level",
            "warning",
            APP,
        ]
    gunicorn = shutil.which("gunicorn", path=bin_dir) or shutil.which("gunicorn")
    return [
        gunicorn,
        APP,
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--graceful-timeout",
        "10",
        "--log-level",
        "warning",
    ]


class Command(BaseCommand):
    help = "Serve the site with the production server and run the scheduler beside it; Ctrl-C stops both."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=settings.KIJI_BIND)
        parser.add_argument("--workers", type=int, default=settings.KIJI_WORKERS)
        parser.add_argument(
            "--server",
            choices=["granian", "gunicorn"],
            default=settings.KIJI_SERVER,
            help="WSGI server (default KIJI_SERVER: granian, the faster one measured by make bench).",
        )
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="Do not start the scheduler (another process or machine runs it).",
        )

    def handle(self, *args, bind, workers, server, no_scheduler, **options):
        # Every stop (a terminal's Ctrl-C, SIGTERM from systemd) reaches this process, which passes it on
        # as SIGTERM below. The server runs in a process group of its own: a Ctrl-C sent to the whole
        # terminal group used to reach granian's workers before their master, which then started
        # replacements that outlived it and kept the port (the next `make run` could not bind).
        command = server_command(server, bind, workers)
        if no_scheduler:
            # Nothing to supervise: become the server, rather than keep this ~65 MB Django process beside it.
            self.stdout.write(
                self.style.SUCCESS(f"Kiji is serving at http://{bind}/ with {server} ({workers} workers)")
            )
            self.stdout.flush()
            os.execv(command[0], command)
        procs = [
            subprocess.Popen(command, process_group=0),
            subprocess.Popen([sys.executable, "-m", "kiji.cli", "scheduler"]),
        ]
        self.stdout.write(
            self.style.SUCCESS(f"Kiji is serving at http://{bind}/ with {server} ({workers} workers; Ctrl-C stops)")
        )
        self.stdout.flush()

        def stop(*_):
            for p in procs:
                if p.poll() is None:
                    p.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            # If either process dies, stop the other: half a site is worse than a clear stop.
            while all(p.poll() is None for p in procs):
                try:
                    procs[0].wait(timeout=1)
                except subprocess.TimeoutExpired:
                    pass
        finally:
            stop()
            for p in procs:
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    # The server's whole group: killing granian's master alone would leave its workers
                    # serving (a stop during its start-up can be ignored by the master).
                    if p is procs[0]:
                        os.killpg(p.pid, signal.SIGKILL)
                    else:
                        p.kill()
