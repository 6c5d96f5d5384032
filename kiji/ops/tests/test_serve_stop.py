"""Ctrl-C in the terminal running `make run` / `kiji serve` stops every process, so the next run can bind."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from kiji.ops.tests.sites import ROOT, drop_site, fresh_site, kiji

PORT = 8137


def session_processes(sid: int) -> list[int]:
    """Live processes of session `sid` (a terminal's session: what Ctrl-C and closing it reach)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if stat[0] != "Z" and int(stat[3]) == sid:  # state, ppid, pgrp, session
            found.append(int(entry))
    return found


def port_free() -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", PORT)) != 0


def test_ctrl_c_stops_the_server_its_workers_and_the_scheduler(tmp_path):
    env = fresh_site(tmp_path, "ctrlc")
    env.pop("KIJI_AUDIENCE_REDIS_URL", None)
    try:
        kiji(env, "manage", "migrate", "--noinput")
        # Three rounds: a worker getting the Ctrl-C before its master was a race, lost about one time in two.
        for round_ in range(3):
            serve = subprocess.Popen(
                [sys.executable, "-m", "kiji.cli", "serve", "--bind", f"127.0.0.1:{PORT}", "--workers", "2"],
                env=env,
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                start_new_session=True,  # its own terminal-like session and foreground group
            )
            try:
                # Start-up is not what is tested: on a busy machine two workers and the scheduler took over 30 s.
                deadline = time.monotonic() + 120
                while port_free() and time.monotonic() < deadline:
                    time.sleep(0.1)
                for _ in range(10):
                    urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=5).read()
                os.killpg(serve.pid, signal.SIGINT)  # what the terminal does on Ctrl-C: the whole group
                output, _ = serve.communicate(timeout=60)
                deadline = time.monotonic() + 10
                while session_processes(serve.pid) and time.monotonic() < deadline:
                    time.sleep(0.2)
                assert session_processes(serve.pid) == [], f"round {round_}: left running after Ctrl-C\n{output}"
                assert port_free(), f"round {round_}: port {PORT} still answers after Ctrl-C"
                assert "Unexpected exit from worker" not in output
            finally:
                for pid in session_processes(serve.pid):
                    os.kill(pid, signal.SIGKILL)
    finally:
        drop_site(env)
