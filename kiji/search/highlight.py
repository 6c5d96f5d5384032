"""Highlighted titles and snippets, built safely: the text is escaped here, then <mark> is added.

Index text and article text are never trusted as HTML; the only markup in the result is ours.
"""

from markupsafe import Markup, escape

from kiji.search.tokenize import spans

SNIPPET_CHARS = 120
SCAN_CHARS = 6000  # tokenize at most this much of a body looking for a hit (keeps a results page fast)


def highlight(text: str, wanted: set[str]) -> Markup:
    """All of `text`, escaped, with each word whose normalized form is wanted in <mark>."""
    return _marked(text, _hits(text, wanted), 0, len(text))


def snippet(text: str, wanted: set[str], *, length: int = SNIPPET_CHARS) -> Markup:
    """About `length` characters of `text` around its first hit, escaped and marked."""
    text = " ".join(text.split())
    hits = _hits(text[:SCAN_CHARS], wanted)
    start = max(0, hits[0][0] - length // 4) if hits else 0
    end = min(len(text), start + length)
    out = _marked(text, hits, start, end)
    return Markup("…" if start else "") + out + Markup("…" if end < len(text) else "")


def _hits(text: str, wanted: set[str]) -> list[tuple[int, int]]:
    return [(start, end) for start, end, form in spans(text) if form in wanted]


def _marked(text: str, hits: list[tuple[int, int]], start: int, end: int) -> Markup:
    out, pos = [], start
    for hit_start, hit_end in hits:
        if hit_start < pos or hit_end > end:
            continue
        out.append(escape(text[pos:hit_start]))
        out.append(Markup("<mark>%s</mark>") % text[hit_start:hit_end])  # % escapes the argument
        pos = hit_end
    out.append(escape(text[pos:end]))
    return Markup("").join(out)
