"""Japanese text is tokenized in exactly one place: here.

Search indexes and similar-article lists both see only what `index_text` returns: Sudachi's
normalized forms (附属→付属, 引越し→引っ越し, ｽﾏｰﾄﾌｫﾝ→スマートフォン), content words only.
"""

import threading
import unicodedata
from dataclasses import dataclass

_local = threading.local()

# Parts of speech that carry meaning for search and similarity.
_CONTENT_POS = {"名詞", "動詞", "形容詞", "形状詞", "副詞", "接頭辞", "記号"}
_SKIP_SUBPOS = {"数詞", "非自立可能"}


def _tokenizer():
    tok = getattr(_local, "tokenizer", None)
    if tok is None:  # one tokenizer per thread, built lazily (it is not thread-safe)
        from sudachipy import Dictionary, SplitMode  # here: web workers that never tokenize skip loading it

        tok = _local.tokenizer = Dictionary(dict="core").tokenizer(mode=SplitMode.C)
    return tok


def _short_units():
    from sudachipy import SplitMode  # loaded by _tokenizer() already; this is a dictionary look-up

    return SplitMode.A


def tokens(text: str) -> list[str]:
    """Normalized content-word tokens of `text`, lower-cased, in order."""
    text = unicodedata.normalize("NFKC", text or "")
    return [form for _, _, form in _content_words(text)]


def index_text_and_parts(text: str) -> tuple[str, str]:
    """(index_text(text), the short-unit parts of its compound words), in one pass.

    Sudachi's long units keep 興行収入 whole, so a search for 興行 alone would miss it: the search
    index keeps the parts (興行 収入) in a column of their own, weighted low.
    """
    words, parts = [], []
    for _, m, form in _content_words(unicodedata.normalize("NFKC", text or "")):
        words.append(form)
        pieces = m.split(_short_units())
        if len(pieces) > 1:
            parts.extend(form for piece in pieces if (form := _content_form(piece)))
    return " ".join(words), " ".join(parts)


def index_fields(text: str) -> tuple[str, str, str]:
    """(words, parts, readings) of `text`: index_text_and_parts plus the reading (katakana, Sudachi
    `reading_form`) of each content word and of each part, so a query in kana finds the kanji."""
    words, parts, readings = [], [], []
    for _, m, form in _content_words(unicodedata.normalize("NFKC", text or "")):
        words.append(form)
        readings.append(_reading(m))
        pieces = m.split(_short_units())
        if len(pieces) > 1:
            for piece in pieces:
                if piece_form := _content_form(piece):
                    parts.append(piece_form)
                    readings.append(_reading(piece))
    return " ".join(words), " ".join(parts), " ".join(r for r in readings if r)


@dataclass(frozen=True)
class Word:
    """A content word of a query: its normalized form, reading and Sudachi synonym groups."""

    form: str
    reading: str
    groups: tuple[int, ...] = ()


def query_words(text: str) -> list[Word]:
    """The content words of a query (function words, question frames and auxiliaries dropped by
    Sudachi's part of speech), with what expansion needs."""
    text = unicodedata.normalize("NFKC", text or "")
    return [Word(form, _reading(m), tuple(m.synonym_group_ids())) for _, m, form in _content_words(text)]


def _reading(m) -> str:
    return unicodedata.normalize("NFKC", m.reading_form()).lower().replace(" ", "")


def spans(text: str, *, parts: bool = False) -> list[tuple[int, int, str]]:
    """(start, end, token) for each content word, offsets into `text` itself (for highlighting);
    with parts=True each compound word is followed by its short-unit parts.

    The text is not NFKC-normalized first, so offsets stay true; the token is, so it compares
    equal to what `tokens` gives for the same word.
    """
    out = []
    for offset, m, form in _content_words(text or ""):
        out.append((offset + m.begin(), offset + m.end(), unicodedata.normalize("NFKC", form).lower()))
        pieces = m.split(_short_units()) if parts else ()
        if len(pieces) > 1:
            out.extend(
                (offset + p.begin(), offset + p.end(), unicodedata.normalize("NFKC", f).lower())
                for p in pieces
                if (f := _content_form(p))
            )
    return out


def _content_words(text: str):
    """(offset of the chunk in text, morpheme, form) for each content word."""
    offset = 0
    # Sudachi refuses inputs over ~49,149 bytes: feed long bodies a paragraph at a time.
    for chunk in _chunks(text):
        for m in _tokenizer().tokenize(chunk):
            if form := _content_form(m):
                yield offset, m, form
        offset += len(chunk)


def _content_form(m) -> str:
    """The normalized, lower-cased form of a content word; "" for anything else."""
    pos = m.part_of_speech()
    if pos[0] not in _CONTENT_POS or pos[1] in _SKIP_SUBPOS:
        return ""
    form = m.normalized_form().lower().strip()
    return form if form and (pos[0] != "記号" or form.isalnum()) else ""


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
