"""Seed the rules as data: the measure types with their legal sources (G2, G3) and which
department may record credit for which category (H2).

Idempotent (update_or_create on each row's key). The data is written out here, not imported
from the app, so that this migration means the same thing forever; later corrections are
data changes in the admin (with history) or new migrations. Rows marked needs_confirmation
are to be checked against the official text before they are relied on.
"""

from decimal import Decimal

from django.db import migrations

MEASURE_TYPES = [
    # code, name, effect, security %, longest months, public list, ordering, source,
    # needs confirmation, description
    (
        "market_ban", "市场禁入", "refuse", None, 36, True, 10,
        "招标投标法 第53条、第54条（取消一年至三年内参加依法必须进行招标的项目的投标资格）；"
        "政府采购法 第77条（一至三年内禁止参加政府采购活动）；国办发〔2015〕63号",
        False,
        "严重失信：在期限内不得参加范围内的公共资源交易。",
    ),
    (
        "negative_list", "负面清单", "refuse", None, 36, True, 20,
        "渝府办发〔2016〕35号（市场主体负面清单管理，REQUIREMENTS G3）",
        True,
        "列入负面清单的市场主体在期限内不得参加范围内的公共资源交易，名单向社会公开。",
    ),
    (
        "restriction", "限制参与", "refuse", None, 36, False, 30,
        "国发〔2016〕33号 第（十一）条（依法依规限制失信主体参与公共资源交易活动）",
        True,
        "在所列交易类别和/或地区内不得参加交易。",
    ),
    (
        "higher_bid_security", "提高投标保证金", "raise_security", Decimal("50"), 36, False, 40,
        "国发〔2016〕33号（失信联合惩戒：加强监管）；上限：招标投标法实施条例 第26条"
        "（投标保证金不得超过招标项目估算价的2%）",
        True,
        "投标保证金在标段规定金额基础上提高50%，但不超过法定上限。",
    ),
    (
        "red_list_reduced_security", "守信激励：减免投标保证金", "reduce_security",
        Decimal("-50"), 36, False, 50,
        "国发〔2016〕33号 第（五）条（守信联合激励：在公共资源交易中依法依约给予便利）",
        True,
        "在法律允许的范围内，投标保证金减半收取。",
    ),
]

ENGINEERING = (
    "招标投标法实施条例 第4条；国办发〔2000〕34号（工程建设项目招标投标活动行政监督职责分工）；"
    "渝府办发〔2016〕35号（REQUIREMENTS H2）"
)
COMPETENCE = [
    # category (None: measures across every category), department, source, needs confirmation
    ("engineering", "development_reform", ENGINEERING, False),
    ("engineering", "housing", ENGINEERING, False),
    ("engineering", "transport", ENGINEERING, False),
    ("engineering", "water", ENGINEERING, False),
    ("procurement", "finance", "政府采购法 第13条（各级人民政府财政部门是政府采购的监督管理部门）", False),
    ("land_mining", "natural_resources",
     "土地管理法 第5条；矿产资源法 第11条；渝府办发〔2016〕35号（REQUIREMENTS H2）", False),
    ("equity", "state_assets",
     "企业国有资产法 第11条；企业国有资产交易监督管理办法（国资委 财政部令第32号）；"
     "渝府办发〔2016〕35号（REQUIREMENTS H2）", True),
    (None, "development_reform",
     "社会信用体系建设规划纲要（国发〔2014〕21号，发展改革委牵头）；国发〔2016〕33号"
     "（跨部门失信联合惩戒）", True),
]


def seed(apps, schema_editor):
    db = schema_editor.connection.alias
    MeasureType = apps.get_model("credit", "MeasureType")
    CompetenceRule = apps.get_model("credit", "CompetenceRule")
    Category = apps.get_model("catalog", "Category")
    for (code, name, effect, percent, months, listed, ordering, source, confirm,
         description) in MEASURE_TYPES:
        MeasureType.objects.using(db).update_or_create(
            code=code,
            defaults=dict(
                name=name, effect=effect, security_percent=percent, max_months=months,
                published_list=listed, ordering=ordering, source=source,
                needs_confirmation=confirm, description=description, is_active=True,
            ),
        )
    for category_code, department, source, confirm in COMPETENCE:
        category = (
            Category.objects.using(db).get(code=category_code) if category_code else None
        )
        CompetenceRule.objects.using(db).update_or_create(
            category=category,
            department=department,
            defaults=dict(source=source, needs_confirmation=confirm),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("credit", "0001_initial"),
        ("catalog", "0002_seed_catalog"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
