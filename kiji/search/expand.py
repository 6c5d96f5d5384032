"""From what a reader typed to what the backends look for: a Plan of content-word groups.

Each content word of the query (Sudachi part of speech decides: particles, auxiliaries and question
frames such as はいつ or について知りたい are no words here) becomes a group that matches
- the word itself (its normalized form) in titles, bodies and compound parts;
- its reading in the `readings` column, so とうきょう finds 東京 and the reverse;
- its synonyms: Sudachi's synonym groups (the dictionary's group ids, resolved against the words
  the archive actually holds, see services.rebuild_vocabulary) and the editors' SynonymGroup list.
An article's coverage is the number of groups it matches; strict matches cover all of them.
Words "in quotes" stay required and -words stay excluded.
"""

import re
import time
import unicodedata
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import transaction
from django.db.models import Max, Q
from django.db.models.functions import Length

from kiji.lib.memo import Memo
from kiji.lib.pagecache import shared_cache
from kiji.search.models import SynonymGroup
from kiji.search.models import Term as VocabularyTerm
from kiji.search.query import Query, Term
from kiji.search.tokenize import Word, query_words, tokens

MAX_SYNONYMS = 4  # per word, the most frequent in the archive first
MAX_GROUPS = 16
MAX_READING_CHARS = 24  # a kana term longer than this is not split into vocabulary readings

# What a search asks the vocabulary (synonyms of a word, whether a word is known, the nearest word,
# which readings exist) is remembered for a few minutes per process: a query typed again, or by the
# next reader, costs no vocabulary query. New words count after VOCABULARY_SECONDS at most.
VOCABULARY_SECONDS = 300
_vocabulary = Memo(seconds=VOCABULARY_SECONDS, max_entries=20_000)
_editors = Memo(seconds=24 * 3600, max_entries=4)


def forget_vocabulary() -> None:
    """After the vocabulary was rebuilt: this process asks it again."""
    _vocabulary.clear()


@dataclass(frozen=True)
class Group:
    form: str
    reading: str = ""
    synonyms: tuple[tuple[str, ...], ...] = ()
    words: tuple[str, ...] = ()  # a kana term Sudachi split (とうきょう えき): its words, as a phrase
    reading_words: tuple[str, ...] = ()  # and their readings, as a phrase in the readings column

    def alternatives(self) -> list[tuple[str, ...]]:
        return [self.words or (self.form,), *self.synonyms]

    def readings(self) -> list[tuple[str, ...]]:
        return [r for r in ((self.reading,), self.reading_words) if any(r)]


@dataclass
class Plan:
    groups: list[Group] = field(default_factory=list)
    pairs: list[tuple[str, str]] = field(default_factory=list)  # adjacent words: a phrase ranks first
    required: list[Term] = field(default_factory=list)  # "exact phrases"
    excluded: list[Term] = field(default_factory=list)

    @property
    def searchable(self) -> bool:
        return bool(self.groups or self.required)

    def expansions(self) -> list[tuple[str, list[str]]]:
        """(the reader's word, the words added for it), for the results page."""
        return [(g.form, ["".join(s) for s in g.synonyms]) for g in self.groups if g.synonyms]

    def highlight_tokens(self) -> set[str]:
        own = {tok for term in self.required for tok in term.tokens}
        return own | {tok for g in self.groups for alt in g.alternatives() for tok in alt}


def plan(query: Query, *, synonyms: bool = True) -> Plan:
    words: list[Word] = []
    out = Plan(required=[t for t in query.included if t.phrase], excluded=query.excluded)
    for term in query.included:
        if not term.phrase:
            words.extend(_merged([w for w in query_words(term.text) if _has_word_character(w.form)], term.text))
    seen: set[str] = set()
    editors = _editor_synonyms() if synonyms else {}
    for word in words[:MAX_GROUPS]:
        if word.form in seen:
            continue
        seen.add(word.form)
        found = (_sudachi_synonyms(word) + _spelled_letters(word) + editors.get(word.form, [])) if synonyms else []
        unique = tuple(dict.fromkeys(s for s in found if s != (word.form,)))
        out.groups.append(
            Group(word.form, word.reading, unique, words=word.words, reading_words=word.reading_words)
            if isinstance(word, _Merged)
            else Group(form=word.form, reading=word.reading, synonyms=unique)
        )
    forms = [w.form for w in words[:MAX_GROUPS]]
    out.pairs = list(dict.fromkeys((a, b) for a, b in zip(forms, forms[1:], strict=False) if a != b))
    return out


@dataclass(frozen=True)
class _Merged(Word):
    words: tuple[str, ...] = ()
    reading_words: tuple[str, ...] = ()


_KANA = re.compile(r"[ぁ-ゖァ-ヺー]+")


def _merged(words: list[Word], text: str) -> list[Word]:
    """A term written in kana only is one word for the reader even when Sudachi cuts it
    (とうきょうえき, こんかつ, ソフトバング): one group, matched by the whole term read as katakana
    (what the readings column holds for 東京駅, 婚活) or by its words in a row."""
    text = unicodedata.normalize("NFKC", text).lower()
    if not _KANA.fullmatch(text):
        return words
    reading = text.translate(_TO_KATAKANA)
    if len(words) == 1:
        return [Word(words[0].form, reading, words[0].groups)]
    split = _reading_split(reading) or tuple(w.reading for w in words)
    return [_Merged(text, reading, (), tuple(w.form for w in words), split)]


def _reading_split(reading: str) -> tuple[str, ...]:
    """`reading` cut into the fewest readings the vocabulary holds (デンシショセキ: デンシ ショセキ, what
    the readings column holds for 電子書籍, two words for Sudachi); () when no such cut exists."""
    if len(reading) > MAX_READING_CHARS:
        return ()
    pieces = {reading[i:j] for i in range(len(reading)) for j in range(i + 2, len(reading) + 1)}
    known = _vocabulary.get_or_set(
        ("readings", reading),
        lambda: frozenset(VocabularyTerm.objects.filter(reading__in=pieces).values_list("reading", flat=True)),
    )
    best: list[tuple[str, ...] | None] = [()] + [None] * len(reading)  # best[j]: fewest pieces of reading[:j]
    for j in range(1, len(reading) + 1):
        for i in range(j):
            if best[i] is not None and reading[i:j] in known:
                if best[j] is None or len(best[i]) + 1 < len(best[j]):
                    best[j] = (*best[i], reading[i:j])
    return best[-1] or ()


_TO_KATAKANA = {code: code + 0x60 for code in range(ord("ぁ"), ord("ゖ") + 1)}


def _has_word_character(token: str) -> bool:
    return any(unicodedata.category(ch)[0] in "LN" for ch in token)


def _sudachi_synonyms(word: Word) -> list[tuple[str, ...]]:
    if not word.groups:
        return []
    return _vocabulary.get_or_set(("synonyms", word.form, word.groups), lambda: _read_sudachi_synonyms(word))


# The names of the Latin letters as Japanese spell them (JIS Z 8301 usage and common variants):
# エーケービー is how a reader types AKB, ピーシー PC.
_LETTER_NAMES = {
    "エー": "a", "エイ": "a", "ビー": "b", "シー": "c", "ディー": "d", "デー": "d", "イー": "e", "エフ": "f",
    "ジー": "g", "エイチ": "h", "エッチ": "h", "アイ": "i", "ジェー": "j", "ジェイ": "j", "ケー": "k",
    "ケイ": "k", "エル": "l", "エム": "m", "エヌ": "n", "オー": "o", "ピー": "p", "キュー": "q",
    "アール": "r", "エス": "s", "ティー": "t", "ユー": "u", "ブイ": "v", "ヴイ": "v", "ダブリュー": "w",
    "ダブリュ": "w", "エックス": "x", "ワイ": "y", "ゼット": "z", "ズィー": "z",
}  # fmt: skip


def _spelled_letters(word: Word) -> list[tuple[str, ...]]:
    """[(akb,)] for エーケービー: a katakana word made only of letter names (two letters at least),
    when the archive holds the letters as a word."""
    letters = _letters(unicodedata.normalize("NFKC", word.form).translate(_TO_KATAKANA))
    if letters is None or len(letters) < 2:
        return []
    known = _vocabulary.get_or_set(("term", letters), lambda: VocabularyTerm.objects.filter(term=letters).exists())
    return [(letters,)] if known else []


def _letters(kana: str) -> str | None:
    """The letters `kana` spells, None when it is not made of letter names only."""
    if not kana:
        return ""
    for size in (5, 4, 3, 2):
        if (letter := _LETTER_NAMES.get(kana[:size])) and (rest := _letters(kana[size:])) is not None:
            return letter + rest
    return None


def _read_sudachi_synonyms(word: Word) -> list[tuple[str, ...]]:
    found = (
        VocabularyTerm.objects.filter(synonym_groups__group__in=word.groups)
        .exclude(term=word.form)
        .values_list("term", flat=True)
        .distinct()
        .order_by("-documents", "term")
    )
    return [(term,) for term in found[:MAX_SYNONYMS]]


# The editors' list is kept per process under a version in the shared cache, which every save or
# delete of a SynonymGroup changes (receivers.py): a search asks the cache for the version (one
# Redis GET) instead of the database for the list, and an edit counts at once in every process,
# without a restart. Without a shared cache (locmem: each process its own) the list is read from
# the database on each search, as a version set in one process would not reach the others.
SYNONYMS_VERSION_KEY = "search:synonyms-version"


def synonyms_changed() -> None:
    """The editors' list changed: every process reads it again (at once, and after the commit)."""

    def bump() -> None:
        cache.set(SYNONYMS_VERSION_KEY, time.time_ns(), None)

    bump()
    transaction.on_commit(bump)


def _editor_synonyms() -> dict[str, list[tuple[str, ...]]]:
    """{word: [other words' tokens]} from the editors' list; its words are tokenized again only when
    it changed."""
    version = cache.get(SYNONYMS_VERSION_KEY) if shared_cache() else None
    if version is None:
        rows = tuple(SynonymGroup.objects.order_by("pk").values_list("words", flat=True))
        if shared_cache():  # never set, or the cache was emptied: the next searches use a version
            cache.add(SYNONYMS_VERSION_KEY, time.time_ns(), None)
        return _editors.get_or_set(rows, lambda: _read_editor_synonyms(rows))
    return _editors.get_or_set(("version", version), lambda: _editor_synonyms_now())


def _editor_synonyms_now() -> dict[str, list[tuple[str, ...]]]:
    return _read_editor_synonyms(tuple(SynonymGroup.objects.order_by("pk").values_list("words", flat=True)))


def _read_editor_synonyms(rows: tuple[str, ...]) -> dict[str, list[tuple[str, ...]]]:
    out: dict[str, list[tuple[str, ...]]] = {}
    for words in rows:
        forms = [t for t in (tuple(tokens(w)) for w in SynonymGroup(words=words).word_list()) if t]
        for form in forms:
            if len(form) == 1:
                out.setdefault(form[0], []).extend(f for f in forms if f != form)
    return out


# ---- もしかして: a word the archive does not hold, replaced by the nearest one it does ----------


# A word the archive holds in at most RARE_DOCUMENTS articles (コンピュタ, a typo some article shares by
# its reading) still gets a suggestion when a word one edit away (or a long-vowel mark: コンピューター),
# in the same script, is in MUCH_MORE times as many.
RARE_DOCUMENTS = 5
MUCH_MORE = 20


def correction(query: Query, current: Plan) -> str | None:
    """The query with each unknown or rare word replaced by the closest vocabulary word (by reading
    and edit distance; for a rare word, only a far more frequent one), or None when every word
    is common enough or nothing is close enough."""
    text, changed, done = query.raw, False, set()
    for term in query.included:
        if better := _homophone(term):
            text, changed = _replace(text, Group(form=term.text), better), True
            done.update(w.form for w in query_words(term.text))
    for group in current.groups:
        if group.synonyms or group.form in done:
            continue
        documents = documents_of(group)
        if documents > RARE_DOCUMENTS:
            continue
        if better := _nearest(group, documents):
            text, changed = _replace(text, group, better), True
    return text if changed else None


def _homophone(term: Term) -> str | None:
    """The archive's word read the same as the whole term, when the term's pieces are rare: the
    commonest typo in Japanese is a wrong kanji from the IME (医寮費 for 医療費), which Sudachi cuts
    into pieces (医 / 寮費) that, corrected one by one, become other words (意気 / 両)."""
    if term.phrase:
        return None
    words = [w for w in query_words(term.text) if _has_word_character(w.form)]
    if len(words) < 2 or not all(w.reading for w in words):
        return None
    if all(documents_of(Group(form=w.form, reading=w.reading)) > RARE_DOCUMENTS for w in words):
        return None  # every piece is a common word: the reader meant them, not a typo
    reading = "".join(w.reading for w in words)
    return _vocabulary.get_or_set(
        ("homophone", term.text, reading),
        lambda: (
            VocabularyTerm.objects.filter(reading=reading)
            .exclude(term=term.text)
            .order_by("-documents", "term")
            .values_list("term", flat=True)
            .first()
        ),
    )


def documents_of(group: Group) -> int:
    """In how many articles the archive holds the word or its reading (0: unknown)."""
    return _vocabulary.get_or_set(
        ("documents", group.form, group.reading),
        lambda: (
            VocabularyTerm.objects.filter(
                Q(term=group.form) | Q(reading=group.reading) if group.reading else Q(term=group.form)
            ).aggregate(n=Max("documents"))["n"]
            or 0
        ),
    )


def _nearest(group: Group, documents: int = 0) -> str | None:
    return _vocabulary.get_or_set(
        ("nearest", group.form, group.reading, documents), lambda: _read_nearest(group, documents)
    )


def _read_nearest(group: Group, documents: int) -> str | None:
    key = group.reading or group.form
    limit = 1 if len(key) <= 4 or documents else 2  # a word some article holds: one edit (or a ー) at most
    # A typo rarely hits both ends of a word: candidates share its first or its last two characters
    # (ten thousand words start with コ; few with コン or end in ュタ), the most frequent first.
    near = VocabularyTerm.objects.annotate(n=Length("reading")).filter(n__gte=len(key) - 2, n__lte=len(key) + 2)
    if documents:
        near = near.filter(documents__gte=documents * MUCH_MORE)
    candidates = [
        row
        for ends in (Q(reading__startswith=key[:2]), Q(reading__endswith=key[-2:]))
        for row in near.filter(ends).order_by("-documents", "term").values_list("term", "reading")[:2000]
    ]
    best = None
    for term, reading in candidates:
        if documents and _script(term) != _script(group.form):
            continue  # a typo keeps its script: アイパッド (a rare spelling) is no typo of ipod
        distance = _distance(key, reading, group.form, term)
        if 0 < distance <= limit and (best is None or distance < best[0]):
            best = (distance, term)
    return best[1] if best else None


def _distance(key: str, reading: str, form: str, term: str) -> float:
    """Edit distance by reading or spelling; a long-vowel mark left out or added (コンピュタ,
    コンピューター) counts half, so such a word comes before another two edits away (今週, コンシュウ)."""
    distance = min(edit_distance(key, reading), edit_distance(form, term))
    if distance and key.replace("ー", "") == reading.replace("ー", ""):
        return 0.5
    return distance


def _script(text: str) -> str:
    kinds = {unicodedata.name(ch, "").split(" ")[0] for ch in text if ch != "ー"}
    return "katakana" if kinds <= {"KATAKANA"} else "latin" if kinds <= {"LATIN", "DIGIT"} else "other"


def _replace(text: str, group: Group, better: str) -> str:
    normalized = unicodedata.normalize("NFKC", text)
    pattern = re.compile(re.escape(group.form), re.IGNORECASE)
    return pattern.sub(better, normalized, count=1) if pattern.search(normalized) else f"{normalized} {better}"


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insert, delete, substitute: 1 each)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]
