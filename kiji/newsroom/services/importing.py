"""Importing the livedoor news corpus (ldcc): channel folders of plain-text articles.

Each article file is UTF-8: line 1 the source URL, line 2 the publication time (ISO 8601 with
its UTC offset), line 3 the title, the rest the body. Channels become categories; each article
keeps its source URL and the credit its channel's LICENSE.txt asks for. The whole import is one
transaction: a bad file stops it with nothing written, unless bad files are to be skipped.

The import streams: it reads the corpus twice, first only the LICENSE.txt files (a tar may hold them
after the articles) and the count, then the articles, saving them in batches as it goes, so memory
stays flat whatever the archive's size: nothing is kept per file but the new article's id (8 bytes).
Whether a source URL is new is asked of the database per batch: a URL it holds from before the import
(an id up to the highest before it) is already there; one this import saved is a duplicate inside the
archive, and only then is the archive read again to name the earlier file.
"""

import re
import tarfile
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from kiji.lib.db import large_write_cache, refresh_statistics
from kiji.lib.html import plain_text_to_html
from kiji.newsroom.models import Article, Category
from kiji.newsroom.signals import articles_imported

# The corpus's channels in the order of its README, with their Japanese names.
CHANNELS = {
    "topic-news": "トピックニュース",
    "sports-watch": "Sports Watch",
    "it-life-hack": "ITライフハック",
    "kaden-channel": "家電チャンネル",
    "movie-enter": "MOVIE ENTER",
    "dokujo-tsushin": "独女通信",
    "smax": "エスマックス",
    "livedoor-homme": "livedoor HOMME",
    "peachy": "Peachy",
}
NOT_ARTICLES = {"README.txt", "CHANGES.txt", "LICENSE.txt"}
BATCH_SIZE = 500
_url_ok = URLValidator(schemes=["http", "https"])
_headline_max = Article._meta.get_field("headline").max_length
_url_max = Article._meta.get_field("source_url").max_length
_credit_max = Article._meta.get_field("source_credit").max_length


class CorpusError(Exception):
    """A file that cannot be imported: names the file and the line, says why."""

    def __init__(self, name: str, line: int, reason: str):
        super().__init__(f"{name}, line {line}: {reason}")
        self.name, self.line, self.reason = name, line, reason


@dataclass
class CorpusFile:
    name: str  # path inside the corpus, as the operator sees it in messages
    channel: str  # the folder name, which becomes the category slug
    data: bytes


@dataclass
class ParsedArticle:
    name: str
    channel: str
    source_url: str
    published_at: datetime
    headline: str
    body_text: str


@dataclass
class ImportReport:
    created: int = 0
    already_there: int = 0
    skipped: list[CorpusError] = field(default_factory=list)
    new_categories: list[str] = field(default_factory=list)
    article_ids: array = field(default_factory=lambda: array("q"))  # 8 bytes an id, not a list's 36


@dataclass
class CorpusSummary:
    """What the first pass learns: each channel's LICENSE.txt text and how many article files there are."""

    licences: dict[str, str] = field(default_factory=dict)
    channels: set[str] = field(default_factory=set)
    files: int = 0


def _corpus_entries(path: str | Path) -> Iterator[tuple[str, str, bool, Callable[[], bytes]]]:
    """(name, channel, is the LICENSE.txt, read) for each file of a channel folder, in the corpus's order."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file or folder")
    for name, read in _tar_entries(path) if path.is_file() else _folder_entries(path):
        parts = PurePosixPath(name).parts
        if len(parts) < 2 or not name.endswith(".txt") or parts[-2] == "ldcc-text":
            continue  # README.txt / CHANGES.txt at the top, or anything outside a channel folder
        if parts[-1] == "LICENSE.txt" or parts[-1] not in NOT_ARTICLES:
            yield name, parts[-2], parts[-1] == "LICENSE.txt", read


def scan_corpus(path: str | Path, *, channels: set[str] | None = None) -> CorpusSummary:
    """The first pass: reads only the LICENSE.txt files; counts the article files without reading them."""
    summary = CorpusSummary()
    for _name, channel, is_licence, read in _corpus_entries(path):
        if channels and channel not in channels:
            continue
        if is_licence:
            summary.licences[channel] = read().decode("utf-8", errors="replace")
        else:
            summary.channels.add(channel)
            summary.files += 1
    return summary


def iter_corpus(path: str | Path, *, channels: set[str] | None = None) -> Iterator[CorpusFile]:
    """The second pass: each article file in the corpus's order (a folder's sorted), read one at a time."""
    for name, channel, is_licence, read in _corpus_entries(path):
        if not is_licence and (not channels or channel in channels):
            yield CorpusFile(name=name, channel=channel, data=read())


def read_corpus(path: str | Path, *, channels: set[str] | None = None) -> tuple[list[CorpusFile], dict[str, str]]:
    """Every article file (sorted by name) and each channel's LICENSE.txt text, all in memory (for benches)."""
    licences = scan_corpus(path, channels=channels).licences
    return sorted(iter_corpus(path, channels=channels), key=lambda f: f.name), licences


def _tar_entries(path: Path) -> Iterator[tuple[str, Callable[[], bytes]]]:
    # Read members in place, never extracted to disk: nothing of the archive can land outside it.
    with tarfile.open(path, "r:*") as archive:
        while (member := archive.next()) is not None:
            # TarFile keeps every header it has read (≈ 0.5 KB a file: 350 MB for 736,700 files, in each
            # pass); only the current one is needed, as a regular file is read before the next header.
            archive.members = []
            if member.isfile():
                yield member.name, lambda m=member: archive.extractfile(m).read()


def _folder_entries(root: Path) -> Iterator[tuple[str, Callable[[], bytes]]]:
    # Names start at the folder itself, so a single channel folder (…/ldcc-text/peachy) imports too.
    root = root.resolve()
    for file in sorted(root.rglob("*.txt")):
        if file.is_file():
            yield file.relative_to(root.parent).as_posix(), file.read_bytes


def parse_article(file: CorpusFile) -> ParsedArticle:
    """The article in one corpus file; CorpusError (file, line, reason) when it breaks the format."""
    name = file.name
    try:
        text = file.data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = file.data.count(b"\n", 0, exc.start) + 1
        raise CorpusError(name, line, f"not UTF-8 text (byte {file.data[exc.start]:#04x})") from None
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").split("\n")
    labels = ["the source URL", "the publication time", "the title"]
    for number, label in enumerate(labels, start=1):
        if len(lines) < number or (number < 3 and not lines[number - 1].strip()):
            raise CorpusError(name, number, f"missing {label}")
    url, time, headline = lines[0].strip(), lines[1].strip(), lines[2].strip()
    if not _is_web_address(url):
        raise CorpusError(name, 1, f"not a web address (http or https, at most {_url_max} characters): {url[:80]!r}")
    published_at = _parse_time(name, time)
    if not headline:
        raise CorpusError(name, 3, "empty title")
    if len(headline) > _headline_max:
        raise CorpusError(name, 3, f"title longer than {_headline_max} characters")
    body = "\n".join(lines[3:]).strip("\n")
    if not body.strip():
        raise CorpusError(name, 4, "no body text")
    return ParsedArticle(
        name=name, channel=file.channel, source_url=url, published_at=published_at, headline=headline, body_text=body
    )


def _is_web_address(value: str) -> bool:
    try:
        _url_ok(value)
    except ValidationError:
        return False
    return len(value) <= _url_max


def _parse_time(name: str, value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise CorpusError(name, 2, f"not an ISO 8601 time: {value[:40]!r}") from None
    if parsed.tzinfo is None:
        raise CorpusError(name, 2, f"time without a UTC offset (expected e.g. +0900): {value!r}")
    return parsed


def credit_line(channel_name: str, licence_text: str | None) -> str:
    """The attribution the channel's LICENSE.txt asks for: provider (and its page), licence name and URL."""
    if not licence_text:
        return channel_name
    lines = [line.strip() for line in licence_text.splitlines()]
    provider, provider_url = channel_name, ""
    for i, line in enumerate(lines):
        if line.startswith("このディレクトリの記事ファイル内容の提供元"):
            following = [x for x in lines[i + 1 :] if x]
            provider = following[0] if following else channel_name
            provider_url = next((x for x in following[1:2] if x.startswith("http")), "")
    licence = re.search(r"「([^」]+)」[（(]\s*(https?://[^\s）)]+)", licence_text)
    parts = [f"提供元: {provider}" + (f" {provider_url}" if provider_url else "")]
    if licence:
        parts.append(f"ライセンス: クリエイティブ・コモンズ「{licence.group(1).strip()}」 {licence.group(2)}")
    # URLs stand between spaces so the page can turn them into links.
    return " ／ ".join(parts)[:_credit_max]


def import_ldcc(
    *,
    path: str | Path,
    skip_bad: bool = False,
    channels: set[str] | None = None,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
    on_committed: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import every new article of the corpus at `path` in one transaction; already imported ones are left alone.

    Raises CorpusError at the first bad file (nothing written) unless skip_bad, which lists them in the report.
    """
    summary = scan_corpus(path, channels=channels)
    if on_total:
        on_total(summary.files)
    report = ImportReport()
    with large_write_cache(), transaction.atomic():
        names = sorted(summary.channels, key=_channel_order)
        credits = {ch: credit_line(CHANNELS.get(ch, ch), summary.licences.get(ch)) for ch in names}
        categories = _ensure_categories(names, credits, report)
        batches = _Batches(path, channels, categories, credits, report, skip_bad)
        for place, file in enumerate(iter_corpus(path, channels=channels)):
            try:
                batches.add(place, parse_article(file))
            except CorpusError as error:
                if not skip_bad:
                    batches.save()  # a duplicate among the files before this one is the first bad file
                    raise
                batches.skip(place, error)
            _tick(progress)
        batches.save()
        report.skipped.sort(key=lambda error: batches.skipped_at[error.name])  # in the archive's order
        if report.article_ids:
            ids = report.article_ids
            transaction.on_commit(lambda: _announce(ids, on_committed))
    return report


def _tick(progress: Callable[[int], None] | None) -> None:
    if progress:
        progress(1)


def _channel_order(slug: str) -> tuple[int, str]:
    order = list(CHANNELS)
    return (order.index(slug) if slug in order else len(order), slug)


def _ensure_categories(channels: list[str], credits: dict[str, str], report: ImportReport) -> dict[str, Category]:
    """A category per channel, found by its slug or added at the end of the menu with the channel's credit."""
    found = {c.slug: c for c in Category.objects.filter(slug__in=[slugify(ch) for ch in channels])}
    position = (Category.objects.aggregate(m=Max("position"))["m"] or 0) + 1
    categories = {}
    for channel in channels:
        slug = slugify(channel)
        if slug not in found:
            credit = re.sub(r"\s+https?://\S+", "", credits[channel])  # the page shows it as text
            found[slug] = Category.objects.create(
                name=CHANNELS.get(channel, channel),
                slug=slug,
                position=position,
                description=f"livedoor ニュースコーパスの記事（{credit}）",
            )
            report.new_categories.append(found[slug].name)
            position += 1
        categories[channel] = found[slug]
    return categories


def _new_article(parsed: ParsedArticle, category: Category, credit: str) -> Article:
    article = Article(
        headline=parsed.headline,
        body=plain_text_to_html(parsed.body_text),
        category=category,
        status=Article.Status.PUBLISHED,
        published_at=parsed.published_at,
        source_url=parsed.source_url,
        source_credit=credit,
        created_at=timezone.now(),
    )
    article.derive_fields()  # bulk_create skips save(): derive what it would (sanitized body, description)
    return article


class _Batches:
    """The parsed articles not yet saved, saved BATCH_SIZE at a time."""

    def __init__(self, path, channels, categories, credits, report: ImportReport, skip_bad: bool):
        self.path, self.channels, self.categories, self.credits = path, channels, categories, credits
        self.report, self.skip_bad = report, skip_bad
        self.before = Article.objects.aggregate(m=Max("pk"))["m"] or 0  # this import's ids are higher
        self.pending: list[tuple[int, ParsedArticle]] = []  # (its place among the archive's files, it)
        self.skipped_at: dict[str, int] = {}  # the bad files' places

    def add(self, place: int, parsed: ParsedArticle) -> None:
        self.pending.append((place, parsed))
        if len(self.pending) >= BATCH_SIZE:
            self.save()

    def skip(self, place: int, error: CorpusError) -> None:
        self.report.skipped.append(error)
        self.skipped_at[error.name] = place

    def save(self) -> None:
        """Save the batch's new articles; those whose source URL the database held before the import are
        left alone; one this import saved already (or this batch holds twice) is a bad file."""
        pending, self.pending = self.pending, []
        if not pending:
            return
        urls = [parsed.source_url for _, parsed in pending]
        known = dict(Article.objects.filter(source_url__in=urls).values_list("source_url", "pk"))
        ours = {url for url, pk in known.items() if pk > self.before}
        earlier = _files_with(self.path, self.channels, ours) if ours else {}
        batch, in_batch = [], {}
        for place, parsed in pending:
            url = parsed.source_url
            first = in_batch.get(url) or earlier.get(url)
            if first is not None and first != parsed.name:
                error = CorpusError(parsed.name, 1, f"same source URL as {first}")
                if not self.skip_bad:
                    raise error
                self.skip(place, error)
            elif url in known:
                self.report.already_there += 1  # (or saved by another writer during the import)
            else:
                in_batch[url] = parsed.name
                batch.append(_new_article(parsed, self.categories[parsed.channel], self.credits[parsed.channel]))
        if batch:
            created = Article.objects.bulk_create(batch)
            self.report.created += len(created)
            self.report.article_ids.extend(a.pk for a in created)


def _files_with(path, channels, urls: set[str]) -> dict[str, str]:
    """{source URL: the first good file of the archive with it}, read again from the start (duplicates only)."""
    found: dict[str, str] = {}
    for file in iter_corpus(path, channels=channels):
        try:
            url = parse_article(file).source_url
        except CorpusError:
            continue  # a bad file was not imported: it is not the one duplicated
        if url in urls and url not in found:
            found[url] = file.name
            if len(found) == len(urls):
                break
    return found


def _announce(article_ids, on_committed: Callable[[int], None] | None) -> None:
    if on_committed:
        on_committed(len(article_ids))  # listeners (search, lists) may take a while: say what is going on
    articles_imported.send(sender=Article, article_ids=article_ids)
    refresh_statistics()  # the planner's figures describe the archive before the import
