"""Parts of a reader page that are the same for every reader until a purge, rendered once per purge version.

The site's header and footer (menu, footer pages) change only with the site version; an article's head
metadata, breadcrumb and share links only with the site and article versions (kiji.lib.pagecache): the
versions a cached page must match. So each such part is rendered once per process and version and kept
as long as the side lists are (KIJI_SLOT_MEMO_SECONDS). A purge (an edit, a correction, a publication,
a changed category or writer) changes the key, so the next render shows the change, as the page cache
does. What may differ per request (the view count, comments, the comment form's time token) is never
part of a fragment; neither is anything of a staff preview.
"""

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf
from markupsafe import Markup

from kiji.lib.memo import Memo
from kiji.reader.slotmemo import kept

_fragments = Memo(seconds=settings.KIJI_SLOT_MEMO_SECONDS, max_entries=4000)


def _render(env, name: str, context: dict) -> Markup:
    return Markup(env.get_template(name).render(context))


def _kept(env, key: tuple, article_pk: int | None, name: str, context: dict) -> Markup:
    key = (*key, get_script_prefix(), get_urlconf())
    return kept(_fragments, key, article_pk, lambda: _render(env, name, context))


def site_fragment(env, name: str) -> Markup:
    """A part of every page built from the site alone (header, footer): per site version and menu."""
    from kiji.reader.menu import footer_pages, menu_categories

    # The menu and footer lists are in the key too: a saved category or page renews them in this
    # process before the site version moves (kiji.reader.menu).
    menu = tuple((c.pk, c.slug, c.name) for c in menu_categories())
    footer = tuple((p.pk, p.path, p.title) for p in footer_pages())
    return _kept(env, (name, menu, footer), None, name, {})


def article_fragment(env, name: str, article, **context) -> Markup:
    """A part of an article page built from the article and what the view read with it (writers, tags):
    per site and article version. Staff previews are rendered afresh."""
    context["article"] = article
    if context.get("preview") or not article.pk:
        return _render(env, name, context)
    return _kept(env, (name, article.pk), article.pk, name, context)
