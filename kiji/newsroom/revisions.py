"""Reading revisions: what a snapshot held and how it differs from the article today."""

import difflib
from dataclasses import dataclass

from kiji.lib.html import html_to_text, sanitize_html
from kiji.newsroom.models import Article, Revision
from kiji.newsroom.services.publishing import snapshot


@dataclass
class DiffLine:
    """One line of a comparison. kind: "same", "removed" (only in the older text) or "added" (only in the
    newer). `parts` are (changed, text) pieces: inside a changed paragraph only the characters that differ
    are marked, so 5000 → 6000 highlights one digit, not two whole paragraphs."""

    kind: str
    parts: list[tuple[bool, str]]

    @property
    def text(self) -> str:
        return "".join(text for _changed, text in self.parts)


def _lines(data: dict) -> list[str]:
    lines = [data.get("headline") or ""]
    if data.get("deck"):
        lines.append(data["deck"])
    body = html_to_text(data.get("body") or "")
    return lines + [line.strip() for line in body.splitlines() if line.strip()]


def _char_diff(old: str, new: str) -> tuple[DiffLine, DiffLine]:
    """A paragraph changed in place: the characters only in `old` and only in `new` marked."""
    removed, added = [], []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            removed.append((False, old[a1:a2]))
            added.append((False, new[b1:b2]))
            continue
        if a2 > a1:
            removed.append((True, old[a1:a2]))
        if b2 > b1:
            added.append((True, new[b1:b2]))
    return DiffLine("removed", _joined(removed)), DiffLine("added", _joined(added))


def _joined(parts: list[tuple[bool, str]]) -> list[tuple[bool, str]]:
    joined: list[tuple[bool, str]] = []
    for changed, text in parts:
        if joined and joined[-1][0] == changed:
            joined[-1] = (changed, joined[-1][1] + text)
        else:
            joined.append((changed, text))
    return joined


# Below this similarity two paragraphs are a removal and an addition, not one paragraph edited.
_SAME_PARAGRAPH = 0.4


def diff_texts(old: dict, new: dict) -> list[DiffLine]:
    """Paragraph by paragraph, then character by character inside each paragraph edited in place."""
    a, b = _lines(old), _lines(new)
    result = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            result += [DiffLine("same", [(False, line)]) for line in a[a1:a2]]
            continue
        olds, news = a[a1:a2], b[b1:b2]
        for i in range(max(len(olds), len(news))):
            before, after = (olds[i] if i < len(olds) else None), (news[i] if i < len(news) else None)
            if before is not None and after is not None:
                if difflib.SequenceMatcher(None, before, after, autojunk=False).ratio() >= _SAME_PARAGRAPH:
                    result += _char_diff(before, after)
                    continue
            if before is not None:
                result.append(DiffLine("removed", [(True, before)]))
            if after is not None:
                result.append(DiffLine("added", [(True, after)]))
    return result


def diff_against_current(revision: Revision, article: Article) -> list[DiffLine]:
    """The revision's visible text against the article's current visible text."""
    return diff_texts(revision.data, snapshot(article))


def revision_body_html(revision: Revision) -> str:
    """The revision's body, sanitized again before it is shown (it was stored sanitized)."""
    return sanitize_html(revision.data.get("body") or "")
