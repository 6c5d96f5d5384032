"""Backups: one archive holding a consistent snapshot of the database and the media files.

SQLite is copied with its online backup API (readers and writers go on meanwhile); PostgreSQL is
dumped with pg_dump (custom format, one snapshot). Media files are read through MEDIA_ROOT; with
an S3-compatible store the bucket is backed up by the store's own versioning (docs/deploy.md).
"""

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connections

from kiji.lib import pagecache
from kiji.lib.env import owner_only
from kiji.lib.memo import forget_all

FORMAT = 1


def _engine(alias: str = "default") -> str:
    engine = settings.DATABASES[alias]["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise ValueError(f"kiji backup does not know the database engine {engine}")


def _pg_env(db: dict) -> dict:
    env = {**os.environ}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    return env


def _need(tool: str) -> str:
    path = shutil.which(tool)
    if not path:
        raise RuntimeError(f"{tool} is not installed; on Debian: apt-get install postgresql-client")
    return path


def create_backup(*, output: Path) -> dict:
    """Write the archive; returns its manifest."""
    engine = _engine()
    db = settings.DATABASES["default"]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if engine == "sqlite":
            connection = connections["default"]
            connection.ensure_connection()
            owner_only(tmp / "database.sqlite3")
            target = sqlite3.connect(tmp / "database.sqlite3")
            with target:
                connection.connection.backup(target)  # online, page by page, a consistent snapshot
            target.close()
            db_file = "database.sqlite3"
        else:
            db_file = "database.pgdump"
            subprocess.run(
                [
                    _need("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    "--file",
                    str(tmp / db_file),
                    db["NAME"],
                ],
                env=_pg_env(db),
                check=True,
            )
        manifest = {
            "format": FORMAT,
            "engine": engine,
            "database": db_file,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2))
        output.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        partial = output.with_name(output.name + ".partial")
        partial.unlink(missing_ok=True)
        # 0600 whatever the umask: the archive holds session keys and password hashes.
        with (
            os.fdopen(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600), "wb") as raw,
            tarfile.open(fileobj=raw, mode="w:gz") as archive,
        ):
            archive.add(tmp / "manifest.json", "manifest.json")
            archive.add(tmp / db_file, db_file)
            media = Path(settings.MEDIA_ROOT)
            if media.is_dir():
                archive.add(media, "media")
        partial.replace(output)  # a half-written archive never carries the final name
    return manifest


def _safe_members(archive: tarfile.TarFile):
    """Plain files and folders inside the archive only: no links, FIFOs, devices, setuid/setgid/sticky bits."""
    for member in archive.getmembers():
        if member.name.startswith(("/", "..")) or ".." in Path(member.name).parts:
            raise ValueError(f"refusing archive member {member.name!r}")
        if not (member.isfile() or member.isdir()) or member.mode & 0o7000:
            raise ValueError(f"refusing archive member {member.name!r}: not a plain file or folder")
        yield member


def restore_backup(*, archive_path: Path) -> dict:
    """Replace this site's database and media with the archive's; returns its manifest."""
    engine = _engine()
    db = settings.DATABASES["default"]
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(archive_path, "r:gz") as archive:
        tmp = Path(tmp)
        archive.extractall(tmp, members=_safe_members(archive), filter="data")
        manifest = json.loads((tmp / "manifest.json").read_text())
        if manifest.get("format") != FORMAT or manifest.get("engine") != engine:
            raise ValueError(f"this archive holds a {manifest.get('engine')} database; this site uses {engine}")
        connections.close_all()
        if engine == "sqlite":
            source = sqlite3.connect(tmp / manifest["database"])
            target = sqlite3.connect(db["NAME"])
            with target:
                source.backup(target)  # replaces every page of the target database
            source.close()
            target.close()
        else:
            subprocess.run(
                [
                    _need("pg_restore"),
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-privileges",
                    "--single-transaction",
                    "--dbname",
                    db["NAME"],
                    str(tmp / manifest["database"]),
                ],
                env=_pg_env(db),
                check=True,
            )
        media = Path(settings.MEDIA_ROOT)
        if (tmp / "media").is_dir():
            media.mkdir(parents=True, exist_ok=True)
            shutil.copytree(tmp / "media", media, dirs_exist_ok=True)
    cache.clear()  # cached pages, menus and lists describe the old site
    pagecache.purge_site()
    forget_all()  # every memo of this process (page versions, menus, lists) describes the old site
    return manifest
