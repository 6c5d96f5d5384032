"""What an import made of each old thing, counted, with a few lines of each kind for the printed summary."""

from collections import Counter
from collections.abc import Callable


class Listing:
    """Report lines of one kind: every one counted and handed to `full` (the full report file), the first
    `keep` kept for the printed summary, so a 100,000-post export does not hold 100,000 lines."""

    def __init__(self, label: str, keep: int, full: Callable[[str], None] | None):
        self.label, self.keep, self.full = label, keep, full
        self.count = 0
        self.examples: list[str] = []

    def append(self, line: str) -> None:
        self.count += 1
        if len(self.examples) < self.keep:
            self.examples.append(line)
        if self.full:
            self.full(f"{self.label}: {line}")

    def __iter__(self):
        return iter(self.examples)

    def __len__(self) -> int:
        return self.count


EXAMPLES = 20  # lines of each kind the printed report shows; the full report file has them all


class ImportReport:
    """What each old thing became; printed by the command, also for --dry-run."""

    def __init__(self, *, keep: int = EXAMPLES, full: Callable[[str], None] | None = None):
        self.created: Counter = Counter()  # ("article", "published") → n
        self.updated: Counter = Counter()
        self.unchanged: Counter = Counter()
        self.skipped: Counter = Counter()  # reason → n
        self.shortcodes: Counter = Counter()
        self.redirects = 0  # old addresses answering 301 to their new page
        self.images = 0  # copied from UPLOADS
        self.became = Listing("変換", keep, full)  # "post 12 → /articles/5/"
        self.not_public = Listing("公開しない", keep, full)
        self.folded = Listing("カテゴリーをまとめました", keep, full)
        self.menu = Listing("メニュー", keep, full)
        self.missing_media = Listing("画像が UPLOADS にありません", keep, full)  # no file in UPLOADS
        self.bad = Listing("取り込めなかった項目", keep, full)
