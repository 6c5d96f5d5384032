"""Helpers for bench/run.py: wrk runs, nginx and app-server processes, RSS, HTTP polling."""

import os
import re
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"


def ensure_tools() -> None:
    """nginx (Debian's package) and wrk, installed with apt when missing."""
    missing = [
        pkg
        for tool, pkg in (("nginx", "nginx-light"), ("wrk", "wrk"))
        if not (shutil.which(tool) or Path(f"/usr/sbin/{tool}").exists())
    ]
    if missing:
        print(f"installing {' '.join(missing)} with apt-get ...", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True, env=env)


def nginx_binary() -> str:
    return shutil.which("nginx") or "/usr/sbin/nginx"


@dataclass
class Figure:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int = 0
    rss_mb: tuple[float, float] | None = None
    static_rps: float | None = None  # the limit measured right before this figure (the machine is shared)
    timeouts: int = 0  # of the errors, wrk's own 2 s timeouts (a slow answer, not a refused or broken one)

    def row(self, static: float) -> str:
        static = self.static_rps or static
        rss = f"{self.rss_mb[0]:.0f} / {self.rss_mb[1]:.0f}" if self.rss_mb is not None else "–"
        return (
            f"| {self.name} | {self.rps:,.0f} | {self.p50_ms:.2f} | {self.p99_ms:.2f} | {rss} "
            f"| {static:,.0f} | {self.rps / static:.3f} | {self.errors} |"
        )


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk(
    name: str,
    url: str,
    *,
    seconds: int = 15,
    connections: int = 32,
    warmup: int = 3,
    headers: dict | None = None,
    script: str | None = None,
    rss_of=None,
) -> Figure:
    """wrk pinned to CPU 1: a warm-up, then the measured run; RSS sampled mid-run if asked."""
    args = ["taskset", "-c", "1", "wrk", "-t1", f"-c{connections}", "--latency"]
    for key, value in {"User-Agent": UA, **(headers or {})}.items():
        args += ["-H", f"{key}: {value}"]
    if script:
        args += ["-s", script]
    if warmup:
        subprocess.run(args + [f"-d{warmup}s", url], capture_output=True, check=True)
    proc = subprocess.Popen(args + [f"-d{seconds}s", url], stdout=subprocess.PIPE, text=True)
    rss = None
    if rss_of:
        time.sleep(seconds * 0.7)
        rss = rss_of()
    out = proc.communicate()[0]
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    distribution = out.split("Latency Distribution", 1)[-1]
    p50 = _ms(re.search(r"50%\s+([\d.]+\w+)", distribution).group(1))
    p99 = _ms(re.search(r"99%\s+([\d.]+\w+)", distribution).group(1))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors += int(non2xx.group(1)) if non2xx else 0
    timeouts = re.search(r"timeout (\d+)", out)
    return Figure(name, rps, p50, p99, errors, rss, timeouts=int(timeouts.group(1)) if timeouts else 0)


def rss_mb(root_pid: int) -> tuple[float, float]:
    """Resident memory in MB of the worker processes, and of the server in total (its main process
    and workers; not `kiji serve`, the supervisor that only waits for them, when there is one)."""
    workers = total = 0
    # `kiji serve --no-scheduler` execs the server, so the root may be the server's main process itself.
    root_is_server = b"kiji.cli" not in Path(f"/proc/{root_pid}/cmdline").read_bytes()
    for pid in descendants(root_pid) + ([root_pid] if root_is_server else []):
        try:
            kb = int(Path(f"/proc/{pid}/status").read_text().split("VmRSS:")[1].split()[0])
        except (FileNotFoundError, IndexError):
            continue
        total += kb
        if not descendants(pid):
            workers += kb
    return workers / 1024, total / 1024


def descendants(pid: int) -> list[int]:
    children = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children += [int(c) for c in (task / "children").read_text().split()]
        except FileNotFoundError:
            pass
    return children + [d for c in children for d in descendants(c)]


def wait_http(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def fetch(url: str) -> tuple[int, bytes, object]:
    """Status, body and headers (a case-insensitive mapping: servers differ in header case)."""
    request = urllib.request.Request(url, headers={"User-Agent": UA})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
