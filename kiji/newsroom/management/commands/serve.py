import os
import shutil
import signal
import subprocess
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the site with the production server and run the scheduler beside it; Ctrl-C stops both."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("KIJI_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("KIJI_WORKERS", "2")))
        parser.add_argument("--no-scheduler", action="store_true",
                            help="Do not start the scheduler (another process or machine runs it).")

    def handle(self, *args, bind, workers, no_scheduler, **options):
        bin_dir = os.path.dirname(sys.executable)
        gunicorn = shutil.which("gunicorn", path=bin_dir) or shutil.which("gunicorn")
        server = [gunicorn, "kiji.wsgi:application", "--bind", bind, "--workers", str(workers),
                  "--worker-class", "sync", "--access-logfile", "-", "--graceful-timeout", "10"]
        procs = [subprocess.Popen(server)]
        if not no_scheduler:
            procs.append(subprocess.Popen([sys.executable, "-m", "kiji.cli", "scheduler"]))
        self.stdout.write(self.style.SUCCESS(f"Kiji is serving at http://{bind}/  (Ctrl-C stops)"))

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
                p.wait()
