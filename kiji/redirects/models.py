"""Old addresses (a WordPress site's permalinks, ?p=ID, archives, feeds) and where they live now."""

import re
from urllib.parse import parse_qsl, unquote, urlsplit

from django.db import models
from django.utils.translation import gettext_lazy as _

# The query parameters WordPress answers on its front page (/?p=12, /?page_id=2, /?cat=3 …).
WP_QUERY_KEYS = ("p", "page_id", "cat", "tag", "author", "name", "attachment_id", "pagename", "m", "feed")


def is_old_front_page_query(path: str, query: str) -> bool:
    """/?p=12 and the like: an address WordPress answered on its front page, which here must reach the
    redirects before any copy of the home page (whose cache key holds no such parameter) answers it."""
    if path != "/" or not query:
        return False
    return any(name in WP_QUERY_KEYS for name, _ in parse_qsl(query, keep_blank_values=True))


def old_path_key(path: str, query: dict[str, str] | None = None) -> str:
    """The one spelling of an old address: decoded path, and on the front page its WordPress query key."""
    path = re.sub(r"/{2,}", "/", "/" + unquote(path or "/"))  # //greek/x/ (a doubled slash in a link) is /greek/x/
    if query:
        for key in WP_QUERY_KEYS:
            if query.get(key):
                return f"{path}?{key}={query[key]}"
    return path


def key_for_url(url: str) -> str:
    """old_path_key for a full address as written in an export (http://old.example/?p=12)."""
    parts = urlsplit(url)
    query = dict(pair.split("=", 1) for pair in parts.query.split("&") if "=" in pair)
    return old_path_key(parts.path or "/", {k: unquote(v) for k, v in query.items()})


class Redirect(models.Model):
    old_path = models.CharField(
        _("old address"),
        max_length=500,
        unique=True,
        help_text=_("Path on the old site, e.g. /2020/04/01/slug/ or /?p=12"),
    )
    new_path = models.CharField(_("new address"), max_length=500, help_text=_("Path on this site, e.g. /articles/12/"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["old_path"]
        verbose_name = _("redirect")
        verbose_name_plural = _("redirects")

    def __str__(self):
        return f"{self.old_path} → {self.new_path}"

    def save(self, *args, **kwargs):
        self.old_path = canonical_old_path(self.old_path)
        super().save(*args, **kwargs)


def canonical_old_path(old: str) -> str:
    """The key an old address is stored under (save() applies it; a bulk import calls it itself)."""
    return old_path_key(*_split(old))


def _split(old: str) -> tuple[str, dict[str, str]]:
    path, _, query = old.partition("?")
    return path, dict(pair.split("=", 1) for pair in query.split("&") if "=" in pair)
