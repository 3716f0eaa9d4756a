"""The bid log and the deposit movements are append-only on SQLite too (PostgreSQL has
pgtrigger's Protect triggers, declared on the models)."""

from django.db import migrations

from portal.migration_ops import vendor_sql

TABLES = {"auction_bid": "auctions_bid", "auction_deposit": "auctions_depositmovement"}

SQLITE_FORWARD = [
    f"CREATE TRIGGER {name}_append_only_{op.lower()} BEFORE {op} ON {table} "
    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
    for name, table in TABLES.items()
    for op in ("UPDATE", "DELETE")
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER {name}_append_only_{op.lower()}"
    for name in TABLES
    for op in ("UPDATE", "DELETE")
]


class Migration(migrations.Migration):
    dependencies = [("auctions", "0001_initial")]

    operations = [vendor_sql("sqlite", SQLITE_FORWARD, SQLITE_BACKWARD)]
