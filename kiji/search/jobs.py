"""The search app's periodic jobs (run by kiji.ops.scheduler)."""

from kiji.lib.memo import Memo
from kiji.search.services import refresh_vocabulary

VOCABULARY_EVERY = 6 * 3600  # seconds between two recounts by one scheduler (a second one is harmless)
_refreshed = Memo(seconds=VOCABULARY_EVERY, max_entries=1)


def vocabulary() -> bool:
    """Every VOCABULARY_EVERY seconds, the vocabulary's counts (which order synonyms and typo
    suggestions) follow the articles published, changed and removed since, without a reindex."""
    if _refreshed.get("done"):
        return False
    refresh_vocabulary()
    _refreshed.set("done", True)
    return True


JOBS = {"vocabulary": vocabulary}
SLOW_JOBS = {"vocabulary"}  # a pass over the whole index: never in the way of scheduled publishing
