"""Throw-away sites for tests that need real processes: their own database, media and var folder."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[3]


def fresh_site(tmp_path: Path, name: str) -> dict:
    """Environment for a new empty site: SQLite by default, a new PostgreSQL database when the suite runs on one."""
    var = tmp_path / name
    var.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "KIJI_REPLICA_URL")}
    env.update(
        {
            "KIJI_VAR_DIR": str(var),
            "KIJI_MEDIA_ROOT": str(var / "media"),
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "kiji.settings",
            "KIJI_ENV": "development",
            "KIJI_TEST_STATIC": "plain",
        }
    )
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        base, _, db = url.rpartition("/")
        db_name = f"{db[:30]}_perf_{name}_{uuid.uuid4().hex[:8]}"  # named after the suite's own database
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{db_name}"')
        env["DATABASE_URL"] = f"{base}/{db_name}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{var / 'site.sqlite3'}"
    return env


def drop_site(env: dict) -> None:
    url = env["DATABASE_URL"]
    if url.startswith("postgres"):
        base, _, db_name = url.rpartition("/")
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


def kiji(env: dict, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kiji.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        **kwargs,
    )


def python(env: dict, code: str, **kwargs) -> str:
    """Run code in a Django set up for that site; returns what it printed."""
    script = "import django; django.setup()\n" + code
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, **kwargs
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout
