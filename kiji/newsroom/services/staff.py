"""Setting up staff: a login in a role with its writer profile, made together."""

import functools
import re

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.text import slugify

from kiji.newsroom.models import Writer
from kiji.newsroom.permissions import ADMINISTRATORS_GROUP, EDITORS_GROUP, WRITERS_GROUP

ROLES = (WRITERS_GROUP, EDITORS_GROUP, ADMINISTRATORS_GROUP)


@functools.cache  # one converter per process: a table, never stale
def _kakasi():
    import pykakasi  # ~1 s to load its dictionaries: only when a name is first turned into romaji

    return pykakasi.kakasi()


def romaji_slug(name: str) -> str:
    """A URL slug from a Japanese name in Hepburn romaji: 山田 花子 -> yamada-hanako."""
    words = " ".join(part["hepburn"] for part in _kakasi().convert(name))
    return slugify(re.sub(r"\s+", " ", words))[:80].strip("-")


def free_writer_slug(slug: str) -> str:
    """`slug`, or `slug-2`, `slug-3` … when another writer has it."""
    candidate, n = slug, 1
    while Writer.objects.filter(slug=candidate).exists():
        n += 1
        candidate = f"{slug[:75]}-{n}"
    return candidate


@transaction.atomic
def set_up_staff_member(*, user, role: str, name: str, slug: str = "") -> Writer:
    """Put a login in its role (which implies staff access) and give it a writer profile."""
    if role not in ROLES:
        raise ValueError(role)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(Group.objects.get(name=role))
    return Writer.objects.create(user=user, name=name, slug=slug or free_writer_slug(romaji_slug(name) or "writer"))


def grant_staff_for_roles(user) -> None:
    """A login in any newsroom role can log in to the newsroom: the role implies staff access."""
    if not user.is_staff and user.groups.filter(name__in=ROLES).exists():
        user.is_staff = True
        user.save(update_fields=["is_staff"])
