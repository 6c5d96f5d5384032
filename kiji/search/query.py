"""What a reader typed, parsed into terms: words (AND), "exact phrases", -exclusions.

Nothing the reader typed ever reaches FTS5 or tsquery as syntax: each term is reduced to Sudachi
tokens here, and the backends quote or parameterize every token.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from kiji.lib.text import controls_to_spaces
from kiji.search.tokenize import tokens

MAX_QUERY_CHARS = 200  # longer input is cut (a 10,000-character paste still gets a page)
MAX_TERMS = 8
MAX_TOKENS_PER_TERM = 16

_QUOTES = str.maketrans({c: '"' for c in "“”„‟«»「」『』"})
_TERM = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_KANA = re.compile(r"[ぁ-ゖァ-ヺー]{2,}")
_PERIOD = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})\s*年(?:\s*([0-9]{1,2})\s*月)?")


@dataclass(frozen=True)
class Term:
    text: str
    tokens: tuple[str, ...]
    phrase: bool = False
    exclude: bool = False

    def display(self) -> str:
        text = f'"{self.text}"' if self.phrase or " " in self.text else self.text
        return f"-{text}" if self.exclude else text


@dataclass
class Query:
    raw: str
    terms: list[Term] = field(default_factory=list)
    truncated: bool = False
    period: tuple[int, int | None] | None = None  # (year, month) the reader typed: 2010年, 2010年6月

    @property
    def included(self) -> list[Term]:
        return [t for t in self.terms if not t.exclude]

    @property
    def excluded(self) -> list[Term]:
        return [t for t in self.terms if t.exclude]

    @property
    def searchable(self) -> bool:
        return bool(self.included)

    def highlight_tokens(self) -> set[str]:
        return {tok for term in self.included for tok in term.tokens}

    def without(self, term: Term) -> "Query":
        return Query(raw=self.text_without(term), terms=[t for t in self.terms if t is not term])

    def text_without(self, term: Term) -> str:
        return " ".join(t.display() for t in self.terms if t is not term)


def parse_query(raw: str | None) -> Query:
    """Parse reader input; terms that hold no searchable word (only symbols) are dropped."""
    raw = controls_to_spaces(raw or "").strip()  # echoed in the page: no NUL or other control in the HTML
    text = unicodedata.normalize("NFKC", raw[:MAX_QUERY_CHARS]).translate(_QUOTES)
    query = Query(raw=raw, truncated=len(raw) > MAX_QUERY_CHARS)
    text = _take_period(query, text)
    for m in _TERM.finditer(text):
        minus, phrase, word = m.groups()
        if word is not None:
            exclude = word.startswith("-") and len(word) > 1
            term_text, is_phrase = (word[1:] if exclude else word), False
        else:
            exclude, term_text, is_phrase = bool(minus), phrase.strip(), True
        toks = tuple(tok for tok in tokens(term_text) if _has_word_character(tok))[:MAX_TOKENS_PER_TERM]
        if not toks and _KANA.fullmatch(term_text.lower()):
            # Sudachi reads some kana words as no content word at all (こんかつ: こん + かつ): the reader
            # meant a word, which its reading can still find (expand.plan).
            toks = (term_text.lower(),)
        if not toks:
            continue
        if len(query.terms) == MAX_TERMS:
            query.truncated = True
            break
        query.terms.append(Term(text=term_text, tokens=toks, phrase=is_phrase, exclude=exclude))
    return query


def _take_period(query: Query, text: str) -> str:
    """A year (and month) in the query filters by publication date rather than being a word,
    unless it is all the query holds."""
    m = _PERIOD.search(text)
    rest = text[: m.start()] + " " + text[m.end() :] if m else text
    if not m or not any(_has_word_character(tok) for tok in tokens(rest)):
        return text
    month = int(m.group(2)) if m.group(2) else None
    query.period = (int(m.group(1)), month if month and 1 <= month <= 12 else None)
    return rest


def _has_word_character(token: str) -> bool:
    # Sudachi keeps a few symbols as nouns (%, ㍉ ...); the indexes' word splitters drop them, and an
    # empty phrase in the query would match nothing, so such tokens are left out of the query.
    return any(unicodedata.category(ch)[0] in "LN" for ch in token)
