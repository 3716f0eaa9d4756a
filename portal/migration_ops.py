"""Migration operations that run SQL on one database vendor only.

PostgreSQL gets the real mechanism (exclusion constraints, pgtrigger); the embedded SQLite
default gets an equivalent trigger so that it keeps the same invariants.
"""

from django.db import migrations


def vendor_sql(vendor: str, forwards: list[str], backwards: list[str]) -> migrations.RunPython:
    def run(statements):
        def apply(apps, schema_editor):
            if schema_editor.connection.vendor != vendor:
                return
            for statement in statements:
                schema_editor.execute(statement)

        return apply

    return migrations.RunPython(run(forwards), run(backwards))
