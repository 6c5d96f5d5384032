"""How WordPress's things map to Kiji's: statuses, permalink structures, slugs, digests, threads and page trees."""

import hashlib
import json
import re
from urllib.parse import unquote

from django.utils.text import slugify

from kiji.comments import text as comment_text
from kiji.newsroom.models import Article
from kiji.pages.models import Page
from kiji.wxr.parsing import Item

STATUS = {
    "publish": Article.Status.PUBLISHED,
    "future": Article.Status.SCHEDULED,
    "draft": Article.Status.DRAFT,
    "pending": Article.Status.REVIEW,
    "private": Article.Status.UNPUBLISHED,
}


PERMALINK_TAG = re.compile(r"%([a-z_]+)%")
PERMALINK_TAGS = ("year", "monthnum", "day", "hour", "minute", "second", "post_id", "postname", "category", "author")


def check_permalinks(structure: str) -> str:
    """A WordPress permalink structure (/%year%/%monthnum%/%postname%/), or ValueError saying what is wrong."""
    if not structure.startswith("/"):
        raise ValueError(f"「{structure}」は / で始まっていません（例: /%year%/%monthnum%/%day%/%postname%/）")
    unknown = [t for t in PERMALINK_TAG.findall(structure) if t not in PERMALINK_TAGS]
    if unknown:
        raise ValueError(f"%{unknown[0]}% は使えません（使えるもの: {' '.join(f'%{t}%' for t in PERMALINK_TAGS)}）")
    if not {"post_id", "postname"} & set(PERMALINK_TAG.findall(structure)):
        raise ValueError("%post_id% か %postname% を含めてください: 投稿を一つに決められません")
    return structure


def item_digest(item: Item) -> str:
    fields = [
        item.title,
        item.content,
        item.excerpt,
        item.status,
        item.slug,
        item.password,
        str(item.date_gmt),
        item.parent,
        item.menu_order,
        sorted(item.terms),
        item.creator,
    ]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False, default=str).encode()).hexdigest()


def page_depth(page: Page) -> int:
    depth, seen = 0, set()
    while page.parent_id and page.pk not in seen and depth < 50:
        seen.add(page.pk)
        page, depth = page.parent, depth + 1
    return depth


def is_below(page: Page, ancestor: Page) -> bool:
    """Whether `ancestor` is already above `page`: giving it `page` as a parent would make a loop."""
    seen = set()
    while page is not None and page.pk not in seen:
        if page.pk == ancestor.pk:
            return True
        seen.add(page.pk)
        page = page.parent if page.parent_id else None
    return False


def top_comment(wp_id: str, parents: dict[str, str]) -> str:
    """The top-level comment of a thread: replies are one level deep in Kiji."""
    seen = set()
    while parents.get(wp_id, "0") not in ("0", "") and parents[wp_id] in parents and wp_id not in seen:
        seen.add(wp_id)
        wp_id = parents[wp_id]
    return wp_id


def number(value: str) -> int:
    return int(value) if value.isdigit() else 0


def clean(value: str) -> str:
    return comment_text.scrub(value or "").strip()


def ascii_slug(slug: str, *, fallback: str) -> str:
    decoded = unquote(slug or "")
    ascii_slug = slugify(decoded)
    if ascii_slug:
        return ascii_slug
    if not decoded:
        return fallback
    return f"{fallback or 'wp'}-{hashlib.sha1(decoded.encode()).hexdigest()[:8]}" if fallback else ""


def unique_slug(model, slug: str, *, max_length: int = 80) -> str:
    candidate, n = slug[:max_length], 2
    while model.objects.filter(slug=candidate).exists():
        suffix = f"-{n}"
        candidate, n = slug[: max_length - len(suffix)] + suffix, n + 1
    return candidate


def unique_page_slug(slug: str) -> str:
    slug = slugify(slug, allow_unicode=True) or "page"
    candidate, n = slug[:120], 2
    while Page.objects.filter(path=candidate).exists():
        candidate, n = f"{slug[:115]}-{n}", n + 1
    return candidate
