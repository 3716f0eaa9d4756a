"""The screening copy of the pool (`experts.PoolEntry`): one row per expert and specialty with
the expert's status, region and employer, kept exact by triggers — pgtrigger on PostgreSQL
(declared on the models: statement-level, with transition tables), row triggers here for
SQLite — and filled from the existing rows once."""

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models

from portal.migration_ops import vendor_sql

COPY = (
    "INSERT INTO experts_poolentry (id, expert_id, specialty_id, status, region_id, "
    "employer_uscc) SELECT s.id, p.id, s.specialty_id, p.status, p.region_id, p.employer_uscc "
    "FROM experts_expertspecialty s JOIN experts_expertprofile p ON p.id = s.expert_id"
)
INSERT_NEW = (
    "INSERT INTO experts_poolentry (id, expert_id, specialty_id, status, region_id, "
    "employer_uscc) SELECT NEW.id, p.id, NEW.specialty_id, p.status, p.region_id, "
    "p.employer_uscc FROM experts_expertprofile p WHERE p.id = NEW.expert_id;"
)
SQLITE_FORWARD = [
    "CREATE TRIGGER pool_entry_on_specialty_insert AFTER INSERT ON experts_expertspecialty "
    f"BEGIN {INSERT_NEW} END",
    "CREATE TRIGGER pool_entry_on_specialty_update AFTER UPDATE ON experts_expertspecialty "
    f"BEGIN DELETE FROM experts_poolentry WHERE id = OLD.id; {INSERT_NEW} END",
    "CREATE TRIGGER pool_entry_on_specialty_delete AFTER DELETE ON experts_expertspecialty "
    "BEGIN DELETE FROM experts_poolentry WHERE id = OLD.id; END",
    "CREATE TRIGGER pool_entry_follows_profile AFTER UPDATE OF status, region_id, employer_uscc "
    "ON experts_expertprofile BEGIN UPDATE experts_poolentry SET status = NEW.status, "
    "region_id = NEW.region_id, employer_uscc = NEW.employer_uscc WHERE expert_id = NEW.id; END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER pool_entry_on_specialty_insert",
    "DROP TRIGGER pool_entry_on_specialty_update",
    "DROP TRIGGER pool_entry_on_specialty_delete",
    "DROP TRIGGER pool_entry_follows_profile",
]


class Migration(migrations.Migration):

    dependencies = [
        ('experts', '0003_invitation_overlap_guard'),
    ]

    operations = [
        migrations.CreateModel(
            name='PoolEntry',
            fields=[
                ('id', models.BigIntegerField(primary_key=True, serialize=False)),
                ('expert_id', models.BigIntegerField()),
                ('specialty_id', models.BigIntegerField()),
                ('status', models.CharField(max_length=16)),
                ('region_id', models.BigIntegerField()),
                ('employer_uscc', models.CharField(blank=True, max_length=18)),
            ],
            options={
                'verbose_name': 'pool entry (screening copy)',
                'verbose_name_plural': 'pool entries (screening copy)',
            },
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='expertprofile',
            trigger=pgtrigger.compiler.Trigger(name='pool_entry_follows_profile', sql=pgtrigger.compiler.UpsertTriggerSql(func='UPDATE experts_poolentry e SET status = n.status, region_id = n.region_id, employer_uscc = n.employer_uscc FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE e.expert_id = n.id AND (o.status, o.region_id, o.employer_uscc) IS DISTINCT FROM (n.status, n.region_id, n.employer_uscc); RETURN NULL;', hash='73fe7279841b503b1f68fa7af7649118a4179b83', level='STATEMENT', operation='UPDATE', pgid='pgtrigger_pool_entry_follows_profile_b8cdb', referencing='REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ', table='experts_expertprofile', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='expertspecialty',
            trigger=pgtrigger.compiler.Trigger(name='pool_entry_on_specialty_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO experts_poolentry (id, expert_id, specialty_id, status, region_id, employer_uscc) SELECT n.id, p.id, n.specialty_id, p.status, p.region_id, p.employer_uscc FROM new_rows n JOIN experts_expertprofile p ON p.id = n.expert_id; RETURN NULL;', hash='86cda269e0e7bfa41330a130b37f82cd16e0da41', level='STATEMENT', operation='INSERT', pgid='pgtrigger_pool_entry_on_specialty_insert_78c4d', referencing='REFERENCING NEW TABLE AS new_rows ', table='experts_expertspecialty', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='expertspecialty',
            trigger=pgtrigger.compiler.Trigger(name='pool_entry_on_specialty_update', sql=pgtrigger.compiler.UpsertTriggerSql(func='DELETE FROM experts_poolentry WHERE id IN (SELECT id FROM old_rows); INSERT INTO experts_poolentry (id, expert_id, specialty_id, status, region_id, employer_uscc) SELECT n.id, p.id, n.specialty_id, p.status, p.region_id, p.employer_uscc FROM new_rows n JOIN experts_expertprofile p ON p.id = n.expert_id; RETURN NULL;', hash='7b490889c118583fde5717a96300ca7e4eccd1e0', level='STATEMENT', operation='UPDATE', pgid='pgtrigger_pool_entry_on_specialty_update_8b560', referencing='REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ', table='experts_expertspecialty', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='expertspecialty',
            trigger=pgtrigger.compiler.Trigger(name='pool_entry_on_specialty_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='DELETE FROM experts_poolentry WHERE id IN (SELECT id FROM old_rows); RETURN NULL;', hash='2a933b7ec3bf2b46d9b6593b744c7e410e4656d7', level='STATEMENT', operation='DELETE', pgid='pgtrigger_pool_entry_on_specialty_delete_79b8c', referencing='REFERENCING OLD TABLE AS old_rows ', table='experts_expertspecialty', when='AFTER')),
        ),
        migrations.AddIndex(
            model_name='poolentry',
            index=models.Index(fields=['specialty_id', 'status', 'region_id', 'expert_id'], include=('employer_uscc',), name='pool_entry_screening'),
        ),
        migrations.AddIndex(
            model_name='poolentry',
            index=models.Index(fields=['expert_id'], name='pool_entry_expert'),
        ),
        vendor_sql("sqlite", SQLITE_FORWARD, SQLITE_BACKWARD),
        migrations.RunSQL(COPY, migrations.RunSQL.noop),
    ]
