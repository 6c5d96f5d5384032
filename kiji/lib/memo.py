"""Per-process memos: values a process keeps for a few seconds, in a bounded number of entries.

Every hand-kept dictionary of remembered values goes through `Memo`, so each has a lifetime and a
size cap, and `forget_all()` (tests, a restore) empties every one of them in one call.
"""

import time
import weakref
from collections.abc import Callable, Hashable
from typing import Any

_MISSING = object()
_ALL: "weakref.WeakSet[Memo]" = weakref.WeakSet()


class Memo:
    """A dictionary whose entries live `seconds` (monotonic clock); it is emptied when `max_entries` is reached."""

    def __init__(self, *, seconds: float, max_entries: int, clock: Callable[[], float] = time.monotonic):
        self.clock = clock  # monotonic: a memo's lifetime is unaffected by changes of the wall clock
        self.seconds = seconds
        self.max_entries = max_entries
        self._entries: dict[Hashable, tuple[float, Any]] = {}
        _ALL.add(self)

    def get(self, key: Hashable, default: Any = None) -> Any:
        held = self._entries.get(key)
        if held is not None and held[0] > self.clock():
            return held[1]
        return default

    def set(self, key: Hashable, value: Any, seconds: float | None = None) -> Any:
        if len(self._entries) >= self.max_entries and key not in self._entries:
            self._entries.clear()  # cheaper than an LRU, and a full memo is rare: the hot entries come back
        self._entries[key] = (self.clock() + (self.seconds if seconds is None else seconds), value)
        return value

    def get_or_set(self, key: Hashable, make: Callable[[], Any]) -> Any:
        found = self.get(key, _MISSING)
        return self.set(key, make()) if found is _MISSING else found

    def pop(self, key: Hashable) -> None:
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def forget_all() -> None:
    """Empty every memo of this process (tests between cases; after a restore)."""
    for memo in list(_ALL):
        memo.clear()
