"""The demo site: categories, writers and fictional articles, so every page shows something real."""

import io
import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image as PILImage
from PIL import ImageDraw

from kiji.lib.html import plain_text_to_html
from kiji.newsroom import demo_content
from kiji.newsroom.models import Article, Category, Correction, Image, Tag, Writer
from kiji.newsroom.services.images import make_renditions
from kiji.newsroom.services.publishing import announce_change, record_revision


@dataclass
class DemoReport:
    loaded: bool = False
    categories: int = 0
    writers: int = 0
    articles: dict[str, int] = field(default_factory=dict)  # status -> count
    images: int = 0


def load_demo(*, now: datetime | None = None) -> DemoReport:
    """Load the demo content into a site that has no articles yet; a site with articles is left alone."""
    report = DemoReport()
    if Article.objects.exists():
        return report
    now = now or timezone.now()
    with transaction.atomic():
        categories = {
            slug: _category(slug, name, description, position, report)
            for position, (slug, name, description) in enumerate(demo_content.CATEGORIES, start=1)
        }
        writers = {slug: _writer(slug, name, bio, email, report) for slug, name, bio, email in demo_content.WRITERS}
        for index, data in enumerate(demo_content.ARTICLES):
            article = _article(data, index, categories, writers, now, report)
            report.articles[article.status] = report.articles.get(article.status, 0) + 1
    report.loaded = True
    return report


def _category(slug: str, name: str, description: str, position: int, report: DemoReport) -> Category:
    category, created = Category.objects.get_or_create(
        slug=slug, defaults={"name": name, "description": description, "position": position}
    )
    report.categories += created
    return category


def _writer(slug: str, name: str, bio: str, email: str, report: DemoReport) -> Writer:
    writer, created = Writer.objects.get_or_create(slug=slug, defaults={"name": name, "bio": bio, "email": email})
    report.writers += created
    return writer


def _article(data: dict, index: int, categories: dict, writers: dict, now: datetime, report: DemoReport) -> Article:
    Status = Article.Status
    if data.get("draft"):
        status, published_at = Status.DRAFT, None
    elif "scheduled_in_minutes" in data:
        status, published_at = Status.SCHEDULED, now + timedelta(minutes=data["scheduled_in_minutes"])
    else:
        status, published_at = Status.PUBLISHED, now - timedelta(hours=data["hours_ago"])
    updated_at = now - timedelta(hours=data["updated_hours_ago"]) if "updated_hours_ago" in data else None
    paragraphs = data["paragraphs"] + ([] if data.get("draft") else [demo_content.FICTION_NOTE])
    article = Article.objects.create(
        headline=data["headline"],
        deck=data.get("deck", ""),
        slug=data["slug"],
        body=plain_text_to_html("\n\n".join(paragraphs)),
        category=categories[data["category"]],
        status=status,
        published_at=published_at,
        updated_at=updated_at,
        lead_image=_lead_image(data["image"], index, report) if "image" in data else None,
    )
    for position, slug in enumerate(data["writers"]):
        article.byline_set.create(writer=writers[slug], position=position)
    article.tags.set(_tag(name) for name in data.get("tags", []))
    if "correction" in data:
        Correction.objects.create(article=article, text=data["correction"], created_at=now - timedelta(hours=1))
    record_revision(article, note="デモ用の記事")
    announce_change(article)
    return article


def _tag(name: str) -> Tag:
    tag, _ = Tag.objects.get_or_create(name=name, defaults={"slug": name})
    return tag


def _lead_image(spec: dict, index: int, report: DemoReport) -> Image:
    data = abstract_picture(spec["hue"], seed=index)
    image = Image(alt=spec["alt"], caption=spec["caption"], credit="イラスト：Kiji デモ")
    # an uploaded-file object: Django reads the width and height from it (a bare ContentFile gives None)
    image.file.save(f"demo-{index + 1:02d}.jpg", SimpleUploadedFile("demo.jpg", data), save=False)
    # Not store_upload(): it would re-encode the generated JPEG; the demo keeps its bytes as made.
    image.renditions = make_renditions(PILImage.open(io.BytesIO(data)), image.file.name)
    image.save()
    report.images += 1
    return image


def abstract_picture(hue: int, *, seed: int, size: tuple[int, int] = (1200, 675)) -> bytes:
    """A JPEG of soft overlapping circles and bands around one hue: a simple, recognisable demo picture."""
    rnd = random.Random(seed)
    width, height = size
    picture = PILImage.new("RGB", size)
    draw = ImageDraw.Draw(picture)
    for y in range(0, height, 5):  # a vertical gradient from light to deep
        draw.rectangle([0, y, width, y + 5], fill=_hsl(hue, 0.45, 0.82 - 0.45 * y / height))
    overlay = PILImage.new("RGBA", size, (0, 0, 0, 0))
    shapes = ImageDraw.Draw(overlay)
    for _ in range(9):
        r = rnd.randint(height // 8, height // 2)
        x, y = rnd.randint(0, width), rnd.randint(0, height)
        color = _hsl((hue + rnd.choice([-30, 0, 30, 180])) % 360, 0.6, rnd.uniform(0.45, 0.8))
        shapes.ellipse([x - r, y - r, x + r, y + r], fill=(*color, rnd.randint(70, 150)))
    angle = rnd.uniform(-0.4, 0.4)
    for k in range(4):
        offset = height * (0.2 + 0.2 * k)
        slope = math.tan(angle) * width
        shapes.line([(0, offset), (width, offset + slope)], fill=(255, 255, 255, 90), width=6 + 4 * k)
    picture = PILImage.alpha_composite(picture.convert("RGBA"), overlay).convert("RGB")
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()


def _hsl(hue: float, saturation: float, lightness: float) -> tuple[int, int, int]:
    import colorsys

    r, g, b = colorsys.hls_to_rgb(hue / 360, lightness, saturation)
    return round(r * 255), round(g * 255), round(b * 255)
