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
# The elements wpautop treats as blocks: never wrapped in <p>, never followed by a <br>.
_BLOCK_TAGS = (
    "table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|area|"
    "blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|header|"
    "footer|nav|figure|figcaption|details|menu|summary|iframe"
)
_OPENS_BLOCK = re.compile(rf"(<(?:{_BLOCK_TAGS})[\s/>])", re.I)
_CLOSES_BLOCK = re.compile(rf"(</(?:{_BLOCK_TAGS})>)", re.I)
_BLOCK_TAG = rf"</?(?:{_BLOCK_TAGS})[^>]*>"
_PRE = re.compile(r"<pre\b.*?</pre>", re.I | re.S)
_URL_LINE = re.compile(r"^[ \t]*(https?://[^\s<>\"]+)[ \t]*$", re.M)


Gallery = Callable[[dict[str, str]], str]  # a [gallery]'s attributes → its figure grid


def convert(content: str, shortcodes: Counter | None = None, gallery: Gallery | None = None) -> str:
    """The post's HTML for a Kiji article body; shortcode names removed are counted in `shortcodes`."""
    shortcodes = shortcodes if shortcodes is not None else Counter()
    text = content.replace("\r\n", "\n").replace("\r", "\n")
    is_blocks = "<!-- wp:" in text
    text = _BLOCK_COMMENT.sub("", text)
    text = _MORE.sub("", text)
    if is_blocks:
        text = render_shortcodes(text, shortcodes, gallery)
    else:
        # WordPress renders shortcodes after wpautop: their figures never get its <p> and <br>.
        kept: list[str] = []
        text = autop(render_shortcodes(text, shortcodes, gallery, keep=_keeper(kept)), kept)
    # The page's own <h1> is the headline; an article's headings are h2-h4, as the editor makes them.
    text = re.sub(r"<(/?)h1\b", r"<\1h2", text, flags=re.I)
    return re.sub(r"<(/?)h[56]\b", r"<\1h4", text, flags=re.I)


def _keeper(kept: list[str]) -> Callable[[str], str]:
    """Puts a finished fragment aside and leaves a placeholder autop treats as a block of its own."""

    def keep(html: str) -> str:
        kept.append(html)
        return f"<kiji-kept-{len(kept) - 1}>" if html else ""

    return keep


def render_shortcodes(
    text: str, counts: Counter, gallery: Gallery | None = None, keep: Callable[[str], str] = str
) -> str:
    def replace(match: re.Match) -> str:
        name, inner = match["name"], match["inner"]
        if match["escape"] and match["escape_end"]:
            return match.group(0)[1:-1]  # [[x]] is how WordPress writes a literal [x]
        attrs = {m[1].lower(): m[2] or m[3] or m[4] or "" for m in _ATTR.finditer(match["attrs"] or "")}
        prefix = match["escape"] or ""
        suffix = match["escape_end"] or ""
        if name in ("caption", "wp_caption"):
            return prefix + keep(_caption(inner or "", attrs, counts)) + suffix
        if name == "gallery" and gallery is not None:
            return prefix + keep(gallery(attrs)) + suffix
        if name == "embed":
            return prefix + keep(_link_card((inner or attrs.get("src", "")).strip())) + suffix
        counts[name] += 1
        # Unknown or not rendered here: the tags go, any text they enclose stays.
        return prefix + (render_shortcodes(inner, counts, gallery, keep) if inner else "") + suffix

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


def autop(text: str, kept: list[str] | None = None) -> str:
    """Paragraphs as WordPress's wpautop makes them from a classic post.

    Blank lines split paragraphs and single newlines become <br>, but block elements (headings,
    lists, tables, quotes, figures) stand on their own: never inside a <p>, with no <br> between
    their rows or items. <pre> keeps its newlines. A URL alone on its line is an embed there:
    here a link card. `kept` holds finished fragments (rendered shortcodes) whose placeholders
    (<kiji-kept-N>) stand in the text: each becomes a block of its own, left as it is.
    """
    if not text.strip():
        return ""
    kept = kept if kept is not None else []
    keep = _keeper(kept)
    text = _PRE.sub(lambda m: keep(m.group(0)), text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _URL_LINE.sub(lambda m: "\n\n" + _link_card(m[1]) + "\n\n", text)
    text = re.sub(r"<br\s*/?>\s*<br\s*/?>", "\n\n", text, flags=re.I)
    text = _OPENS_BLOCK.sub(r"\n\n\1", text)
    text = _CLOSES_BLOCK.sub(r"\1\n\n", text)
    text = re.sub(r"(<hr\s*/?>)", r"\1\n\n", text, flags=re.I)
    text = re.sub(r"(<kiji-kept-\d+>)", r"\n\n\1\n\n", text)
    paragraphs = [chunk.strip() for chunk in re.split(r"\n\s*\n", text) if chunk.strip()]
    html = "".join(f"<p>{chunk}</p>\n" for chunk in paragraphs)
    # A "paragraph" that is, or starts or ends with, a block element is not one.
    html = re.sub(rf"<p>\s*({_BLOCK_TAG}|<kiji-kept-\d+>)\s*</p>", r"\1", html, flags=re.I)
    # An item whose text is followed by a nested list: the item is no paragraph either.
    html = re.sub(r"<p>(<(?:li|dt|dd|th|td)\b.+?)</p>", r"\1", html, flags=re.I | re.S)
    html = re.sub(r"<p><blockquote([^>]*)>", r"<blockquote\1><p>", html, flags=re.I)
    html = re.sub(r"</blockquote></p>", "</p></blockquote>", html, flags=re.I)
    html = re.sub(rf"<p>\s*({_BLOCK_TAG})", r"\1", html, flags=re.I)
    html = re.sub(rf"({_BLOCK_TAG})\s*</p>", r"\1", html, flags=re.I)
    # Single newlines inside a paragraph are line breaks, except right beside a block element.
    html = re.sub(r"<br\s*/?>", "<br>", html, flags=re.I)
    html = re.sub(r"(?<!<br>)\s*\n(?!$)", "<br>\n", html.rstrip("\n")) + "\n"
    html = re.sub(rf"({_BLOCK_TAG})\s*<br>", r"\1", html, flags=re.I)
    html = re.sub(r"<br>(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)", r"\1", html, flags=re.I)
    html = re.sub(r"(<kiji-kept-\d+>)\s*<br>", r"\1", html)
    html = re.sub(r"<br>(\s*<kiji-kept-\d+>)", r"\1", html)
    html = re.sub(r"<kiji-kept-(\d+)>", lambda m: kept[int(m[1])], html)
    return html.strip()


_EMPTY = re.compile(r"<(a|figure|figcaption|li|p|span|div)\b[^>]*>\s*</\1>", re.I)


def drop_empty(html: str) -> str:
    """Elements left holding nothing (a gallery item whose picture was not in UPLOADS and had no alt
    text) go, innermost first, so a reader sees no empty bullet or box where the picture was."""
    while True:
        html, n = _EMPTY.subn("", html)
        if not n:
            return html


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
