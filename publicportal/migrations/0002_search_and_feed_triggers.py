"""PostgreSQL triggers of the portal (`manage.py reindex_publications` fills the index from
what trading published before the portal existed).

- `publication_search_vector`: keeps `search_vector = to_tsvector('simple', search_document)`
  on every insert and update (bulk loads and COPY included).
- `changelog_txid`: stamps each change-feed entry with its writing transaction's id, the
  first half of the feed's cursor (see publicportal/changes.py).

SQLite (the embedded default) gets neither: its search falls back to `icontains` and its
writers are serialised, so id order is commit order there.
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
    """
    CREATE OR REPLACE FUNCTION publicportal_changelog_txid() RETURNS trigger AS $$
    BEGIN
        NEW.txid := pg_current_xact_id()::text::bigint;
        RETURN NEW;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER changelog_txid
    BEFORE INSERT ON publicportal_changelogentry
    FOR EACH ROW EXECUTE FUNCTION publicportal_changelog_txid()
    """,
]
BACKWARDS = [
    "DROP TRIGGER IF EXISTS changelog_txid ON publicportal_changelogentry",
    "DROP FUNCTION IF EXISTS publicportal_changelog_txid()",
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
