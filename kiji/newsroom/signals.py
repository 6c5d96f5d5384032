"""Newsroom events other apps listen to (search index, caches, audience lists).

Sent by the services after the transaction commits, never from model save(): the imports
point one way (newsroom knows nothing of search or caches), so this is how they hear of changes.
"""

from django.dispatch import Signal

# Sent with article=<Article> whenever what readers could see of it may have changed:
# published, edited, unpublished, scheduled, restored, deleted (deleted=True).
article_changed = Signal()

# Sent once after a bulk import (kiji import-ldcc) has committed, with article_ids=<list of pks>
# of the newly created, published articles. No article_changed is sent for them: one signal per
# article would make a 7,000-article import slow; listeners index or count them in bulk.
articles_imported = Signal()
