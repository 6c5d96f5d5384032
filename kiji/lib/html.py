"""The one HTML sanitizer: article bodies pass through here before they are stored."""

import nh3

# What an article body may contain: structure and emphasis a newsroom uses, nothing that runs.
ALLOWED_TAGS = {
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "sub",
    "sup",
    "mark",
    "ul",
    "ol",
    "li",
    "blockquote",
    "q",
    "cite",
    "a",
    "figure",
    "figcaption",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "caption",
    "hr",
    "ruby",
    "rt",
    "rp",
    "small",
    # Imported WordPress posts use these (code samples, glossaries, edits marked as such).
    "pre",
    "code",
    "kbd",
    "abbr",
    "del",
    "ins",
    "dl",
    "dt",
    "dd",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
    "abbr": {"title"},
}
# The only classes kept: a picture grid (an imported [gallery]) and a link card (an embed, with no third-party request).
ALLOWED_CLASSES = {"figure": {"gallery"}, "p": {"link-card"}}


def sanitize_html(html: str) -> str:
    """HTML with every script, style, event attribute and unsafe URL removed."""
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def plain_text_to_html(text: str) -> str:
    """Paragraphs from plain text (blank lines split paragraphs, single newlines become <br>), escaped."""
    from html import escape

    paragraphs = [p.strip("\n") for p in text.replace("\r\n", "\n").split("\n\n")]
    return "".join(
        "<p>" + "<br>".join(escape(line) for line in p.split("\n")) + "</p>" for p in paragraphs if p.strip()
    )


def html_to_text(html: str) -> str:
    """Visible text of sanitized HTML, for excerpts, search and descriptions."""
    import re
    from html import unescape

    text = re.sub(r"<(br|/p|/h[2-4]|/li|/blockquote)\b[^>]*>", "\n", html or "")
    return unescape(re.sub(r"<[^>]+>", "", text)).strip()
