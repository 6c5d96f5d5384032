"""WordPress post content as Kiji article HTML: what WordPress showed, without WordPress's code.

Block-editor comments go (their HTML stays), classic posts get paragraphs as `wpautop` makes them,
and shortcodes are rendered (caption, embed) or removed and counted: none ever reaches a reader.
The result still goes through the article's sanitizer on save.
"""

import re
from collections import Counter
from collections.abc import Callable
from html import escape
from urllib.parse import urlsplit

_BLOCK_COMMENT = re.compile(r"<!--\s*/?wp:[^>]*?-->\s*", re.S)
_MORE = re.compile(r"<!--\s*(more|nextpage|noteaser)\b[^>]*-->", re.I)
# [name attrs] … [/name] or [name attrs /] or [name attrs]; [[name]] is an escaped, literal one.
_SHORTCODE = re.compile(
    r"\[(?P<escape>\[?)(?P<name>[a-z][a-z0-9_-]*)(?=[\s\]/])(?P<attrs>[^\]]*?)(?P<self>/)?\]"
    r"(?:(?P<inner>.*?)\[/(?P=name)\])?(?P<escape_end>\]?)",
    re.S,
)
_ATTR = re.compile(r'([\w-]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\'|(\S+))')
_BLOCK_TAGS = (
    "p|div|blockquote|ul|ol|li|h[1-6]|figure|figcaption|table|thead|tbody|tr|td|th|pre|hr|dl|dt|dd|"
    "section|article|aside|address|iframe|form|details|summary"
)
_STARTS_BLOCK = re.compile(rf"^\s*</?({_BLOCK_TAGS})\b", re.I)
_ONLY_URL = re.compile(r"^\s*(https?://\S+)\s*$")


Gallery = Callable[[dict[str, str]], str]  # a [gallery]'s attributes → its figure grid


def convert(content: str, shortcodes: Counter | None = None, gallery: Gallery | None = None) -> str:
    """The post's HTML for a Kiji article body; shortcode names removed are counted in `shortcodes`."""
    shortcodes = shortcodes if shortcodes is not None else Counter()
    text = content.replace("\r\n", "\n").replace("\r", "\n")
    is_blocks = "<!-- wp:" in text
    text = _BLOCK_COMMENT.sub("", text)
    text = _MORE.sub("", text)
    text = render_shortcodes(text, shortcodes, gallery)
    return text if is_blocks else autop(text)


def render_shortcodes(text: str, counts: Counter, gallery: Gallery | None = None) -> str:
    def replace(match: re.Match) -> str:
        name, inner = match["name"], match["inner"]
        if match["escape"] and match["escape_end"]:
            return match.group(0)[1:-1]  # [[x]] is how WordPress writes a literal [x]
        attrs = {m[1].lower(): m[2] or m[3] or m[4] or "" for m in _ATTR.finditer(match["attrs"] or "")}
        prefix = match["escape"] or ""
        suffix = match["escape_end"] or ""
        if name in ("caption", "wp_caption"):
            return prefix + _caption(inner or "", attrs, counts) + suffix
        if name == "gallery" and gallery is not None:
            return prefix + gallery(attrs) + suffix
        if name == "embed":
            return prefix + _link_card((inner or attrs.get("src", "")).strip()) + suffix
        counts[name] += 1
        # Unknown or not rendered here: the tags go, any text they enclose stays.
        return prefix + (render_shortcodes(inner, counts, gallery) if inner else "") + suffix

    return _SHORTCODE.sub(replace, text)


def _caption(inner: str, attrs: dict, counts: Counter) -> str:
    inner = render_shortcodes(inner, counts)
    caption = attrs.get("caption", "")
    match = re.match(r"\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$", inner, re.S)
    media, rest = (match[1], match[2]) if match else ("", inner)
    caption = (caption or rest).strip()
    return f"<figure>{media}<figcaption>{caption}</figcaption></figure>" if caption else f"<figure>{media}</figure>"


SITE_NAMES = {
    "youtube.com": "YouTube",
    "youtu.be": "YouTube",
    "x.com": "X",
    "twitter.com": "X",
    "instagram.com": "Instagram",
    "facebook.com": "Facebook",
    "vimeo.com": "Vimeo",
    "tiktok.com": "TikTok",
    "nicovideo.jp": "ニコニコ動画",
    "spotify.com": "Spotify",
    "soundcloud.com": "SoundCloud",
}


def _link_card(url: str) -> str:
    """An embed as a plain link with its site's name: nothing is fetched from that site, now or on load."""
    if not url.startswith(("http://", "https://")):
        return ""
    host = (urlsplit(url).hostname or "").removeprefix("www.").removeprefix("m.")
    site = next((name for domain, name in SITE_NAMES.items() if host == domain or host.endswith("." + domain)), host)
    safe = escape(url, quote=True)
    return f'<p class="link-card">{escape(site)}: <a href="{safe}">{safe}</a></p>'


def autop(text: str) -> str:
    """Paragraphs as WordPress's wpautop makes them: blank lines split, single newlines become <br>."""
    out = []
    for chunk in re.split(r"\n\s*\n", text):
        chunk = chunk.strip("\n")
        if not chunk.strip():
            continue
        if url := _ONLY_URL.match(chunk):
            out.append(_link_card(url[1]))  # a bare URL on its own line: WordPress embedded it
        elif _STARTS_BLOCK.match(chunk):
            out.append(chunk)
        else:
            out.append("<p>" + "<br>\n".join(line.strip() for line in chunk.split("\n")) + "</p>")
    return "\n".join(out)


def gallery_grid(pictures: list[tuple[str, str, str]]) -> str:
    """A figure grid of (src, alt, caption) pictures, as a [gallery] showed them."""
    figures = []
    for src, alt, caption in pictures:
        img = f'<img src="{escape(src, quote=True)}" alt="{escape(alt, quote=True)}">'
        figures.append(
            f"<figure>{img}<figcaption>{escape(caption)}</figcaption></figure>"
            if caption
            else f"<figure>{img}</figure>"
        )
    return f'<figure class="gallery">{"".join(figures)}</figure>' if figures else ""
