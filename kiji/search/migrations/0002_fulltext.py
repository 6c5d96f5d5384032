"""The full-text structure over search_searchdocument, per database (see kiji/search/backends.py).

SQLite: an external-content FTS5 table kept in step by triggers. The `unicode61` tokenizer only
splits on the spaces index_text() put between Sudachi tokens, so both backends see the same words.
(Django remakes SQLite tables on some ALTERs: a later migration changing search_searchdocument must
recreate these triggers.)
PostgreSQL: a generated tsvector ('simple' config: no stemming, lower-case only) with title as
weight A and body as weight B, and a GIN index for @@.
"""

from django.db import migrations

SQLITE_UP = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title, body, content='search_searchdocument', content_rowid='article_id', tokenize='unicode61')""",
    """CREATE TRIGGER search_fts_insert AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_fts(rowid, title, body) VALUES (new.article_id, new.title, new.body);
    END""",
    """CREATE TRIGGER search_fts_delete AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body) VALUES ('delete', old.article_id, old.title, old.body);
    END""",
    """CREATE TRIGGER search_fts_update AFTER UPDATE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body) VALUES ('delete', old.article_id, old.title, old.body);
        INSERT INTO search_fts(rowid, title, body) VALUES (new.article_id, new.title, new.body);
    END""",
]
SQLITE_DOWN = ["DROP TRIGGER search_fts_update", "DROP TRIGGER search_fts_delete",
               "DROP TRIGGER search_fts_insert", "DROP TABLE search_fts"]

POSTGRES_UP = [
    """ALTER TABLE search_searchdocument ADD COLUMN vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, title), 'A')
        || setweight(to_tsvector('simple'::regconfig, body), 'B')) STORED""",
    "CREATE INDEX search_document_vector ON search_searchdocument USING gin (vector)",
]
POSTGRES_DOWN = ["DROP INDEX search_document_vector", "ALTER TABLE search_searchdocument DROP COLUMN vector"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(_run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
                             _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN})),
    ]
