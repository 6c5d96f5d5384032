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
    first = _first_hit(text, wanted)
    start = max(0, first - length // 4) if first is not None else 0
    end = min(len(text), start + length)
    # Tokenize only the window (plus a margin, so words cut at its edges are still whole).
    margin = max(0, start - 20)
    hits = [(s + margin, e + margin) for s, e in _hits(text[margin : end + 20], wanted)]
    out = _marked(text, hits, start, end)
    return Markup("…" if start else "") + out + Markup("…" if end < len(text) else "")


def _first_hit(text: str, wanted: set[str]) -> int | None:
    """Where the first wanted word starts: a plain find when it is spelled as normalized (most
    often), else Sudachi over the text a piece at a time (附属 for 付属, ｽﾏﾎ for スマホ ...)."""
    lowered = text.lower()
    found = [i for i in (lowered.find(word) for word in wanted) if i >= 0]
    if found:
        return min(found)
    for offset in range(0, min(len(text), SCAN_CHARS), 1000):
        hits = _hits(text[offset : offset + 1020], wanted)
        if hits:
            return offset + hits[0][0]
    return None


def _hits(text: str, wanted: set[str]) -> list[tuple[int, int]]:
    return [(start, end) for start, end, form in spans(text, parts=True) if form in wanted]


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
