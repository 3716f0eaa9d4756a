"""PostgreSQL triggers of the portal (`manage.py reindex_publications` fills the index from
what trading published before the portal existed).

- `publication_search_vector`: keeps `search_vector = to_tsvector('simple', search_document)`
  on every insert and update (bulk loads and COPY included).

SQLite (the embedded default) does without: its search falls back to `icontains`.
"""

from django.db import migrations

from portal.migration_ops import vendor_sql

FORWARDS = [
    """
    CREATE OR REPLACE FUNCTION publicportal_search_vector() RETURNS trigger AS $$
    BEGIN
        NEW.search_vector := to_tsvector('simple'::regconfig, coalesce(NEW.search_document, ''));
        RETURN NEW;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER publication_search_vector
    BEFORE INSERT OR UPDATE OF search_document ON publicportal_publication
    FOR EACH ROW EXECUTE FUNCTION publicportal_search_vector()
    """,
]
BACKWARDS = [
    "DROP TRIGGER IF EXISTS publication_search_vector ON publicportal_publication",
    "DROP FUNCTION IF EXISTS publicportal_search_vector()",
]


class Migration(migrations.Migration):
    dependencies = [
        ("publicportal", "0001_initial"),
        ("trading", "0001_initial"),
    ]

    operations = [
        vendor_sql("postgresql", FORWARDS, BACKWARDS),
    ]
