"""A read replica: readers' pages read from it, writes and staff use the primary."""

import os
import shutil

from kiji.ops.tests.sites import ROOT, kiji, python


def _sites(tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    primary, replica = var / "primary.sqlite3", var / "replica.sqlite3"
    env = {
        "KIJI_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{primary}",
        "KIJI_REPLICA_URL": f"sqlite:///{replica}",
        "KIJI_TEST_STATIC": "plain",
        "KIJI_PAGECACHE": "false",
        "DJANGO_SETTINGS_MODULE": "kiji.settings",
        "PYTHONPATH": str(ROOT),
    }
    return env, primary, replica


SCENARIO = """
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from kiji.newsroom.models import Article, Category
c = Category.objects.create(name="政治", slug="politics")  # a write: goes to the primary
a = Article.objects.create(headline="速報: 日銀が利上げ", category=c, status="published", published_at=timezone.now())
reader = Client()
print("reader-before-replication", reader.get(a.get_absolute_url()).status_code)
staff = Client()
staff.force_login(get_user_model().objects.create_superuser("boss", password="pw"))
print("staff-preview", staff.get(f"/preview/articles/{a.pk}/").status_code)
print("staff-article", staff.get(a.get_absolute_url()).status_code)
import sqlite3
from django.db import connections
connections["replica"].close()
with sqlite3.connect(sys.argv[2]) as target:  # replication catches up
    sqlite3.connect(sys.argv[1]).backup(target)
print("reader-after-replication", reader.get(a.get_absolute_url()).status_code)
"""


def test_reader_reads_go_to_the_replica_and_writes_and_staff_to_the_primary(tmp_path):
    env, primary, replica = _sites(tmp_path)
    full = {**{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}, **env}
    kiji(full, "manage", "migrate", "--noinput")
    shutil.copyfile(primary, replica)  # the replica starts as a copy of the primary
    out = python(full, SCENARIO.replace("sys.argv[1]", repr(str(primary))).replace("sys.argv[2]", repr(str(replica))))
    assert out.split() == [
        "reader-before-replication",
        "404",
        "staff-preview",
        "200",
        "staff-article",
        "200",
        "reader-after-replication",
        "200",
    ], out


def test_without_a_replica_everything_reads_the_primary():
    from kiji.lib.db import ReplicaRouter, reading_from_replica
    from kiji.newsroom.models import Article

    router = ReplicaRouter()
    with reading_from_replica():
        assert router.db_for_read(Article) == "default"
        assert router.db_for_write(Article) == "default"
