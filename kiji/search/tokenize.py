"""Japanese text is tokenized in exactly one place: here.

Search indexes and similar-article lists both see only what `index_text` returns: Sudachi's
normalized forms (附属→付属, 引越し→引っ越し, ｽﾏｰﾄﾌｫﾝ→スマートフォン), content words only.
"""

import threading
import unicodedata

from sudachipy import Dictionary, SplitMode

_local = threading.local()

# Parts of speech that carry meaning for search and similarity.
_CONTENT_POS = {"名詞", "動詞", "形容詞", "形状詞", "副詞", "接頭辞", "記号"}
_SKIP_SUBPOS = {"数詞", "非自立可能"}


def _tokenizer():
    tok = getattr(_local, "tokenizer", None)
    if tok is None:  # one tokenizer per thread, built lazily (it is not thread-safe)
        tok = _local.tokenizer = Dictionary(dict="core").create(SplitMode.C)
    return tok


def tokens(text: str) -> list[str]:
    """Normalized content-word tokens of `text`, lower-cased, in order."""
    text = unicodedata.normalize("NFKC", text or "")
    return [form for _, _, form in _content_morphemes(text)]


def spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, token) for each content word, offsets into `text` itself (for highlighting).

    The text is not NFKC-normalized first, so offsets stay true; the token is, so it compares
    equal to what `tokens` gives for the same word.
    """
    return [(start, end, unicodedata.normalize("NFKC", form).lower())
            for start, end, form in _content_morphemes(text or "")]


def _content_morphemes(text: str):
    offset = 0
    # Sudachi refuses inputs over ~49,149 bytes: feed long bodies a paragraph at a time.
    for chunk in _chunks(text):
        for m in _tokenizer().tokenize(chunk):
            pos = m.part_of_speech()
            if pos[0] not in _CONTENT_POS or pos[1] in _SKIP_SUBPOS:
                continue
            form = m.normalized_form().lower().strip()
            if form and (pos[0] != "記号" or form.isalnum()):
                yield offset + m.begin(), offset + m.end(), form
        offset += len(chunk)


def index_text(text: str) -> str:
    """Space-joined normalized Sudachi tokens: the only text the search indexes ever see."""
    return " ".join(tokens(text))


def _chunks(text: str, limit: int = 12000):
    start = 0
    while start < len(text):
        end = min(len(text), start + limit)
        if end < len(text):
            cut = text.rfind("\n", start, end)
            end = cut + 1 if cut > start else end
        yield text[start:end]
        start = end
