"""The search app's periodic jobs (run by kiji.ops.scheduler)."""

from kiji.lib.memo import Memo
from kiji.search.services import refresh_vocabulary

VOCABULARY_EVERY = 7 * 86400  # seconds between two recounts by one scheduler (a second one is harmless)
_refreshed = Memo(seconds=VOCABULARY_EVERY, max_entries=1)


def vocabulary() -> bool:
    """Every VOCABULARY_EVERY seconds, a recount of the vocabulary (which orders synonyms and typo
    suggestions) from the whole index: a repair only, since indexing an article moves the counts of its
    words at once (services.count_words); what a failed or conflicting count missed is set right."""
    if _refreshed.get("done"):
        return False
    refresh_vocabulary()
    _refreshed.set("done", True)
    return True


JOBS = {"vocabulary": vocabulary}
SLOW_JOBS = {"vocabulary"}  # a pass over the whole index: never in the way of scheduled publishing
