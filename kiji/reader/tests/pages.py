"""Reading reader pages the way a keyboard user or a browser would: links, focus order, ids, assets."""

from html.parser import HTMLParser

FOCUSABLE = {"a", "button", "input", "select", "textarea", "summary", "iframe"}


class Page(HTMLParser):
    """Body elements in document order: the focusable ones, every id, and the linked CSS and JS files."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.focusable: list[tuple[str, dict]] = []  # (tag, attrs) in tab order of the source
        self.link_texts: list[str] = []  # text of each focusable <a href>, same order
        self.ids: set[str] = set()
        self.stylesheets: list[str] = []
        self.scripts: list[str] = []
        self._in_body = False
        self._text_of: int | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "link" and a.get("rel") == "stylesheet":
            self.stylesheets.append(a["href"])
        elif tag == "script" and a.get("src"):
            self.scripts.append(a["src"])
        elif tag == "body":
            self._in_body = True
        if not self._in_body or "hidden" in a or a.get("type") == "hidden":
            return
        tabindex = a.get("tabindex")
        if tabindex is not None and int(tabindex) < 0:
            return
        if (tag == "a" and "href" in a) or (tag in FOCUSABLE - {"a"}) or tabindex is not None:
            self.focusable.append((tag, a))
            self.link_texts.append("")
            self._text_of = len(self.link_texts) - 1 if tag == "a" else None

    def handle_endtag(self, tag):
        if tag == "a":
            self._text_of = None

    def handle_data(self, data):
        if self._text_of is not None:
            self.link_texts[self._text_of] += data.strip()
