"""Tags typed by name: found when they exist, made when they do not."""

from django.utils.text import slugify

from kiji.newsroom.models import Tag


def tag_named(name: str) -> Tag:
    """The tag called `name`, made with a Japanese-friendly slug (タグ → /tag/タグ/) when there is none."""
    tag = Tag.objects.filter(name=name).first()
    if tag is not None:
        return tag
    base = slugify(name, allow_unicode=True)[:70] or "tag"
    slug, n = base, 1
    while Tag.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return Tag.objects.create(name=name, slug=slug)
