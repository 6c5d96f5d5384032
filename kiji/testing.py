"""Test helpers: a newsroom cast, article makers, test data paths and service availability checks."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import TestCase
from django.utils import timezone

from kiji.lib.env import env, env_bool
from kiji.newsroom.models import Article, Category, Writer
from kiji.newsroom.permissions import EDITORS_GROUP, WRITERS_GROUP
from kiji.newsroom.roles import ensure_roles

ROOT = Path(__file__).resolve().parent.parent
# The hostile-input lists (MIT, see tests/fixtures/hostile/LICENSE): inside the repository.
HOSTILE = ROOT / "tests" / "fixtures" / "hostile"
# Corpora whose licence keeps them out of the repository (the GPL WordPress exports, the livedoor
# corpus): read from ../shared/corpora beside the checkout (or beside a folder of worktrees holding it).
SHARED_CORPORA = next(
    (p / "shared" / "corpora" for p in ROOT.parents if (p / "shared" / "corpora").is_dir()),
    ROOT.parent / "shared" / "corpora",
)


def shared_corpus(*parts: str) -> Path:
    """A file or folder under ../shared/corpora; its absence fails the test, naming the path."""
    path = SHARED_CORPORA.joinpath(*parts)
    if not path.exists():
        pytest.fail(f"test data missing: {path} (the shared corpora sit beside the checkout, in ../shared/corpora)")
    return path


REQUIRE_SERVICES = env_bool("KIJI_REQUIRE_SERVICES", default=False)
TEST_REDIS_URL = env("KIJI_TEST_REDIS_URL") or settings.REDIS_URL or "redis://127.0.0.1:6379/15"


def redis_available(url: str = TEST_REDIS_URL) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


def need_redis():
    """Skip (with the reason shown) when no Redis answers, unless KIJI_REQUIRE_SERVICES=1 makes it a failure."""
    if redis_available():
        return
    message = f"Redis is not reachable at {TEST_REDIS_URL}"
    if REQUIRE_SERVICES:
        pytest.fail(message + " and KIJI_REQUIRE_SERVICES=1")
    pytest.skip(message)


requires_redis = pytest.mark.skipif(
    not REQUIRE_SERVICES and not redis_available(), reason=f"Redis is not reachable at {TEST_REDIS_URL}"
)


class NewsroomTestCase(TestCase):
    """A small cast: a writer, a second writer, an editor, an administrator; two categories."""

    @classmethod
    def setUpTestData(cls):
        ensure_roles()
        User = get_user_model()
        cls.now = timezone.now()
        cls.writer_user = User.objects.create_user("writer", password="pw", is_staff=True)
        cls.writer_user.groups.add(Group.objects.get(name=WRITERS_GROUP))
        cls.other_writer_user = User.objects.create_user("writer2", password="pw", is_staff=True)
        cls.other_writer_user.groups.add(Group.objects.get(name=WRITERS_GROUP))
        cls.editor = User.objects.create_user("editor", password="pw", is_staff=True)
        cls.editor.groups.add(Group.objects.get(name=EDITORS_GROUP))
        cls.admin = User.objects.create_superuser("admin", password="pw")
        cls.writer = Writer.objects.create(
            name="山田 花子", slug="yamada-hanako", email="hanako@example.jp", user=cls.writer_user
        )
        cls.other_writer = Writer.objects.create(name="佐藤 一郎", slug="sato-ichiro", user=cls.other_writer_user)
        cls.politics = Category.objects.create(name="政治", slug="politics", position=1)
        cls.korea = Category.objects.create(name="韓国", slug="korea", position=2)

    @classmethod
    def make_article(cls, **fields) -> Article:
        writers = fields.pop("writers", [cls.writer])
        tags = fields.pop("tags", [])
        defaults = {
            "headline": "国会で予算案が可決",
            "body": "<p>衆議院本会議で来年度予算案が賛成多数で可決された。</p>",
            "category": cls.politics,
            "status": Article.Status.PUBLISHED,
            "published_at": timezone.now() - timedelta(hours=1),
        }
        article = Article.objects.create(**{**defaults, **fields})
        for position, writer in enumerate(writers):
            article.byline_set.create(writer=writer, position=position)
        article.tags.set(tags)
        return article
