"""The proofreading pane (校正): findings for an editor to weigh, never a reason to refuse a save.

Sudachi is used directly here rather than through kiji.search.tokenize: search wants NFKC-normalized
content words, proofreading wants the surfaces as typed, particles included.
"""

import re
import threading
from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from kiji.lib.html import html_to_text

_local = threading.local()

# Parts of speech whose spellings are compared for 表記ゆれ (the same word written two ways).
_WORD_POS = {"名詞", "動詞", "形容詞", "形状詞", "副詞", "連体詞", "接続詞"}
_SKIP_SUBPOS = {"数詞", "非自立可能", "固有名詞"}
_PARTICLES = {"の", "が", "を", "に", "は", "で", "と", "へ", "も"}
_BRACKETS = {"「": "」", "『": "』", "（": "）"}
_CLOSERS = {close: open_ for open_, close in _BRACKETS.items()}
_WIDTH_CLASSES = [
    ("digits", re.compile(r"[0-9]+"), re.compile(r"[０-９]+")),
    ("letters", re.compile(r"[A-Za-z]+"), re.compile(r"[Ａ-Ｚａ-ｚ]+")),
]


@dataclass(frozen=True)
class Finding:
    kind: str  # "variant", "width", "bracket", "particle", "house_style"
    message: str
    suggestion: str = ""

    def as_dict(self) -> dict:
        return {"kind": self.kind, "message": self.message, "suggestion": self.suggestion}


def _tokenizer():
    tok = getattr(_local, "tokenizer", None)
    if tok is None:  # one per thread, built on first use (Sudachi's tokenizer is not thread-safe)
        from sudachipy import Dictionary, SplitMode

        tok = _local.tokenizer = (Dictionary(dict="core").tokenizer(mode=SplitMode.C), SplitMode.C)
    return tok


def _morphemes(text: str):
    tokenizer, mode = _tokenizer()
    for line in text.splitlines():  # Sudachi has an input size limit; paragraphs stay far below it
        if line.strip():
            yield from tokenizer.tokenize(line, mode)


def article_text(*, headline: str = "", short_headline: str = "", deck: str = "", body: str = "") -> str:
    """The text a reader sees, one paragraph a line: what the checks read."""
    return "\n".join(part for part in (headline, short_headline, deck, html_to_text(body or "")) if part)


def _excerpt(text: str, at: int, width: int = 12) -> str:
    start, end = max(0, at - width), min(len(text), at + width)
    return ("…" if start else "") + text[start:end].replace("\n", " ") + ("…" if end < len(text) else "")


def spelling_variants(text: str) -> list[Finding]:
    """One word written two ways (引っ越し / 引越し, 出来る / できる), by Sudachi's normalized form."""
    seen: dict[str, dict[str, None]] = defaultdict(dict)
    for m in _morphemes(text):
        pos = m.part_of_speech()
        if pos[0] not in _WORD_POS or _SKIP_SUBPOS & set(pos[1:3]) or len(m.surface()) < 2:
            continue
        seen[m.normalized_form()][m.dictionary_form()] = None
    return [
        Finding(
            "variant",
            _("The same word is written in different ways: %(forms)s") % {"forms": "／".join(forms)},
            _("Use one spelling, e.g. %(form)s") % {"form": normalized},
        )
        for normalized, forms in seen.items()
        if len(forms) > 1
    ]


def mixed_widths(text: str) -> list[Finding]:
    findings = []
    for name, half, full in _WIDTH_CLASSES:
        halves, fulls = half.findall(text), full.findall(text)
        if halves and fulls:
            label = _("digits") if name == "digits" else _("latin letters")
            findings.append(
                Finding(
                    "width",
                    _("Full-width and half-width %(what)s are mixed: %(full)s and %(half)s")
                    % {
                        "what": label,
                        "full": "、".join(list(dict.fromkeys(fulls))[:3]),
                        "half": "、".join(list(dict.fromkeys(halves))[:3]),
                    },
                    _("Use one width for %(what)s throughout.") % {"what": label},
                )
            )
    return findings


def unbalanced_brackets(text: str) -> list[Finding]:
    findings, stack = [], []
    for i, char in enumerate(text):
        if char in _BRACKETS:
            stack.append((char, i))
        elif char in _CLOSERS:
            if stack and stack[-1][0] == _CLOSERS[char]:
                stack.pop()
            else:
                findings.append(
                    Finding(
                        "bracket",
                        _("“%(char)s” is not opened: %(excerpt)s") % {"char": char, "excerpt": _excerpt(text, i)},
                        _("Add “%(char)s” or remove this one.") % {"char": _CLOSERS[char]},
                    )
                )
    for char, i in stack:
        findings.append(
            Finding(
                "bracket",
                _("“%(char)s” is not closed: %(excerpt)s") % {"char": char, "excerpt": _excerpt(text, i)},
                _("Add “%(char)s” or remove this one.") % {"char": _BRACKETS[char]},
            )
        )
    return findings


def doubled_particles(text: str) -> list[Finding]:
    findings = []
    for line in text.splitlines():
        previous = None
        for m in _morphemes(line):
            surface = m.surface()
            is_particle = m.part_of_speech()[0] == "助詞" and surface in _PARTICLES
            if is_particle and previous == surface:
                at = line.find(surface * 2)
                findings.append(
                    Finding(
                        "particle",
                        _("Doubled particle “%(pair)s”: %(excerpt)s")
                        % {"pair": surface * 2, "excerpt": _excerpt(line, max(at, 0))},
                        _("Remove one “%(particle)s”.") % {"particle": surface},
                    )
                )
            previous = surface if is_particle else None
    return findings


def house_style(text: str, rules) -> list[Finding]:
    return [
        Finding(
            "house_style",
            _("House style: “%(avoid)s” (%(count)d×)") % {"avoid": rule.avoid, "count": text.count(rule.avoid)},
            _("Write “%(prefer)s”.") % {"prefer": rule.prefer} + (f" {rule.note}" if rule.note else ""),
        )
        for rule in rules
        if rule.avoid and rule.avoid in text
    ]


def proofread(text: str, rules=None) -> list[Finding]:
    """Every finding for `text`; `rules` defaults to the house-style list in the database."""
    if rules is None:
        from kiji.newsroom.models import HouseStyleRule

        rules = list(HouseStyleRule.objects.all())
    return [
        *house_style(text, rules),
        *spelling_variants(text),
        *mixed_widths(text),
        *unbalanced_brackets(text),
        *doubled_particles(text),
    ]


def is_half_width(char: str) -> bool:
    """ASCII printable characters and half-width katakana count half on aggregators' length rules."""
    return " " <= char <= "~" or "\uff61" <= char <= "\uff9f"


def aggregator_length(text: str) -> float:
    """A headline's length as news aggregators count it: full-width 1, half-width 0.5 (static/js/counters.js)."""
    return sum(0.5 if is_half_width(char) else 1 for char in text)
