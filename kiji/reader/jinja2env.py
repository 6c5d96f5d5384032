"""The Jinja2 environment of the reader site: a few globals and filters, autoescape on."""

from django.conf import settings

from jinja2 import Environment
from kiji.lib.dates import format_jst, iso_jst
from kiji.reader import fragments, seo
from kiji.reader.images import image_attrs
from kiji.reader.links import href, static, url
from kiji.reader.menu import footer_pages, menu_categories


def environment(**options) -> Environment:
    env = Environment(**options)
    env.globals.update(
        static=static,
        url=url,
        menu_categories=menu_categories,
        footer_pages=footer_pages,
        image_attrs=image_attrs,
        seo=seo,  # head metadata, JSON-LD and share links (distribution)
        SITE_NAME=settings.SITE_NAME,
        SITE_URL=settings.SITE_URL,
        SITE_DESCRIPTION=settings.SITE_DESCRIPTION,
    )
    env.globals.update(
        # Parts rendered once per purge version (kiji.reader.fragments).
        site_fragment=lambda name: fragments.site_fragment(env, name),
        article_fragment=lambda name, article, **context: fragments.article_fragment(env, name, article, **context),
    )
    env.filters.update(jst=format_jst, iso=iso_jst, href=href)
    return env
