"""URLs the reader site's pages link to, remembered per process (templates and kiji.reader.seo)."""

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static as static_url
from django.urls import get_script_prefix, get_urlconf, reverse

from kiji.lib.memo import Memo

# Reversing a URL costs ~25 µs and an article page links ~40 times (menu, side lists, bylines):
# the same few hundred URLs, so each process remembers them. A URL depends only on the route, its
# arguments, the script prefix and the URLconf, which are all in the key.
_urls = Memo(seconds=3600, max_entries=20000)


def _remember(key, make) -> str:
    return _urls.get_or_set(key, make)


def url(name: str, *args, **kwargs) -> str:
    key = ("url", name, args, tuple(sorted(kwargs.items())), get_script_prefix(), get_urlconf())
    return _remember(key, lambda: reverse(name, args=args or None, kwargs=kwargs or None))


def href(obj) -> str:
    """obj.get_absolute_url(), remembered: for categories, tags, writers and articles it depends on pk and slug."""
    key = (type(obj), obj.pk, getattr(obj, "slug", None), get_script_prefix(), get_urlconf())
    return _remember(key, obj.get_absolute_url)


def static(path: str) -> str:
    """The static file's URL (hashed name with the manifest storage), remembered like url()."""
    return _remember(("static", path, get_script_prefix()), lambda: static_url(path))


@receiver(setting_changed)
def _forget_urls(setting, **kwargs):
    # Tests (and only tests) change the URLconf or static settings within one process.
    if setting in ("ROOT_URLCONF", "STATIC_URL", "STORAGES", "FORCE_SCRIPT_NAME"):
        _urls.clear()
