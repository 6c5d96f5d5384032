"""A third indexed column, `parts`: the short-unit parts of compound words (興行収入 → 興行 収入).

The full-text structures of 0002 are dropped first (SQLite may remake the table for AddField, which
would drop the triggers) and rebuilt over three columns. Existing rows get empty parts until
`kiji reindex` runs.
"""

from django.db import migrations, models

SQLITE_DROP = ["DROP TRIGGER IF EXISTS search_fts_update", "DROP TRIGGER IF EXISTS search_fts_delete",
               "DROP TRIGGER IF EXISTS search_fts_insert", "DROP TABLE IF EXISTS search_fts"]
SQLITE_CREATE = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title, body, parts, content='search_searchdocument', content_rowid='article_id', tokenize='unicode61')""",
    """CREATE TRIGGER search_fts_insert AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_fts(rowid, title, body, parts) VALUES (new.article_id, new.title, new.body, new.parts);
    END""",
    """CREATE TRIGGER search_fts_delete AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body, parts)
        VALUES ('delete', old.article_id, old.title, old.body, old.parts);
    END""",
    """CREATE TRIGGER search_fts_update AFTER UPDATE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body, parts)
        VALUES ('delete', old.article_id, old.title, old.body, old.parts);
        INSERT INTO search_fts(rowid, title, body, parts) VALUES (new.article_id, new.title, new.body, new.parts);
    END""",
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
]
POSTGRES_DROP = ["DROP INDEX IF EXISTS search_document_vector",
                 "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS vector"]
POSTGRES_CREATE = [
    """ALTER TABLE search_searchdocument ADD COLUMN vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, title), 'A')
        || setweight(to_tsvector('simple'::regconfig, body), 'B')
        || setweight(to_tsvector('simple'::regconfig, parts), 'C')) STORED""",
    "CREATE INDEX search_document_vector ON search_searchdocument USING gin (vector)",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0003_rank_index")]

    operations = [
        migrations.RunPython(_run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}), migrations.RunPython.noop),
        migrations.AddField(
            model_name="searchdocument",
            name="parts",
            field=models.TextField(blank=True, default="", help_text="short-unit parts of the compound words of both"),
        ),
        migrations.RunPython(_run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}),
                             migrations.RunPython.noop),
    ]
