"""Reading a WordPress export (WXR 1.0–1.2) as a stream of plain records, with lxml iterparse.

Namespaces are matched by what they are, not by their exact URI: WordPress has written
`http://wordpress.org/export/1.x/` and, on WordPress.com, `https://…`. Each element is cleared
once read, so memory stays flat whatever the file's size.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

_WP = re.compile(r"^https?://wordpress\.org/export/1\.[0-2]/$")
_EXCERPT = re.compile(r"^https?://wordpress\.org/export/1\.[0-2]/excerpt/$")
_PREFIXES = {
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://wellformedweb.org/CommentAPI/": "wfw",
}


class WxrError(Exception):
    """An export that cannot be read: where (line, column) and why, in a sentence."""

    def __init__(self, message: str, line: int = 0, column: int = 0):
        where = (f"{line} 行 {column} 列: " if column else f"{line} 行目: ") if line else ""
        super().__init__(f"{where}{message}")
        self.line, self.column = line, column


@dataclass
class Author:
    login: str
    email: str = ""
    display_name: str = ""
    first_name: str = ""
    last_name: str = ""
    wp_id: str = ""


@dataclass
class Term:
    """A category or tag (wp:category, wp:tag, or WXR 1.2's wp:term)."""

    taxonomy: str  # "category" or "post_tag"
    slug: str
    name: str
    parent: str = ""  # the parent's slug
    description: str = ""
    term_id: str = ""


@dataclass
class WpComment:
    wp_id: str
    author: str
    author_url: str
    date_gmt: datetime | None
    content: str
    approved: str  # "1", "0", "spam", "trash"
    type: str  # "", "comment", "pingback", "trackback"
    parent: str  # "0" for none


@dataclass
class Item:
    """A post, page, attachment or anything else the export holds (nav menu items …)."""

    wp_id: str
    post_type: str
    title: str = ""
    link: str = ""
    guid: str = ""
    creator: str = ""
    content: str = ""
    excerpt: str = ""
    status: str = ""
    slug: str = ""
    parent: str = "0"
    menu_order: int = 0
    password: str = ""
    sticky: bool = False
    date_gmt: datetime | None = None
    date_local: datetime | None = None
    attachment_url: str = ""
    terms: list[tuple[str, str, str]] = field(default_factory=list)  # (taxonomy, slug, name)
    meta: dict[str, list[str]] = field(default_factory=dict)
    comments: list[WpComment] = field(default_factory=list)
    line: int = 0

    def first_meta(self, key: str) -> str:
        values = self.meta.get(key)
        return values[0] if values else ""


@dataclass
class Site:
    title: str = ""
    link: str = ""
    base_site_url: str = ""
    base_blog_url: str = ""
    version: str = ""


def _key(tag: str) -> str:
    """`wp:post_id`, `content:encoded`, `excerpt:encoded`, `dc:creator` or the bare RSS name."""
    try:
        return _KEYS[tag]  # an export names a few dozen elements, each many times (~50 a post)
    except (KeyError, TypeError):
        pass
    if not isinstance(tag, str):
        return ""  # a comment or processing instruction
    key = _name(tag)
    if len(_KEYS) < 1000:  # a hostile file's endless names do not grow it
        _KEYS[tag] = key
    return key


_KEYS: dict[str, str] = {}


def _name(tag: str) -> str:
    if tag[0] != "{":
        return tag
    uri, local = tag[1:].split("}", 1)
    if _WP.match(uri):
        return "wp:" + local
    if _EXCERPT.match(uri):
        return "excerpt:" + local
    prefix = _PREFIXES.get(uri)
    return f"{prefix}:{local}" if prefix else local


def _text(element) -> str:
    # lxml joins CDATA sections split anywhere into one text; None for an empty element.
    return element.text or ""


def _children(element) -> dict[str, str]:
    return {_key(child.tag): _text(child) for child in element}


def _gmt(value: str) -> datetime | None:
    value = (value or "").strip()
    if not value or value.startswith("0000"):
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def _int(value: str) -> int:
    try:
        return int((value or "0").strip())
    except ValueError:
        return 0


def read_export(path: str | Path) -> Iterator[Site | Author | Term | Item]:
    """The export's site facts, then its authors, terms and items in file order; WxrError when it is not WXR."""
    path = Path(path)
    if not path.is_file():
        raise WxrError(f"{path}: ファイルが見つかりません。")
    site: Site | None = Site()
    site_given = site
    seen_channel = False
    stream = None
    try:
        # huge_tree: a single post's content may be larger than libxml2's default text limit.
        stream = _CdataRepair(path.open("rb"))
        events = etree.iterparse(stream, events=("start", "end"), huge_tree=True, resolve_entities=False)
        for event, element in events:
            key = _key(element.tag)
            if event == "start":
                if key == "channel":
                    seen_channel = True
                continue
            parent = element.getparent()
            if parent is None or _key(parent.tag) != "channel":
                continue
            if key in _SITE_FIELDS and site is not None:
                if not getattr(site, _SITE_FIELDS[key]):
                    setattr(site, _SITE_FIELDS[key], _text(element).strip())
            elif key in _RECORDS:
                if site is not None:  # the channel's facts come first: hand them over once
                    yield site
                    site = None
                if record := _RECORDS[key](key, element):
                    yield record
            else:
                continue
            # Read: drop it and what came before it, so memory does not grow with the file.
            element.clear()
            while element.getprevious() is not None:
                del parent[0]
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (exc.lineno or 0, 0)
        raise WxrError(f"XML として正しくありません（{exc.msg}）。何も取り込んでいません。", line, column) from None
    finally:
        if stream is not None:
            stream.close()
    if site is not None:
        yield site  # an export with nothing in it but its channel
    if not seen_channel:
        raise WxrError("WordPress のエクスポート（WXR）ではありません: <channel> がありません。")
    if not site_given.version:
        raise WxrError("WordPress のエクスポート（WXR）ではありません: wp:wxr_version がありません。")


def _author(key: str, element) -> Author:
    f = _children(element)
    return Author(
        login=f.get("wp:author_login", "").strip(),
        email=f.get("wp:author_email", "").strip(),
        display_name=f.get("wp:author_display_name", "").strip(),
        first_name=f.get("wp:author_first_name", "").strip(),
        last_name=f.get("wp:author_last_name", "").strip(),
        wp_id=f.get("wp:author_id", "").strip(),
    )


def _term(key: str, element) -> Term | None:
    f = _children(element)
    term_id = f.get("wp:term_id", "").strip()
    if key == "wp:category":
        return Term(
            "category",
            f.get("wp:category_nicename", "").strip(),
            f.get("wp:cat_name", "").strip(),
            f.get("wp:category_parent", "").strip(),
            f.get("wp:category_description", ""),
            term_id,
        )
    if key == "wp:tag":
        return Term(
            "post_tag",
            f.get("wp:tag_slug", "").strip(),
            f.get("wp:tag_name", "").strip(),
            description=f.get("wp:tag_description", ""),
            term_id=term_id,
        )
    taxonomy = f.get("wp:term_taxonomy", "").strip()
    if taxonomy not in ("category", "post_tag"):
        return None  # nav menus, post formats …
    return Term(
        taxonomy,
        f.get("wp:term_slug", "").strip(),
        f.get("wp:term_name", "").strip(),
        f.get("wp:term_parent", "").strip(),
        f.get("wp:term_description", ""),
        term_id,
    )


def _item(key: str, element) -> Item:
    item = Item(wp_id="", post_type="", line=element.sourceline or 0)
    for child in element:
        key = _key(child.tag)
        value = _text(child)
        if key == "category":
            domain = child.get("domain", "")
            if domain in ("category", "post_tag"):
                item.terms.append((domain, (child.get("nicename") or "").strip(), value.strip()))
        elif key == "wp:postmeta":
            f = _children(child)
            item.meta.setdefault(f.get("wp:meta_key", ""), []).append(f.get("wp:meta_value", ""))
        elif key == "wp:comment":
            item.comments.append(_comment(child))
        elif key in _ITEM_FIELDS:
            name, convert = _ITEM_FIELDS[key]
            setattr(item, name, convert(value))
    return item


def _comment(element) -> WpComment:
    f = _children(element)
    return WpComment(
        wp_id=f.get("wp:comment_id", "").strip(),
        author=f.get("wp:comment_author", "").strip(),
        author_url=f.get("wp:comment_author_url", "").strip(),
        date_gmt=_gmt(f.get("wp:comment_date_gmt", "")) or _gmt(f.get("wp:comment_date", "")),
        content=f.get("wp:comment_content", ""),
        approved=f.get("wp:comment_approved", "").strip(),
        type=f.get("wp:comment_type", "").strip(),
        parent=f.get("wp:comment_parent", "0").strip() or "0",
    )


def _strip(value: str) -> str:
    return value.strip()


def _keep(value: str) -> str:
    return value


_ITEM_FIELDS = {
    "title": ("title", _keep),
    "link": ("link", _strip),
    "guid": ("guid", _strip),
    "dc:creator": ("creator", _strip),
    "content:encoded": ("content", _keep),
    "excerpt:encoded": ("excerpt", _keep),
    "wp:post_id": ("wp_id", _strip),
    "wp:post_type": ("post_type", _strip),
    "wp:status": ("status", _strip),
    "wp:post_name": ("slug", _strip),
    "wp:post_parent": ("parent", lambda v: v.strip() or "0"),
    "wp:menu_order": ("menu_order", _int),
    "wp:post_password": ("password", _keep),
    "wp:is_sticky": ("sticky", lambda v: v.strip() == "1"),
    "wp:post_date_gmt": ("date_gmt", _gmt),
    "wp:post_date": ("date_local", _gmt),
    "wp:attachment_url": ("attachment_url", _strip),
}


_SITE_FIELDS = {
    "title": "title",
    "link": "link",
    "wp:wxr_version": "version",
    "wp:base_site_url": "base_site_url",
    "wp:base_blog_url": "base_blog_url",
}
_RECORDS = {"wp:author": _author, "wp:category": _term, "wp:tag": _term, "wp:term": _term, "item": _item}


class _CdataRepair:
    """The export's bytes, with a `]]>` inside CDATA that does not end it re-split as WordPress does now.

    Old WordPress wrote content holding `]]>` (e.g. a post quoting `<![CDATA[ … ]]>`) into one CDATA
    section unescaped. WordPress's own importer reads such files; so does this. A `]]>` ends the section
    only when a closing tag or another CDATA section follows; any other is content and becomes
    `]]]]><![CDATA[>`. Anything else that is not well-formed stays so and is refused.
    """

    CHUNK = 1 << 20
    LOOKAHEAD = 4096  # whitespace between a section's end and its closing tag, at most

    def __init__(self, raw):
        self.raw = raw
        self.pending = b""
        self.in_cdata = False
        self.eof = False

    def close(self) -> None:
        self.raw.close()

    def read(self, size: int = -1) -> bytes:
        out = bytearray()
        while not out and not (self.eof and not self.pending):
            if not self.eof:
                data = self.raw.read(self.CHUNK)
                self.eof = not data
                self.pending += data
            out += self._repair(final=self.eof)
        return bytes(out)

    def _repair(self, *, final: bool) -> bytes:
        buf, i, out = self.pending, 0, bytearray()
        while True:
            if not self.in_cdata:
                j = buf.find(b"<![CDATA[", i)
                if j < 0:
                    keep = len(buf) if final else max(i, len(buf) - 8)
                    out += buf[i:keep]
                    i = keep
                    break
                out += buf[i : j + 9]
                i, self.in_cdata = j + 9, True
                continue
            j = buf.find(b"]]>", i)
            if j < 0:
                keep = len(buf) if final else max(i, len(buf) - 2)
                out += buf[i:keep]
                i = keep
                break
            after = _SPACE.match(buf, j + 3).end()
            if after + 9 > len(buf) and not final and after - j < self.LOOKAHEAD:
                out += buf[i:j]
                i = j
                break  # need more bytes to decide
            if buf.startswith(b"</", after) or buf.startswith(b"<![CDATA[", after) or after >= len(buf):
                out += buf[i : j + 3]
                self.in_cdata = False
            else:
                out += buf[i:j] + b"]]]]><![CDATA[>"
            i = j + 3
        self.pending = buf[i:]
        return bytes(out)


_SPACE = re.compile(rb"\s*")
