"""The Jinja2 environment of the reader site: a few globals and filters, autoescape on."""

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from jinja2 import Environment

from kiji.lib.dates import format_jst, iso_jst
from kiji.reader import seo, slots
from kiji.reader.cache import SlotMemo
from kiji.reader.images import image_attrs
from kiji.reader.menu import menu_categories


def url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def environment(**options) -> Environment:
    env = Environment(**options)
    env.globals.update(
        static=static,
        url=url,
        menu_categories=menu_categories,
        image_attrs=image_attrs,
        slots=SlotMemo(slots, settings.KIJI_SLOT_MEMO_SECONDS),  # side lists remembered a few seconds
        seo=seo,  # head metadata, JSON-LD and share links (distribution)
        SITE_NAME=settings.SITE_NAME,
        SITE_URL=settings.SITE_URL,
        SITE_DESCRIPTION=settings.SITE_DESCRIPTION,
    )
    env.filters.update(jst=format_jst, iso=iso_jst)
    return env
