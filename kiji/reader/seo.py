"""What machines read in a page's head: canonical URL, Open Graph, Twitter card, JSON-LD, share links.

Every builder returns plain data from what the view already passed (no queries of its own beyond the
objects' own attributes) and builds absolute URLs from settings.SITE_URL, never from the request, so
the same HTML is right for every visitor and safe to cache.
"""

import json
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import default_storage
from markupsafe import Markup

from kiji.distribution.websub import SCOPED_FEEDS, SITE_FEEDS  # the feeds there are, by scope: the hub's list too
from kiji.lib.dates import iso_jst
from kiji.newsroom.models import Article, Category, Image, Tag, Writer
from kiji.reader import links as reader_links
from kiji.reader.links import href, static

OG_MIN_WIDTH = 1200
DEFAULT_IMAGE = "img/og-default.png"
DEFAULT_IMAGE_SIZE = (1200, 630)
LOGO_IMAGE = "img/logo.png"
LOGO_SIZE = (600, 60)


def absolute(path: str) -> str:
    """An absolute URL on the public site; URLs that already are absolute pass through."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL + path


def default_image() -> dict:
    width, height = DEFAULT_IMAGE_SIZE
    return {"url": absolute(static(DEFAULT_IMAGE)), "width": width, "height": height, "alt": settings.SITE_NAME}


def logo() -> dict:
    width, height = LOGO_SIZE
    return {"url": absolute(static(LOGO_IMAGE)), "width": width, "height": height}


def large_image(image: Image | None) -> dict | None:
    """The smallest JPEG/PNG version of an image at least 1200 px wide (what share previews want), or None:
    its card crop around the focal point when it has one.

    WebP renditions are skipped: several link-preview crawlers still ignore og:image in WebP.
    """
    if image is None or not image.file:
        return None
    # First choice: the card-shaped crop cut around the focal point (previews show 1.91:1).
    candidates = [(c["width"], c["height"], c["name"]) for c in image.crops or [] if c["width"] >= OG_MIN_WIDTH]
    candidates = candidates or [
        (r["width"], r["height"], r["name"])
        for r in image.renditions or []
        if r.get("format") != "webp" and r["width"] >= OG_MIN_WIDTH
    ]
    if not candidates and image.width >= OG_MIN_WIDTH:
        candidates.append((image.width, image.height, image.file.name))
    if not candidates:
        return None
    width, height, name = min(candidates)
    return {
        "url": absolute(default_storage.url(name)),
        "width": width,
        "height": height,
        "alt": image.alt,
        "name": name,
    }


def share_image(image: Image | None) -> dict:
    return large_image(image) or default_image()


def _og(title: str, description: str, url: str | None, og_type: str, image: dict) -> dict:
    return {
        "title": title,
        "description": description,
        "canonical": url,
        "og_type": og_type,
        "image": image,
    }


# The formats a feed comes in, by the end of its URL name: what its head link calls it, its media type.
FEED_FORMATS = {
    "rss": ("RSS", "application/rss+xml"),
    "atom": ("Atom", "application/atom+xml"),
    "json": ("JSON Feed", "application/feed+json"),
}


def _feeds(*scopes) -> list[dict]:
    """Head links to the site's feeds, then to those of each (label, URL names, slug)."""
    links = []
    for label, url_names, *args in [(settings.SITE_NAME, SITE_FEEDS), *scopes]:
        for url_name in url_names:
            name, media_type = FEED_FORMATS[url_name.rpartition("_")[2]]
            links.append(
                {"title": f"{label} ({name})", "type": media_type, "href": absolute(reader_links.url(url_name, *args))}
            )
    return links


def site_meta(path: str | None = None) -> dict:
    """Defaults for any page: the site's name, description and image; canonical only when a path is given."""
    meta = _og(
        settings.SITE_NAME, settings.SITE_DESCRIPTION, absolute(path) if path else None, "website", default_image()
    )
    meta["feeds"] = _feeds()
    return meta


def home_meta() -> dict:
    meta = site_meta("/")
    meta["jsonld"] = [organization_jsonld(), website_jsonld()]
    return meta


def _page_query(page) -> str:
    """The canonical URL's query for a list page: "?page=N" beyond the first page."""
    return f"?page={page.number}" if page is not None and page.number > 1 else ""


def category_meta(category: Category, page=None) -> dict:
    meta = _og(
        category.name,
        category.description or f"{category.name}の最新ニュース",
        absolute(href(category) + _page_query(page)),
        "website",
        default_image(),
    )
    meta["feeds"] = _feeds((f"{settings.SITE_NAME} {category.name}", SCOPED_FEEDS["category"], category.slug))
    meta["jsonld"] = [breadcrumb_jsonld(category.trail())]
    return meta


def archive_meta(title: str, path: str, crumbs: list[tuple[str, str]], page=None) -> dict:
    """A date archive page (記事アーカイブ, a year, a month): canonical with its page, breadcrumb JSON-LD."""
    meta = _og(title, f"{settings.SITE_NAME}の{title}", absolute(path + _page_query(page)), "website", default_image())
    meta["feeds"] = _feeds()
    meta["jsonld"] = [breadcrumb_jsonld(crumbs)]
    return meta


def tag_meta(tag: Tag, page=None) -> dict:
    meta = _og(
        f"#{tag.name}",
        f"「{tag.name}」に関する記事の一覧",
        absolute(href(tag) + _page_query(page)),
        "website",
        default_image(),
    )
    meta["feeds"] = _feeds((f"{settings.SITE_NAME} #{tag.name}", SCOPED_FEEDS["tag"], tag.slug))
    meta["jsonld"] = [breadcrumb_jsonld([(f"#{tag.name}", href(tag))])]
    return meta


def writer_meta(writer: Writer, page=None) -> dict:
    photo = large_image(writer.photo) if writer.photo_id else None
    meta = _og(
        writer.name,
        writer.bio[:120] or f"{writer.name}の記事一覧",
        absolute(href(writer) + _page_query(page)),
        "profile",
        photo or default_image(),
    )
    meta["feeds"] = _feeds((f"{settings.SITE_NAME} {writer.name}", SCOPED_FEEDS["writer"], writer.slug))
    meta["jsonld"] = [breadcrumb_jsonld([("記者", ""), (writer.name, href(writer))])]
    return meta


def article_meta(article: Article, writers: list[Writer], tags: list[Tag]) -> dict:
    """Everything the article page's head needs; `writers` and `tags` are what the page shows."""
    image = share_image(article.lead_image)
    meta = _og(article.labelled(article.headline), article.description, absolute(href(article)), "article", image)
    meta["article"] = {
        "published_time": iso_jst(article.published_at),
        "modified_time": iso_jst(article.last_changed),
        "section": article.category.name,
        "tags": [t.name for t in tags],
        "authors": [absolute(href(w)) for w in writers],
    }
    meta["feeds"] = _feeds(
        (f"{settings.SITE_NAME} {article.category.name}", SCOPED_FEEDS["category"], article.category.slug)
    )
    meta["jsonld"] = [
        news_article_jsonld(article, writers, image),
        breadcrumb_jsonld([*article.category.trail(), (article.headline, href(article))]),
    ]
    return meta


# ---- JSON-LD -------------------------------------------------------------------------------------


def organization_jsonld() -> dict:
    return {
        "@context": "https://schema.org",
        "@type": "Organization",
        "@id": absolute("/#organization"),
        "name": settings.SITE_NAME,
        "url": absolute("/"),
        "logo": {"@type": "ImageObject", **_image_object(logo())},
    }


def website_jsonld() -> dict:
    return {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "@id": absolute("/#website"),
        "name": settings.SITE_NAME,
        "url": absolute("/"),
        "inLanguage": "ja",
        "publisher": {"@id": absolute("/#organization")},
        "potentialAction": {
            "@type": "SearchAction",
            "target": {"@type": "EntryPoint", "urlTemplate": absolute("/search/?q={search_term_string}")},
            "query-input": "required name=search_term_string",
        },
    }


def _image_object(image: dict) -> dict:
    return {"url": image["url"], "width": image["width"], "height": image["height"]}


def news_article_jsonld(article: Article, writers: list[Writer], image: dict) -> dict:
    url = absolute(href(article))
    return {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.headline,
        "description": article.description,
        "image": [image["url"]],
        "datePublished": iso_jst(article.published_at),
        "dateModified": iso_jst(article.last_changed),
        "author": [{"@type": "Person", "name": w.name, "url": absolute(href(w))} for w in writers],
        "publisher": {
            "@type": "Organization",
            "name": settings.SITE_NAME,
            "url": absolute("/"),
            "logo": {"@type": "ImageObject", **_image_object(logo())},
        },
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "articleSection": article.category.name,
        "inLanguage": "ja",
        **({"sponsor": {"@type": "Organization", "name": article.sponsor_name}} if article.sponsorship else {}),
    }


def breadcrumb_jsonld(crumbs: list[tuple[str, str]]) -> dict:
    """The visible breadcrumb (トップ, then `crumbs` as (label, path)) as a BreadcrumbList.

    A crumb shown without a link (writer pages' 記者) is left out: Google requires an item URL on
    every ListItem but the last, and a list with a hole would be rejected whole.
    """
    linked = [(name, path) for name, path in [("トップ", "/"), *crumbs] if path]
    items = [
        {"@type": "ListItem", "position": position, "name": name, "item": absolute(path)}
        for position, (name, path) in enumerate(linked, start=1)
    ]
    return {"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": items}


def json_ld(data) -> Markup:
    """JSON for a <script type="application/ld+json"> element.

    Safe to mark safe: <, > and & are escaped as \\u003c, \\u003e, \\u0026, so no value (a headline
    containing "</script>", say) can close the element or open a comment; the JSON still decodes to
    the same text.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)


# ---- Share links ---------------------------------------------------------------------------------


def share_links(article: Article) -> dict:
    """Each service's share URL for the article's canonical URL; the same for every reader."""
    url = absolute(href(article))
    u = quote(url, safe="")
    text = quote(article.headline, safe="")
    return {
        "url": url,
        "services": [
            {
                "id": "x",
                "label": "X",
                "name": "Xでポスト",
                "href": f"https://twitter.com/intent/tweet?text={text}&url={u}",
            },
            {
                "id": "facebook",
                "label": "Facebook",
                "name": "Facebookでシェア",
                "href": f"https://www.facebook.com/sharer/sharer.php?u={u}",
            },
            {
                "id": "line",
                "label": "LINE",
                "name": "LINEで送る",
                "href": f"https://social-plugins.line.me/lineit/share?url={u}",
            },
            {
                "id": "hatena",
                "label": "はてなブックマーク",
                "name": "はてなブックマークに追加",
                "href": f"https://b.hatena.ne.jp/entry/panel/?url={u}",
            },
        ],
    }


# ---- The default share image (made once, committed) -----------------------------------------------


def draw_default_images(static_dir: Path) -> None:
    """Draw static/img/og-default.png (1200x630) and static/img/logo.png (600x60) with Pillow.

    Run once when the site's look changes: `kiji manage shell -c "from pathlib import Path; from kiji.reader.seo import *; draw_default_images(
    Path('static'))"`; the PNGs are committed so nothing is drawn at run time.
    """
    from PIL import Image as PILImage
    from PIL import ImageDraw, ImageFont

    (static_dir / "img").mkdir(parents=True, exist_ok=True)
    navy, white, accent = (11, 79, 156), (255, 255, 255), (230, 57, 70)
    card = PILImage.new("RGB", DEFAULT_IMAGE_SIZE, navy)
    draw = ImageDraw.Draw(card)
    draw.rectangle((0, 560, 1200, 630), fill=accent)
    draw.text((90, 200), "Kiji", font=ImageFont.load_default(size=180), fill=white)
    draw.text((96, 420), "NEWS FROM JAPAN", font=ImageFont.load_default(size=56), fill=white)
    card.save(static_dir / DEFAULT_IMAGE, optimize=True)
    mark = PILImage.new("RGB", LOGO_SIZE, white)
    draw = ImageDraw.Draw(mark)
    draw.rectangle((0, 0, 12, 60), fill=accent)
    draw.text((28, 4), "Kiji News", font=ImageFont.load_default(size=46), fill=navy)
    mark.save(static_dir / LOGO_IMAGE, optimize=True)
