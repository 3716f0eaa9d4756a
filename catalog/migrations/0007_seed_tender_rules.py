"""Rules of the tender method (招标出让) for land and mining rights that 0002 and 0006 did not
seed: the minimum number of bidders at the opening (fewer terminates the tender), and the
mining tender's announcement period (land's, 39号令(国土) 第9条, is in 0002).

Read by auctions at the opening through `catalog.selectors.check_schedule_for` with the
number of sealed bids received as `bids_received`.
"""

from decimal import Decimal

from django.db import migrations

MINING_SOURCE = "矿业权出让交易规则（国土资规〔2017〕1号）"


def rows():
    return [
        dict(
            code="land.tender.min_bidders",
            category="land",
            kind="min_count",
            start_field="bids_received",
            end_field="",
            value=Decimal(3),
            unit="count",
            description="投标人少于三人的，出让人应当终止招标活动",
            source="39号令(国土) 第13条",
            needs_confirmation=False,
        ),
        dict(
            code="mining.tender.min_bidders",
            category="mining",
            kind="min_count",
            start_field="bids_received",
            end_field="",
            value=Decimal(3),
            unit="count",
            description="投标人少于三人的，出让人应当终止招标活动",
            source=MINING_SOURCE,
            needs_confirmation=True,
        ),
        dict(
            code="mining.tender.announcement_before_start",
            category="mining",
            kind="min_interval",
            start_field="announcement_published_at",
            end_field="trading_starts_at",
            value=Decimal(20),
            unit="calendar_days",
            description="矿业权招标出让公告应当在投标开始日前至少20日发布",
            source=MINING_SOURCE,
            needs_confirmation=True,
        ),
    ]


def seed(apps, schema_editor):
    db = schema_editor.connection.alias
    Category = apps.get_model("catalog", "Category")
    TradingMethod = apps.get_model("catalog", "TradingMethod")
    StatutoryRule = apps.get_model("catalog", "StatutoryRule")
    tender = TradingMethod.objects.using(db).get(code="tender")
    for row in rows():
        row = dict(row)
        code = row.pop("code")
        row["category"] = Category.objects.using(db).get(code=row["category"])
        StatutoryRule.objects.using(db).update_or_create(
            code=code,
            defaults=dict(
                row,
                method=tender,
                value_denominator=1,
                condition_field="",
                condition_min_value=None,
            ),
        )


def unseed(apps, schema_editor):
    apps.get_model("catalog", "StatutoryRule").objects.using(schema_editor.connection.alias).filter(
        code__in=[row["code"] for row in rows()]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0006_seed_auction_rules")]

    operations = [migrations.RunPython(seed, unseed)]
