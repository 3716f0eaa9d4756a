"""Rules the auctions app reads that 0002 did not seed: the mining-rights periods, the
agreement-transfer price floor for state-owned equity, and the equity deposit refund period.

Mining rights follow 矿业权出让交易规则 (国土资规〔2017〕1号); the numbers are marked to be
checked against the official text (statutory-rules.md has no mining section yet), so that a
correction is a data change.
"""

from decimal import Decimal

from django.db import migrations

MINING_SOURCE = "矿业权出让交易规则（国土资规〔2017〕1号）"
CD, WD, PCT = "calendar_days", "working_days", "percent"


def rows():
    return [
        *(
            dict(
                code=f"mining.{method}.announcement_before_start",
                category="mining",
                method=method,
                kind="min_interval",
                start_field="announcement_published_at",
                end_field=start,
                value=Decimal(20),
                unit=CD,
                description="矿业权出让公告应当在拍卖、挂牌开始日前至少20日发布",
                source=MINING_SOURCE,
                needs_confirmation=True,
            )
            for method, start in (
                ("auction", "trading_starts_at"),
                ("listing", "listing_starts_at"),
            )
        ),
        dict(
            code="mining.listing.listing_period",
            category="mining",
            method="listing",
            kind="min_interval",
            start_field="listing_starts_at",
            end_field="listing_ends_at",
            value=Decimal(10),
            unit=WD,
            description="矿业权挂牌时间不少于10个工作日",
            source=MINING_SOURCE,
            needs_confirmation=True,
        ),
        dict(
            code="mining.result_publication",
            category="mining",
            method=None,
            kind="max_interval",
            start_field="trading_ends_at",
            end_field="result_published_at",
            value=Decimal(10),
            unit=WD,
            description="矿业权出让交易结束后，应在10个工作日内公示出让结果",
            source=MINING_SOURCE,
            needs_confirmation=True,
        ),
        dict(
            code="mining.deposit_refund",
            category="mining",
            method=None,
            kind="max_interval",
            start_field="trading_ends_at",
            end_field="unsuccessful_deposits_returned_at",
            value=Decimal(5),
            unit=WD,
            description="未竞得人交纳的保证金，应当在出让交易活动结束后5个工作日内退还",
            source=MINING_SOURCE,
            needs_confirmation=True,
        ),
        dict(
            code="equity.agreement_price_floor",
            category="equity",
            method=None,
            kind="min_share",
            start_field="transaction_price",
            end_field="listing_price",
            value=Decimal(100),
            unit=PCT,
            description="只征集到一个符合条件的意向受让方的，由转让方与受让方协商签订产权交易"
            "合同，交易价格不得低于挂牌价格",
            source="32号令 第20–21条",
            needs_confirmation=True,
        ),
        dict(
            code="equity.deposit_refund",
            category="equity",
            method=None,
            kind="max_interval",
            start_field="trading_ends_at",
            end_field="unsuccessful_deposits_returned_at",
            value=Decimal(3),
            unit=WD,
            description="未成交的意向受让方交纳的保证金，应在交易结束后按交易机构规则退还"
            "（常见为3个工作日内），不得扣减",
            source="产权交易机构交易规则（以所在机构公布的规则为准）",
            needs_confirmation=True,
        ),
    ]


def seed(apps, schema_editor):
    db = schema_editor.connection.alias
    Category = apps.get_model("catalog", "Category")
    TradingMethod = apps.get_model("catalog", "TradingMethod")
    StatutoryRule = apps.get_model("catalog", "StatutoryRule")
    for row in rows():
        row = dict(row)
        code = row.pop("code")
        row["category"] = Category.objects.using(db).get(code=row["category"])
        method = row.pop("method")
        row["method"] = TradingMethod.objects.using(db).get(code=method) if method else None
        StatutoryRule.objects.using(db).update_or_create(
            code=code,
            defaults=dict(row, value_denominator=1, condition_field="", condition_min_value=None),
        )


def unseed(apps, schema_editor):
    apps.get_model("catalog", "StatutoryRule").objects.using(schema_editor.connection.alias).filter(
        code__in=[row["code"] for row in rows()]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0005_method_public_opening")]

    operations = [migrations.RunPython(seed, unseed)]
