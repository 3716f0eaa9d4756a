"""No venue is ever double-booked, guarded by the database (B4).

PostgreSQL: an exclusion constraint over (venue, [starts_at, ends_at)) among active bookings
(btree_gist for the equality on venue_id). SQLite: a trigger; SQLite serialises writers, so a
check inside the trigger is race-free.
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

from portal.migration_ops import vendor_sql

PG_FORWARD = [
    "ALTER TABLE centres_venuebooking ADD CONSTRAINT venue_booking_no_overlap "
    "EXCLUDE USING gist (venue_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
    "WHERE (status = 'active')",
]
PG_BACKWARD = ["ALTER TABLE centres_venuebooking DROP CONSTRAINT venue_booking_no_overlap"]

SQLITE_CHECK = (
    "SELECT RAISE(ABORT, 'venue_booking_no_overlap') WHERE NEW.status = 'active' AND EXISTS ("
    "SELECT 1 FROM centres_venuebooking b WHERE b.venue_id = NEW.venue_id "
    "AND b.status = 'active' AND b.id IS NOT NEW.id "
    "AND b.starts_at < NEW.ends_at AND NEW.starts_at < b.ends_at);"
)
SQLITE_FORWARD = [
    "CREATE TRIGGER venue_booking_no_overlap_insert BEFORE INSERT ON centres_venuebooking "
    f"BEGIN {SQLITE_CHECK} END",
    "CREATE TRIGGER venue_booking_no_overlap_update BEFORE UPDATE ON centres_venuebooking "
    f"BEGIN {SQLITE_CHECK} END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER venue_booking_no_overlap_insert",
    "DROP TRIGGER venue_booking_no_overlap_update",
]


class BtreeGistOnPostgres(BtreeGistExtension):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass


class Migration(migrations.Migration):
    dependencies = [("centres", "0001_initial")]

    operations = [
        BtreeGistOnPostgres(),
        vendor_sql("postgresql", PG_FORWARD, PG_BACKWARD),
        vendor_sql("sqlite", SQLITE_FORWARD, SQLITE_BACKWARD),
    ]
