"""kiji backup / kiji restore: a site survives the round trip onto a fresh machine."""

import stat

import pytest

from kiji.ops.tests.sites import drop_site, fresh_site, kiji, python

MAKE_SITE = """
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from kiji.newsroom.models import Article, Category
politics = Category.objects.create(name="政治", slug="politics")
Article.objects.create(headline="衆院選の投票率が過去最低に", body="<p>総務省によると投票率は低下した。</p>",
                       category=politics, status="published", published_at=timezone.now())
default_storage.save("images/2026/photo.jpg", ContentFile(b"jpeg bytes of the photo"))
"""

CHECK_SITE = """
from django.core.files.storage import default_storage
from django.test import Client
from kiji.newsroom.models import Article
article = Article.objects.get()
page = Client().get(article.get_absolute_url())
print(page.status_code, article.headline in page.content.decode())
print(default_storage.open("images/2026/photo.jpg").read().decode())
"""


def test_it_round_trips_a_site_onto_a_fresh_machine(tmp_path):
    old, new = fresh_site(tmp_path, "old"), fresh_site(tmp_path, "new")
    try:
        kiji(old, "manage", "migrate", "--noinput")
        python(old, MAKE_SITE)
        archive = tmp_path / "kiji-backup.tar.gz"
        made = kiji(old, "backup", "--output", str(archive))
        assert "Backed up" in made.stdout and archive.stat().st_size > 0
        assert stat.S_IMODE(archive.stat().st_mode) == 0o600  # security #8: it holds password hashes

        restored = kiji(new, "restore", str(archive), "--yes")
        assert "Restored" in restored.stdout
        assert python(new, CHECK_SITE).splitlines() == ["200 True", "jpeg bytes of the photo"]
    finally:
        drop_site(old)
        drop_site(new)


def test_restore_asks_for_confirmation(tmp_path):
    site = fresh_site(tmp_path, "ask")
    try:
        archive = tmp_path / "a.tar.gz"
        archive.write_bytes(b"")
        from subprocess import CalledProcessError

        with pytest.raises(CalledProcessError) as failed:
            kiji(site, "restore", str(archive), stdin=open("/dev/null"))
        assert "--yes" in failed.value.stderr
    finally:
        drop_site(site)
