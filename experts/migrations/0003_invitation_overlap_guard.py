"""The database guards of the pool.

1. An expert is never booked twice at the same time: among live invitations (invited or
   confirmed), no two of one expert overlap. PostgreSQL: an exclusion constraint over
   (expert, [starts_at, ends_at)); SQLite: a trigger (SQLite serialises writers, so the
   check inside the trigger is race-free).
2. Conduct records are append-only on SQLite too (PostgreSQL has pgtrigger's Protect).
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

from portal.migration_ops import vendor_sql

PG_FORWARD = [
    "ALTER TABLE experts_drawinvitation ADD CONSTRAINT expert_invitation_no_overlap "
    "EXCLUDE USING gist (expert_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
    "WHERE (state IN ('invited', 'confirmed'))",
]
PG_BACKWARD = [
    "ALTER TABLE experts_drawinvitation DROP CONSTRAINT expert_invitation_no_overlap"
]

SQLITE_CHECK = (
    "SELECT RAISE(ABORT, 'expert_invitation_no_overlap') "
    "WHERE NEW.state IN ('invited', 'confirmed') AND EXISTS ("
    "SELECT 1 FROM experts_drawinvitation i WHERE i.expert_id = NEW.expert_id "
    "AND i.state IN ('invited', 'confirmed') AND i.id IS NOT NEW.id "
    "AND i.starts_at < NEW.ends_at AND NEW.starts_at < i.ends_at);"
)
SQLITE_FORWARD = [
    "CREATE TRIGGER expert_invitation_no_overlap_insert BEFORE INSERT ON experts_drawinvitation "
    f"BEGIN {SQLITE_CHECK} END",
    "CREATE TRIGGER expert_invitation_no_overlap_update BEFORE UPDATE ON experts_drawinvitation "
    f"BEGIN {SQLITE_CHECK} END",
    "CREATE TRIGGER conduct_record_append_only_update BEFORE UPDATE ON experts_conductrecord "
    "BEGIN SELECT RAISE(ABORT, 'conduct_record_append_only'); END",
    "CREATE TRIGGER conduct_record_append_only_delete BEFORE DELETE ON experts_conductrecord "
    "BEGIN SELECT RAISE(ABORT, 'conduct_record_append_only'); END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER expert_invitation_no_overlap_insert",
    "DROP TRIGGER expert_invitation_no_overlap_update",
    "DROP TRIGGER conduct_record_append_only_update",
    "DROP TRIGGER conduct_record_append_only_delete",
]


class BtreeGistOnPostgres(BtreeGistExtension):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass


class Migration(migrations.Migration):
    dependencies = [
        ("experts", "0002_seed_specialties_and_rules"),
        ("centres", "0002_booking_overlap_guard"),
    ]

    operations = [
        BtreeGistOnPostgres(),
        vendor_sql("postgresql", PG_FORWARD, PG_BACKWARD),
        vendor_sql("sqlite", SQLITE_FORWARD, SQLITE_BACKWARD),
    ]
