"""The trade log is append-only on SQLite too (PostgreSQL has pgtrigger's Protect trigger),
and the chain head row exists from the start."""

from django.db import migrations

from portal.migration_ops import vendor_sql

SQLITE_FORWARD = [
    "CREATE TRIGGER trade_log_append_only_update BEFORE UPDATE ON tradelog_tradelogentry "
    "BEGIN SELECT RAISE(ABORT, 'trade log is append-only'); END",
    "CREATE TRIGGER trade_log_append_only_delete BEFORE DELETE ON tradelog_tradelogentry "
    "BEGIN SELECT RAISE(ABORT, 'trade log is append-only'); END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER trade_log_append_only_update",
    "DROP TRIGGER trade_log_append_only_delete",
]


def create_head(apps, schema_editor):
    apps.get_model("tradelog", "TradeLogHead").objects.using(
        schema_editor.connection.alias
    ).get_or_create(id=1)


class Migration(migrations.Migration):
    dependencies = [("tradelog", "0001_initial")]

    operations = [
        vendor_sql("sqlite", SQLITE_FORWARD, SQLITE_BACKWARD),
        migrations.RunPython(create_head, migrations.RunPython.noop),
    ]
