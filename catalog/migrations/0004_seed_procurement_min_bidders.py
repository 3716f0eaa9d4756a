"""Minimum numbers of suppliers for the procurement methods, read by trading at the opening."""

from decimal import Decimal

from django.db import migrations

ROWS = [
    ("procurement.open_tender.min_bidders", "open_tender",
     "符合专业条件的供应商或者对招标文件作实质响应的供应商不足三家的，应予废标",
     "采购法 第36条", False),
    ("procurement.invited_tender.min_bidders", "invited_tender",
     "符合专业条件的供应商或者对招标文件作实质响应的供应商不足三家的，应予废标",
     "采购法 第36条", False),
    ("procurement.competitive_negotiation.min_bidders", "competitive_negotiation",
     "提交响应文件的供应商不足三家的，采购活动终止（符合规定情形的除外）",
     "74号令 第27条", True),
    ("procurement.competitive_consultation.min_bidders", "competitive_consultation",
     "提交响应文件的供应商不足三家的，采购活动终止（符合规定情形的除外）",
     "214号文 第12条", True),
    ("procurement.inquiry.min_bidders", "inquiry",
     "提交响应文件的供应商不足三家的，采购活动终止",
     "74号令 第27条", True),
]


def seed(apps, schema_editor):
    db = schema_editor.connection.alias
    Category = apps.get_model("catalog", "Category")
    TradingMethod = apps.get_model("catalog", "TradingMethod")
    StatutoryRule = apps.get_model("catalog", "StatutoryRule")
    procurement = Category.objects.using(db).get(code="procurement")
    for code, method, description, source, check in ROWS:
        StatutoryRule.objects.using(db).update_or_create(
            code=code,
            defaults=dict(
                category=procurement,
                method=TradingMethod.objects.using(db).get(code=method),
                kind="min_count",
                start_field="bids_received",
                end_field="",
                value=Decimal(3),
                value_denominator=1,
                unit="count",
                condition_field="",
                condition_min_value=None,
                description=description,
                source=source,
                needs_confirmation=check,
            ),
        )


def unseed(apps, schema_editor):
    apps.get_model("catalog", "StatutoryRule").objects.using(
        schema_editor.connection.alias
    ).filter(code__in=[row[0] for row in ROWS]).delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_seed_holiday_calendar")]

    operations = [migrations.RunPython(seed, unseed)]
