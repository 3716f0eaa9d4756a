"""Land and mining rights by tender (招标出让): the tender's schedule on the listing, its two
states, and the sealed bids (kept, and their envelopes read-only, on SQLite too)."""

import django.db.models.deletion
import pgtrigger.compiler
import pgtrigger.migrations
from django.conf import settings
from django.db import migrations, models

from portal.migration_ops import vendor_sql

SEALED_FIELDS = (
    "listing_id, registration_id, envelope, envelope_digest, receipt_digest, suite, sealed_by, "
    "received_at"
)
SQLITE_FORWARD = [
    "CREATE TRIGGER auction_tender_bid_kept BEFORE DELETE ON auctions_tenderbid "
    "BEGIN SELECT RAISE(ABORT, 'auctions_tenderbid rows are kept'); END",
    f"CREATE TRIGGER auction_tender_bid_sealed_fields BEFORE UPDATE OF {SEALED_FIELDS} "
    "ON auctions_tenderbid BEGIN SELECT RAISE(ABORT, 'a sealed bid is read-only'); END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER auction_tender_bid_kept",
    "DROP TRIGGER auction_tender_bid_sealed_fields",
]


class Migration(migrations.Migration):

    dependencies = [
        ('auctions', '0003_registration_qualification_review'),
        ('catalog', '0007_seed_tender_rules'),
        ('centres', '0002_booking_overlap_guard'),
        ('entities', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='TenderBid',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('envelope', models.BinaryField(verbose_name='sealed envelope')),
                ('envelope_digest', models.CharField(max_length=64, verbose_name='envelope digest')),
                ('receipt_digest', models.CharField(max_length=64, verbose_name='receipt digest')),
                ('suite', models.CharField(max_length=32, verbose_name='cipher suite')),
                ('sealed_by', models.CharField(choices=[('server', 'the platform, at submission'), ('bidder', "the bidder's own machine")], default='server', max_length=8, verbose_name='sealed by')),
                ('received_at', models.DateTimeField(verbose_name='received at')),
                ('state', models.CharField(choices=[('sealed', 'sealed'), ('decrypted', 'decrypted'), ('invalid', 'invalid')], default='sealed', max_length=16, verbose_name='state')),
                ('price', models.DecimalField(blank=True, decimal_places=2, max_digits=18, null=True, verbose_name='price')),
                ('decrypted_at', models.DateTimeField(blank=True, null=True, verbose_name='decrypted at')),
                ('last_failure', models.CharField(blank=True, max_length=32, verbose_name='cause of the last failed decryption')),
                ('invalid_reason', models.CharField(blank=True, max_length=300, verbose_name='why invalid')),
            ],
            options={
                'verbose_name': 'sealed tender bid',
                'ordering': ['listing', 'received_at', 'pk'],
            },
        ),
        migrations.AddField(
            model_name='listing',
            name='decrypt_window_minutes',
            field=models.PositiveSmallIntegerField(default=30, help_text='At the opening, each bidder decrypts its own bid within this window.', verbose_name='decryption window (minutes)'),
        ),
        migrations.AddField(
            model_name='listing',
            name='opening_at',
            field=models.DateTimeField(blank=True, help_text='Sealed bids are accepted until this instant; the bids are opened at it.', null=True, verbose_name='bid deadline and opening at'),
        ),
        migrations.AddField(
            model_name='listing',
            name='opening_closes_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='decryption window closes at'),
        ),
        migrations.AddField(
            model_name='listing',
            name='tender_starts_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='tender starts at'),
        ),
        migrations.AlterField(
            model_name='listing',
            name='state',
            field=models.CharField(choices=[('draft', 'draft'), ('announced', 'announced (registration open)'), ('listing', 'listing period'), ('review', 'qualification review'), ('tender', 'tender: sealed bids accepted'), ('opening', 'bid opening: bidders decrypt'), ('live', 'live auction'), ('suspended', 'suspended by a fault'), ('agreement', 'agreement transfer'), ('sold', 'sold'), ('failed', 'failed'), ('voided', 'voided')], default='draft', max_length=16, verbose_name='state'),
        ),
        migrations.AddIndex(
            model_name='listing',
            index=models.Index(fields=['state', 'tender_starts_at'], name='auctions_li_state_2117ac_idx'),
        ),
        migrations.AddIndex(
            model_name='listing',
            index=models.Index(fields=['state', 'opening_closes_at'], name='auctions_li_state_b264a4_idx'),
        ),
        migrations.AddConstraint(
            model_name='listing',
            constraint=models.CheckConstraint(condition=models.Q(('decrypt_window_minutes__gte', 5), ('decrypt_window_minutes__lte', 240)), name='auction_decrypt_window_range'),
        ),
        migrations.AddField(
            model_name='tenderbid',
            name='listing',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='tender_bids', to='auctions.listing'),
        ),
        migrations.AddField(
            model_name='tenderbid',
            name='registration',
            field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='tender_bid', to='auctions.registration'),
        ),
        migrations.AddConstraint(
            model_name='tenderbid',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('price__isnull', True), ('state', 'sealed')), models.Q(('state', 'sealed'), _negated=True), _connector='OR'), name='auction_sealed_bid_has_no_price'),
        ),
        migrations.AddConstraint(
            model_name='tenderbid',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('state', 'decrypted'), _negated=True), models.Q(('decrypted_at__isnull', False), ('price__gt', 0)), _connector='OR'), name='auction_decrypted_bid_has_price'),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='tenderbid',
            trigger=pgtrigger.compiler.Trigger(name='auction_tender_bid_kept', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot delete rows from % table', TG_TABLE_NAME;", hash='bb15c1aee746d2a525414631471efa9dcbf35dda', operation='DELETE', pgid='pgtrigger_auction_tender_bid_kept_3f863', table='auctions_tenderbid', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='tenderbid',
            trigger=pgtrigger.compiler.Trigger(name='auction_tender_bid_sealed_fields', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD."listing_id" IS DISTINCT FROM (NEW."listing_id") OR OLD."registration_id" IS DISTINCT FROM (NEW."registration_id") OR OLD."envelope" IS DISTINCT FROM (NEW."envelope") OR OLD."envelope_digest" IS DISTINCT FROM (NEW."envelope_digest") OR OLD."receipt_digest" IS DISTINCT FROM (NEW."receipt_digest") OR OLD."suite" IS DISTINCT FROM (NEW."suite") OR OLD."sealed_by" IS DISTINCT FROM (NEW."sealed_by") OR OLD."received_at" IS DISTINCT FROM (NEW."received_at"))', func="RAISE EXCEPTION 'pgtrigger: Cannot update rows from % table', TG_TABLE_NAME;", hash='6bfc147281b020605987335e18a6cf87f5f21d57', operation='UPDATE', pgid='pgtrigger_auction_tender_bid_sealed_fields_1de24', table='auctions_tenderbid', when='BEFORE')),
        ),
        vendor_sql("sqlite", SQLITE_FORWARD, SQLITE_BACKWARD),
    ]
