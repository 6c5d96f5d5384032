"""PostgreSQL only: a narrow table of what a search tests, `search_pgterms`, kept in step with
search_searchdocument by triggers (as SQLite's FTS5 table is), and its GIN index in place of the
index on the wide table's vector.

Why: the index gives row addresses, not article ids, so a list of matches read every matching row
of search_searchdocument (title, body, parts, readings and the vector: 5.6 rows a page), and the
phrase and exact tests fetched and decompressed each candidate's ~6 KB vector. Here a row is an id,
published_at, category and `terms`, a position-free tsvector (out of line, never read by a search)
holding, as lexemes (see search_terms_of):
    'x'       a word of the title, body or parts           'x y'   two such words in a row
    ' x'      a reading (the vector's weight D)             ' x y'  two readings in a row
    '  x'     a word of the title (weight A)                '  x y' two title words in a row
Lexemes never hold a space, so the marks cannot be confused with one another. Every test a search
makes is then a plain lexeme test (no weight, no position) that the GIN index answers alone.
The wide table keeps its generated `vector`: ts_rank reads it for the few articles ranked.
(A later migration dropping or renaming search_searchdocument.vector must recreate the trigger.)
"""

from django.db import migrations

TERMS_OF = """
CREATE FUNCTION search_terms_of(v tsvector) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT array_to_tsvector(
        array_agg(q.mark || q.lexeme)
        || coalesce(array_agg(q.mark || q.lexeme || q.next) FILTER (WHERE q.next IS NOT NULL), '{}')
        || coalesce(array_agg('  ' || q.lexeme) FILTER (WHERE q.weight = 'A'), '{}')
        || coalesce(array_agg('  ' || q.lexeme || q.next) FILTER (WHERE q.weight = 'A' AND q.next IS NOT NULL), '{}'))
    FROM (
        SELECT p.lexeme, p.weight, CASE p.weight WHEN 'D' THEN ' ' ELSE '' END AS mark,
               -- the next word when it follows at once in the same column (weight)
               CASE WHEN lead(p.pos) OVER w = p.pos + 1 AND lead(p.weight) OVER w = p.weight
                         AND octet_length(p.lexeme) + octet_length(lead(p.lexeme) OVER w) < 2040
                    THEN ' ' || lead(p.lexeme) OVER w END AS next
        FROM (SELECT u.lexeme, x.pos, x.weight FROM unnest(v) u, unnest(u.positions, u.weights) AS x(pos, weight)) p
        WINDOW w AS (ORDER BY p.pos)
    ) q
$$"""

SYNC = """
CREATE FUNCTION search_pgterms_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        TRUNCATE search_pgterms;
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM search_pgterms WHERE article_id = OLD.article_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO search_pgterms (article_id, published_at, category_id, terms)
        VALUES (NEW.article_id, NEW.published_at, NEW.category_id, search_terms_of(NEW.vector));
    END IF;
    RETURN NULL;
END
$$"""

POSTGRES_UP = [
    TERMS_OF,
    # No foreign key: Django's flush truncates search_searchdocument alone (the TRUNCATE trigger follows).
    """CREATE TABLE search_pgterms (
        article_id bigint PRIMARY KEY,
        published_at timestamp with time zone NOT NULL,
        category_id bigint NOT NULL,
        terms tsvector NOT NULL)""",
    SYNC,
    """CREATE TRIGGER search_pgterms_rows AFTER INSERT OR UPDATE OR DELETE ON search_searchdocument
        FOR EACH ROW EXECUTE FUNCTION search_pgterms_sync()""",
    """CREATE TRIGGER search_pgterms_truncate AFTER TRUNCATE ON search_searchdocument
        FOR EACH STATEMENT EXECUTE FUNCTION search_pgterms_sync()""",
    """INSERT INTO search_pgterms (article_id, published_at, category_id, terms)
        SELECT article_id, published_at, category_id, search_terms_of(vector) FROM search_searchdocument""",
    "CREATE INDEX search_pgterms_terms ON search_pgterms USING gin (terms)",
    "DROP INDEX search_document_vector",
]
POSTGRES_DOWN = [
    "CREATE INDEX search_document_vector ON search_searchdocument USING gin (vector)",
    "DROP TRIGGER search_pgterms_truncate ON search_searchdocument",
    "DROP TRIGGER search_pgterms_rows ON search_searchdocument",
    "DROP TABLE search_pgterms",
    "DROP FUNCTION search_pgterms_sync()",
    "DROP FUNCTION search_terms_of(tsvector)",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0005_readings_terms_synonyms")]

    operations = [
        migrations.RunPython(_run({"postgresql": POSTGRES_UP}), _run({"postgresql": POSTGRES_DOWN})),
    ]
