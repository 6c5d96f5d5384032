"""Reading revisions: what a snapshot held and how it differs from the article today."""

import difflib
from dataclasses import dataclass

from kiji.lib.html import html_to_text, sanitize_html
from kiji.newsroom.models import Article, Revision
from kiji.newsroom.services.publishing import snapshot


@dataclass
class DiffLine:
    kind: str  # "same", "added" (only in the current text) or "removed" (only in the revision)
    text: str


def _lines(data: dict) -> list[str]:
    lines = [data.get("headline") or ""]
    if data.get("deck"):
        lines.append(data["deck"])
    body = html_to_text(data.get("body") or "")
    return lines + [line.strip() for line in body.splitlines() if line.strip()]


def diff_against_current(revision: Revision, article: Article) -> list[DiffLine]:
    """Line by line: the revision's visible text against the article's current visible text."""
    kinds = {" ": "same", "+": "added", "-": "removed"}
    return [
        DiffLine(kinds[line[0]], line[2:])
        for line in difflib.ndiff(_lines(revision.data), _lines(snapshot(article)))
        if line[0] in kinds
    ]


def revision_body_html(revision: Revision) -> str:
    """The revision's body, sanitized again before it is shown (it was stored sanitized)."""
    return sanitize_html(revision.data.get("body") or "")
