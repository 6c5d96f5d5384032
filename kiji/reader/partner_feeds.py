"""Partner feeds (aggregators and news apps): SmartFormat 2.1 for SmartNews, full-text RSS 2.0 for others.

Each partner reads its own unguessable URL (optionally only from listed networks). Articles come
through kiji.distribution.selection.articles_for(), so an unpublished, embargoed or opted-out article
is absent at the next request; the response is never page-cached.
"""

import re

import nh3
from django.conf import settings
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.utils.feedgenerator import Rss201rev2Feed, rfc2822_date
from django.utils.html import escape
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from kiji.distribution.models import FEED_FORMATS, Partner
from kiji.distribution.selection import articles_for, related_for
from kiji.lib.clientip import client_ip
from kiji.lib.dates import to_jst
from kiji.lib.html import ALLOWED_ATTRIBUTES, ALLOWED_TAGS
from kiji.reader.seo import absolute, logo

MAX_BYTES = 1_000_000  # SmartFormat: a feed must stay under 1 MB
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
DCTERMS_NS = "http://purl.org/dc/terms/"
MEDIA_NS = "http://search.yahoo.com/mrss/"
SNF_NS = "http://www.smartnews.be/snf"

# The HTML elements SmartFormat 2.1 lets content:encoded carry ("使用できるHTMLタグ" in
# https://publishers.smartnews.com/hc/ja/articles/360036526213), as far as our sanitizer lets bodies
# have them. mark, ruby, rt and rp are left out until checked against the full list (their text stays).
SMARTFORMAT_SPEC_TAGS = {
    *"a abbr acronym address article aside b blockquote br caption center cite code col colgroup".split(),
    *"dd del dfn div dl dt em figcaption figure h1 h2 h3 h4 h5 h6 hr i img ins kbd li ol p pre q s".split(),
    *"small span strong sub sup table tbody td tfoot th thead tr u ul".split(),
}
SMARTFORMAT_TAGS = ALLOWED_TAGS & SMARTFORMAT_SPEC_TAGS
_RELATIVE_URL = re.compile(r'(\s(?:src|href)=")/(?!/)')


def partner_body(html: str, *, tags: set[str], images: bool) -> str:
    """The article body for a partner: only the allowed elements, images dropped if the partner
    takes none, and site-relative links and pictures made absolute."""
    if not images:
        tags = tags - {"img", "figure", "figcaption"}
    cleaned = nh3.clean(
        html,
        tags=tags,
        attributes={k: v for k, v in ALLOWED_ATTRIBUTES.items() if k in tags},
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        strip_comments=True,
    )
    return _RELATIVE_URL.sub(lambda m: m.group(1) + settings.SITE_URL + "/", cleaned)


def partner_title(article, partner: Partner) -> str:
    """Where a format has a title, the short headline if the article has one, after the partner's
    advertising prefix for a 広告/PR article."""
    return article.labelled(article.short_headline or article.headline, partner.sponsored_prefix)


def _image(image) -> dict | None:
    if image is None or not image.file:
        return None
    return {
        "url": absolute(default_storage.url(image.file.name)),
        "width": image.width,
        "height": image.height,
        "caption": image.caption,
        "credit": image.credit,
    }


def _corrections_html(article) -> str:
    return "".join(
        f"<p>【訂正】{escape(c.text)}（{to_jst(c.created_at):%Y年%m月%d日 %H:%M}）</p>"
        for c in article.corrections.all()
    )


def _beacon_html(article, partner: Partner) -> str:
    # The view beacon as the partner's app runs it; p= marks the view as one of this partner's.
    url = absolute(f"/v/?a={article.pk}&p={partner.pk}")
    return f'<script>navigator.sendBeacon&&navigator.sendBeacon("{url}");</script>'


class _PartnerRss(Rss201rev2Feed):
    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item["content_html"]:
            handler.addQuickElement("content:encoded", item["content_html"])
        for name in item["creators"]:
            handler.addQuickElement("dc:creator", name)


class SmartFormatFeed(_PartnerRss):
    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:content": CONTENT_NS,
            "xmlns:dc": DC_NS,
            "xmlns:media": MEDIA_NS,
            "xmlns:snf": SNF_NS,
        }

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        if self.feed["pub_date"]:  # required in the channel by SmartFormat 2.1
            handler.addQuickElement("pubDate", rfc2822_date(self.feed["pub_date"]))
        for element in ("snf:logo", "snf:darkModeLogo"):
            handler.startElement(element, {})
            handler.addQuickElement("url", self.feed["logo_url"])
            handler.endElement(element)

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item["image"]:
            handler.addQuickElement("media:thumbnail", "", {"url": item["image"]["url"]})
        handler.addQuickElement("snf:analytics", item["analytics"])
        for link in item["related"]:
            attrs = {"title": link["title"], "link": link["link"]}
            handler.addQuickElement("snf:relatedLink", "", attrs)
        if item["promoted"]:
            handler.startElement("snf:advertisement", {})
            handler.addQuickElement("snf:sponsoredLink", "", item["promoted"])
            handler.endElement("snf:advertisement")


class FullTextRssFeed(_PartnerRss):
    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:content": CONTENT_NS,
            "xmlns:dc": DC_NS,
            "xmlns:dcterms": DCTERMS_NS,
            "xmlns:media": MEDIA_NS,
        }

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("dcterms:modified", item["updateddate"].isoformat())
        image = item["image"]
        if image:
            attrs = {"url": image["url"], "medium": "image"}
            if image["width"] and image["height"]:
                attrs.update(width=str(image["width"]), height=str(image["height"]))
            handler.startElement("media:content", attrs)
            if image["credit"]:
                handler.addQuickElement("media:credit", image["credit"])
            if image["caption"]:
                handler.addQuickElement("media:description", image["caption"])
            handler.endElement("media:content")
        for link in item["related"]:
            handler.addQuickElement("atom:link", "", {"rel": "related", "href": link["link"], "title": link["title"]})


FORMATS = {Partner.Format.SMARTFORMAT: SmartFormatFeed, Partner.Format.FULLTEXT_RSS: FullTextRssFeed}


def build_feed(partner: Partner, now=None) -> tuple[bytes, object]:
    """The partner's feed as UTF-8 XML, kept under MAX_BYTES by dropping the oldest items, and the
    latest change among its articles (None for an empty feed)."""
    articles = list(
        articles_for(partner, now).for_cards().prefetch_related("corrections").with_last_changed()[: partner.max_items]
    )
    while True:
        xml = _render(partner, articles, now)
        if len(xml) < MAX_BYTES or not articles:
            return xml, max((a.last_changed for a in articles), default=None)
        articles = articles[: len(articles) * 9 // 10]


def _render(partner: Partner, articles, now) -> bytes:
    feed = FORMATS[partner.format](
        title=settings.SITE_NAME,
        link=absolute("/"),
        description=settings.SITE_DESCRIPTION,
        language="ja",
        feed_copyright=f"© {settings.SITE_NAME}",
        ttl="5",
        logo_url=logo()["url"],
        pub_date=to_jst(articles[0].published_at) if articles else None,
    )
    tags = SMARTFORMAT_TAGS if partner.format == Partner.Format.SMARTFORMAT else ALLOWED_TAGS
    promoted = _promoted(partner, articles)
    for article in articles:
        body = article.body if partner.full_text else f"<p>{escape(article.description)}</p>"
        content = partner_body(body, tags=tags, images=partner.images) + _corrections_html(article)
        related = [
            {"title": partner_title(other, partner), "link": absolute(other.get_absolute_url())}
            for other in related_for(article, partner, now)
        ]
        feed.add_item(
            title=partner_title(article, partner),
            link=absolute(article.get_absolute_url()),
            description=article.description,
            unique_id=absolute(f"/articles/{article.pk}/"),
            unique_id_is_permalink=True,
            pubdate=to_jst(article.published_at),
            updateddate=to_jst(article.last_changed),
            categories=[*([article.sponsor_label] if article.sponsorship else []), article.category.name],
            content_html=content,
            creators=[w.name for w in article.writers.all()],
            image=_image(article.lead_image) if partner.images else None,
            analytics=_beacon_html(article, partner),
            related=related,
            promoted=None if article.sponsorship else promoted,
        )
    return feed.writeString("utf-8").encode("utf-8")


def _promoted(partner: Partner, articles) -> dict | None:
    """snf:sponsoredLink for the newest 広告/PR article in this feed: the site's own promotion,
    shown under the other articles, with its advertiser named."""
    sponsored = next((a for a in articles if a.sponsorship), None)
    if sponsored is None:
        return None
    link = {
        "title": partner_title(sponsored, partner),
        "link": absolute(sponsored.get_absolute_url()),
        "advertiser": sponsored.sponsor_name,
    }
    image = _image(sponsored.lead_image) if partner.images else None
    return {**link, "thumbnail": image["url"]} if image else link


@require_safe
def partner_feed(request, token):
    partner = Partner.objects.filter(token=token, active=True, format__in=FEED_FORMATS).first()
    if partner is None:
        raise Http404("No such feed")
    if not partner.allows(client_ip(request.META)):
        return HttpResponseForbidden("この配信先のフィードは登録されたネットワークからのみ取得できます。")
    xml, last_changed = build_feed(partner)
    response = HttpResponse(xml, content_type="application/rss+xml; charset=utf-8")
    response["Cache-Control"] = "private, no-cache"  # per partner and per address: never in a shared cache
    if last_changed:
        response["Last-Modified"] = http_date(last_changed.timestamp())
    return response
