"""Security review (issue 11), secrets at rest: the database 0600, restore refuses special files (the
archive's own 0600 is checked in test_backup.py's round trip)."""

import io
import os
import stat
import tarfile
from pathlib import Path

import pytest

from kiji.lib.env import owner_only
from kiji.ops.backup import restore_backup

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def loose_umask():
    old = os.umask(0o022)  # what a shell or an old unit gives: files 0644 unless the code says otherwise
    yield
    os.umask(old)


def test_the_sqlite_file_is_created_0600_and_an_old_0644_one_is_tightened(tmp_path, loose_umask):
    """#8"""
    new = tmp_path / "kiji.sqlite3"
    owner_only(new)
    assert stat.S_IMODE(new.stat().st_mode) == 0o600
    old = tmp_path / "old.sqlite3"
    old.write_bytes(b"")
    old.chmod(0o644)
    owner_only(old)
    assert stat.S_IMODE(old.stat().st_mode) == 0o600


def test_every_shipped_systemd_unit_sets_umask_0077():
    """#8"""
    units = sorted((ROOT / "deploy" / "systemd").glob("*.service"))
    assert units
    for unit in units:
        assert "\nUMask=0077\n" in unit.read_text(), unit.name


def test_uploads_stay_readable_by_nginx_under_that_umask():
    from django.conf import settings

    assert (settings.FILE_UPLOAD_PERMISSIONS, settings.FILE_UPLOAD_DIRECTORY_PERMISSIONS) == (0o644, 0o755)


def _archive_with(tmp_path, member: tarfile.TarInfo, data: bytes = b"") -> Path:
    path = tmp_path / "evil.tar.gz"
    manifest = b'{"format": 1, "engine": "sqlite", "database": "database.sqlite3"}'
    with tarfile.open(path, "w:gz") as archive:
        info = tarfile.TarInfo("manifest.json")
        info.size = len(manifest)
        archive.addfile(info, io.BytesIO(manifest))
        archive.addfile(member, io.BytesIO(data) if data else None)
    return path


def _member(name, kind=tarfile.REGTYPE, mode=0o644, data=b""):
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.size = kind, mode, len(data)
    return info


@pytest.mark.parametrize(
    "member",
    [
        _member("media/pipe", tarfile.FIFOTYPE),
        _member("media/disk", tarfile.BLKTYPE),
        _member("media/tty", tarfile.CHRTYPE),
        _member("media/run.sh", mode=0o4755, data=b"#!/bin/sh\n"),
        _member("media/group.sh", mode=0o2755, data=b"#!/bin/sh\n"),
    ],
    ids=["fifo", "block-device", "char-device", "setuid", "setgid"],
)
@pytest.mark.django_db
def test_restore_refuses_special_files(tmp_path, member):
    """#20"""
    data = b"#!/bin/sh\n" if member.size else b""
    path = _archive_with(tmp_path, member, data)
    with pytest.raises(ValueError, match="refusing archive member"):
        restore_backup(archive_path=path)
