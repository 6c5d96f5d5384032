"""The rows an import writes in bulk, each INSERT compiled once and sent a batch at a time (kiji.lib.queries.Insert).

bulk_create's per-row cost (a model instance, every value compiled) was a third of the import's time.
"""

from kiji.comments.models import Comment
from kiji.lib.queries import Insert
from kiji.newsroom.models import Article, Byline, Revision
from kiji.redirects.models import Redirect
from kiji.wxr.models import ImportedItem

# What fill_article sets on an article that was there before (derive_fields adds description; modified_at is auto_now).
ARTICLE_FIELDS = [
    "headline",
    "deck",
    "slug",
    "body",
    "description",
    "status",
    "published_at",
    "category",
    "modified_at",
]

imported_items = Insert(
    ImportedItem,
    ["site", "kind", "wp_key", "object_id", "digest", "imported_at"],
    upsert_on=["site", "kind", "wp_key"],
    update=["object_id", "digest", "imported_at"],
)
redirects = Insert(
    Redirect, ["old_path", "new_path", "note", "created_at"], upsert_on=["old_path"], update=["new_path", "note"]
)
# Every column of a new article but its id (derive_fields and the import fill them, not save()).
NEW_ARTICLE = [f for f in Article._meta.concrete_fields if not f.primary_key]
articles = Insert(Article, [f.name for f in NEW_ARTICLE], returning=True)
comments = Insert(
    Comment,
    [f.name for f in Comment._meta.concrete_fields if not f.primary_key],
    returning=True,
)
tag_links = Insert(Article.tags.through, ["article", "tag"])
bylines = Insert(Byline, ["article", "writer", "position"])
revisions = Insert(Revision, ["article", "created_at", "created_by", "note", "data"])
