"""What a reader typed, made safe to count, store and match: NFC, no invisible tricks, graphemes.

Nothing here produces HTML: comments are stored and rendered as plain text (escaped by the templates,
line breaks kept by CSS `white-space: pre-line`), so there is no markup to sanitize, only characters.
"""

import hashlib
import unicodedata

import regex

# Bidi embeddings/overrides/isolates and marks: they reorder what moderators and readers see.
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Invisible characters that have no business in a comment at all.
_INVISIBLE = "\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180e\u200b\u2060\u2061\u2062\u2063\u2064\u3164\ufeff\uffa0"
_DROP = regex.compile(f"[{_BIDI}{_INVISIBLE}]|[\\p{{Cc}}--[\\n]]|\\p{{Cs}}|\\p{{Co}}|\\p{{Cn}}", regex.V1)
# ZWJ/ZWNJ join emoji (👨‍👩‍👧) and shape some scripts: keep one between two visible characters,
# drop runs of them and any at the edges of a word.
_JOINER_RUN = regex.compile(
    r"[\u200c\u200d]{2,}|(?<![^\s\u200c\u200d])[\u200c\u200d]|[\u200c\u200d](?![^\s\u200c\u200d])"
)
_VARIATION_RUN = regex.compile(r"([\ufe00-\ufe0f\U000e0100-\U000e01ef])[\ufe00-\ufe0f\U000e0100-\U000e01ef]+")
_COMBINING_RUN = regex.compile(r"(\p{M}{4})\p{M}+")  # "zalgo": at most four marks on one character
_SPACES = regex.compile(r"[^\S\n]+")
_BLANK_LINES = regex.compile(r"\n{3,}")
_GRAPHEME = regex.compile(r"\X")


_CONTROLS = regex.compile(r"[\p{Cc}--[\n\r\t]]|\p{Cs}", regex.V1)


def scrub(text: str) -> str:
    """The text without NUL and control characters, otherwise as typed (to show a refused comment again)."""
    return _CONTROLS.sub("", text)


def clean(text: str, *, multiline: bool = True) -> str:
    """NFC text without control, bidi or invisible characters; spaces collapsed; at most one blank line."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _DROP.sub("", text.replace("\t", " "))
    text = _JOINER_RUN.sub("", text)
    text = _VARIATION_RUN.sub(r"\1", text)
    text = _COMBINING_RUN.sub(r"\1", text)
    if not multiline:
        text = text.replace("\n", " ")
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def longest_grapheme(text: str) -> int:
    """Code points in the longest grapheme (a family emoji with skin tones has about ten)."""
    return max((len(g) for g in _GRAPHEME.findall(text)), default=0)


def length(text: str) -> int:
    """Characters as a reader counts them: extended grapheme clusters (👨‍👩‍👧 and 👍🏽 are one)."""
    return len(_GRAPHEME.findall(text))


def _katakana_to_hiragana(text: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "\u30a1" <= c <= "\u30f6" else c for c in text)


def fold(text: str) -> str:
    """The form NG words are matched in: NFKC (full/half width), casefolded, katakana as hiragana, no spaces."""
    text = unicodedata.normalize("NFKC", text).casefold()  # composes kana with (combining) dakuten first
    # Marks (variation selectors, combining accents) are invisible tricks here: "死\ufe00ね", "し\u0301ね".
    return regex.sub(r"[\s\p{P}\p{S}\p{Cf}\p{M}]+", "", _katakana_to_hiragana(text))


def body_hash(text: str) -> str:
    """Equal for comments that say the same thing (used to refuse duplicates)."""
    same = regex.sub(r"\s+", "", unicodedata.normalize("NFKC", text).casefold())
    return hashlib.sha256(same.encode()).hexdigest()
