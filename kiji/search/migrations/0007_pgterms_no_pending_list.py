"""PostgreSQL only: search_pgterms' GIN index writes each article's terms into the index itself
(fastupdate off) instead of into a pending list.

Why: every GIN scan reads the whole pending list, and a search makes about six of them. By default
the list grows to 4 MB (gin_pending_list_limit) before it is merged, or until autovacuum comes by.
On the 10x copy (73,670 articles) with 31 articles pending (145 pages), the 50 benchmark queries
cost CPU p50 11.2 / p95 20.1 ms; after the list was merged, p50 7.7 / p95 16.7 ms. The writes cost
the same overall: 50 articles re-indexed took 16.6 ms each with fastupdate off, against 4.4 ms each
plus 11.2 ms each for the merge later with it on. An editor's save does the whole write at once.
The entries already pending are merged here.
"""

from django.db import migrations

INDEX = "search_pgterms_terms"


def _no_pending_list(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER INDEX {INDEX} SET (fastupdate = off)")
        schema_editor.execute(f"SELECT gin_clean_pending_list('{INDEX}'::regclass)")


def _pending_list(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER INDEX {INDEX} RESET (fastupdate)")


class Migration(migrations.Migration):
    dependencies = [("search", "0006_pg_terms")]

    operations = [migrations.RunPython(_no_pending_list, _pending_list)]
