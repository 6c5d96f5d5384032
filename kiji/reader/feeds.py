"""RSS 2.0 and Atom feeds: the whole site, each category, writer and tag; JSON Feed 1.1 for the site and each category.

Links are absolute to settings.SITE_URL (not the request's host), dates carry the JST offset, the lead
image travels as an enclosure and as media:content, and the body is the full text or the summary as
KIJI_FEED_FULL_TEXT says.
"""

import json
import mimetypes

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.files.storage import default_storage
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed, SyndicationFeed

from kiji.distribution.models import Partner
from kiji.distribution.selection import for_site_channel
from kiji.lib.dates import to_jst
from kiji.lib.text import strip_controls
from kiji.newsroom.models import Article, Category, Tag, Writer
from kiji.reader.seo import absolute, large_image

FEED_SIZE = 30
MEDIA_NS = "http://search.yahoo.com/mrss/"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"


def _xml_safe(value):
    """Strings (also in lists and dicts) without the characters XML cannot carry."""
    if isinstance(value, str):
        return strip_controls(value)
    if isinstance(value, list | tuple):
        return type(value)(_xml_safe(v) for v in value)
    if isinstance(value, dict):
        return {k: _xml_safe(v) for k, v in value.items()}
    return value


class _MediaMixin:
    """media:content for the lead image, and the full text where the feed carries it; every string is
    made XML-safe first (a control character that reached the database must not make the feed a 500)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*_xml_safe(args), **_xml_safe(kwargs))

    def add_item(self, *args, **kwargs):
        super().add_item(*_xml_safe(args), **_xml_safe(kwargs))

    def _add_media(self, handler, item):
        image = item.get("image")
        if image:
            handler.addQuickElement(
                "media:content",
                None,
                {
                    "url": image["url"],
                    "medium": "image",
                    "width": str(image["width"]),
                    "height": str(image["height"]),
                },
            )


class RssWithMedia(_MediaMixin, Rss201rev2Feed):
    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:media": MEDIA_NS, "xmlns:content": CONTENT_NS}

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        if self.feed.get("hub"):  # WebSub: subscribers learn of changes from the hub, without polling
            handler.addQuickElement("atom:link", None, {"rel": "hub", "href": self.feed["hub"]})

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content:encoded", item["content_html"])
        self._add_media(handler, item)


class AtomWithMedia(_MediaMixin, Atom1Feed):
    def root_attributes(self):
        return {**super().root_attributes(), "xmlns:media": MEDIA_NS}

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        if self.feed.get("hub"):
            handler.addQuickElement("link", "", {"rel": "hub", "href": self.feed["hub"]})

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content", item["content_html"], {"type": "html"})
        self._add_media(handler, item)


class JSONFeed(SyndicationFeed):
    """JSON Feed 1.1 (jsonfeed.org) from the same items as RSS and Atom, for readers that prefer it."""

    content_type = "application/feed+json; charset=utf-8"

    def write(self, outfile, encoding):
        feed = {
            "version": "https://jsonfeed.org/version/1.1",
            "title": self.feed["title"],
            "home_page_url": self.feed["link"],
            "feed_url": self.feed["feed_url"],
            "description": self.feed["description"],
            "language": self.feed["language"],
            "items": [self._item(item) for item in self.items],
        }
        if self.feed.get("hub"):
            feed["hubs"] = [{"type": "WebSub", "url": self.feed["hub"]}]
        outfile.write(json.dumps(feed, ensure_ascii=False, separators=(",", ":")).encode(encoding))

    @staticmethod
    def _item(item: dict) -> dict:
        out = {
            "id": item["unique_id"],
            "url": item["link"],
            "title": item["title"],
            "summary": item["description"],
            "date_published": item["pubdate"].isoformat(),
            "date_modified": item["updateddate"].isoformat(),
            "tags": item["categories"],
        }
        if item.get("content_html"):
            out["content_html"] = item["content_html"]
        else:
            out["content_text"] = item["description"]
        if item.get("author_name"):
            out["authors"] = [{"name": item["author_name"], "url": item.get("author_link")}]
        if item.get("image"):
            out["image"] = item["image"]["url"]
        return out


class ArticleFeed(Feed):
    """The latest published articles of the whole site."""

    feed_type = RssWithMedia
    language = "ja"

    def title(self, obj=None):
        return settings.SITE_NAME

    def description(self, obj=None):
        return settings.SITE_DESCRIPTION

    def subtitle(self, obj=None):
        return self.description(obj)

    def link(self, obj=None):
        return absolute("/")

    def feed_url(self, obj=None):
        return absolute(reverse(self.url_name, args=self.url_args(obj)))

    url_name = "reader:feed_rss"

    def url_args(self, obj):
        return []

    def author_name(self, obj=None):
        # Atom requires an author per entry or for the feed: the site stands in for unsigned articles.
        return settings.SITE_NAME

    def feed_copyright(self, obj=None):
        return f"© {settings.SITE_NAME}"

    def feed_extra_kwargs(self, obj):
        return {"hub": settings.KIJI_WEBSUB_HUB}

    def articles(self, obj):
        return Article.objects.published()

    def items(self, obj=None):
        articles = (
            for_site_channel(self.articles(obj), Partner.Format.PUBLIC_FEEDS)
            .for_cards()
            .prefetch_related("tags")
            .with_last_changed()
        )
        return list(articles.latest_first()[:FEED_SIZE])

    def item_title(self, item):
        return item.labelled(item.headline)

    def item_description(self, item):
        return item.description

    def item_link(self, item):
        return absolute(item.get_absolute_url())

    def item_guid(self, item):
        return absolute(reverse("reader:article", args=[item.pk]))

    item_guid_is_permalink = True

    def item_pubdate(self, item):
        return to_jst(item.published_at)

    def item_updateddate(self, item):
        return to_jst(item.last_changed)

    def item_author_name(self, item):
        return "、".join(w.name for w in item.writers.all()) or None

    def item_author_link(self, item):
        writers = list(item.writers.all())
        return absolute(writers[0].get_absolute_url()) if writers else None

    def item_categories(self, item):
        label = [item.sponsor_label] if item.sponsorship else []
        return [*label, item.category.name, *(t.name for t in item.tags.all())]

    def item_enclosures(self, item):
        image = large_image(item.lead_image)
        if image is None:
            return []
        try:
            length = str(default_storage.size(image["name"]))
        except OSError:
            length = "0"
        mime = mimetypes.guess_type(image["name"])[0] or "image/jpeg"
        return [Enclosure(image["url"], length, mime)]

    def item_extra_kwargs(self, item):
        return {
            "image": large_image(item.lead_image),
            # body was sanitized by nh3 on save; the feed generator escapes it as XML text
            "content_html": item.body if settings.KIJI_FEED_FULL_TEXT else "",
        }


class AtomArticleFeed(ArticleFeed):
    feed_type = AtomWithMedia
    url_name = "reader:feed_atom"


class JSONArticleFeed(ArticleFeed):
    feed_type = JSONFeed
    url_name = "reader:feed_json"


class ScopedFeed(ArticleFeed):
    """The latest articles of one category, writer or tag, named by its slug in the URL."""

    model = Category
    lookup = "category"
    title_format = "{name} | {site}"
    description_format = "{name}の最新ニュース"

    def get_object(self, request, slug):
        return get_object_or_404(self.model, slug=slug)  # tag slugs with control characters never reach here

    def url_args(self, obj):
        return [obj.slug]

    def title(self, obj=None):
        return self.title_format.format(name=obj.name, site=settings.SITE_NAME)

    def description(self, obj=None):
        return getattr(obj, "description", "") or self.description_format.format(name=obj.name)

    def link(self, obj=None):
        return absolute(obj.get_absolute_url())

    def articles(self, obj):
        return Article.objects.published().filter(**{self.lookup: obj})


class CategoryFeed(ScopedFeed):
    url_name = "reader:category_feed_rss"


class AtomCategoryFeed(CategoryFeed):
    feed_type = AtomWithMedia
    url_name = "reader:category_feed_atom"


class JSONCategoryFeed(CategoryFeed):
    feed_type = JSONFeed
    url_name = "reader:category_feed_json"


class WriterFeed(ScopedFeed):
    model, lookup, description_format = Writer, "writers", "{name}の記事"
    url_name = "reader:writer_feed_rss"


class AtomWriterFeed(WriterFeed):
    feed_type = AtomWithMedia
    url_name = "reader:writer_feed_atom"


class TagFeed(ScopedFeed):
    model, lookup = Tag, "tags"
    title_format, description_format = "#{name} | {site}", "「{name}」に関する記事"
    url_name = "reader:tag_feed_rss"


class AtomTagFeed(TagFeed):
    feed_type = AtomWithMedia
    url_name = "reader:tag_feed_atom"
