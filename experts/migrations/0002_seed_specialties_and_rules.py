"""Seed the specialty classification and the pool's rules.

The specialties. The national standard is 《公共资源交易评标专家专业分类标准》 (国家发展改革委
等部门, 2018). Its full code table was not available when this seed was written
(`../shared/reference/` has no copy), so what ships here is an ILLUSTRATIVE subset, not the
official table:

- the first level uses the letters of the national lot classification that the reference
  does record — A works (工程), B goods (货物), C services (服务) (statutory-rules.md,
  "Lot classification code"; itself marked "check");
- the second and third levels (two digits each: A01, A0101) follow the usual shape of a
  hierarchical Chinese classification code; the names are ordinary specialties of
  engineering, goods and services evaluation;
- every row has needs_confirmation=True and says so in `source`.

Replacing it with the official table is a data change: load the official codes (a later
migration or the admin), mark the rows confirmed, and deactivate the illustrative ones that
have no official counterpart (rows are never deleted: experts and draws refer to them).

The rules: every number the pool's services read, with its source; "check" marks a policy
choice or a number to confirm. Idempotent (update_or_create by code).
"""

from decimal import Decimal

from django.db import migrations

SOURCE = (
    "示例子集（ILLUSTRATIVE）：按《公共资源交易评标专家专业分类标准》（2018）的层级结构编写，"
    "代码与名称未经官方文本核对 / illustrative subset following the structure of the 2018 "
    "classification; codes and names not verified against the official text"
)

SPECIALTIES = [
    # code, name
    ("A", "工程"),
    ("A01", "房屋建筑工程"),
    ("A0101", "建筑工程施工"),
    ("A0102", "建筑结构"),
    ("A0103", "建筑电气与智能化"),
    ("A0104", "给排水与暖通空调"),
    ("A0105", "工程造价（房屋建筑）"),
    ("A02", "市政公用工程"),
    ("A0201", "道路与桥梁工程"),
    ("A0202", "给水排水工程"),
    ("A0203", "燃气与热力工程"),
    ("A0204", "园林绿化工程"),
    ("A03", "交通运输工程"),
    ("A0301", "公路工程"),
    ("A0302", "水运工程"),
    ("A0303", "铁路工程"),
    ("A04", "水利水电工程"),
    ("A0401", "水利工程施工"),
    ("A0402", "水电站与泵站"),
    ("A05", "机电设备安装工程"),
    ("A0501", "电气设备安装"),
    ("A0502", "机械设备安装"),
    ("B", "货物"),
    ("B01", "信息技术设备"),
    ("B0101", "计算机与网络设备"),
    ("B0102", "软件产品"),
    ("B02", "医疗设备与药品"),
    ("B0201", "医疗器械"),
    ("B0202", "药品"),
    ("B03", "通用设备"),
    ("B0301", "机械设备"),
    ("B0302", "电气设备"),
    ("B04", "办公设备与家具"),
    ("C", "服务"),
    ("C01", "工程咨询服务"),
    ("C0101", "工程勘察"),
    ("C0102", "工程设计"),
    ("C0103", "工程监理"),
    ("C0104", "工程造价咨询"),
    ("C02", "信息技术服务"),
    ("C03", "物业管理服务"),
    ("C04", "经济与法律服务"),
    ("C0401", "财务与审计"),
    ("C0402", "法律"),
    ("C0403", "资产评估"),
]

LOOKBACK = "采购条例 第9条 (3 years before the procurement); applied to every category by platform policy"
POLICY = "platform policy (check against the local expert management measures)"
RULES = [
    # code, value, unit, description, source, needs confirmation
    ("avoidance.lookback_years", 3, "years",
     "A relation with the tenderee, the agent or a bidder that ended less than this long before "
     "the evaluation still requires avoidance (the catalog's <category>.avoidance_lookback "
     "rule, where there is one, takes precedence for its category).", LOOKBACK, False),
    ("avoidance.repeat_tenderee_limit", 3, "count",
     "An expert already drawn this many times for the same tenderee within the window is "
     "avoided (0 switches the rule off).", POLICY, True),
    ("avoidance.repeat_tenderee_window_days", 365, "days",
     "The window of the repeat-tenderee rule.", POLICY, True),
    ("invitation.respond_hours", 12, "hours",
     "An invited expert answers within this time, or the invitation lapses and a further "
     "expert is drawn.", POLICY, True),
    ("reveal.lead_minutes", 30, "minutes",
     "The names may be revealed at most this long before the evaluation starts.", POLICY, True),
    ("assessment.period_years", 2, "years",
     "An expert is assessed at least this often.", POLICY, True),
    ("credit.base", 100, "points", "An expert's credit score before any deduction.", POLICY,
     True),
    ("credit.window_days", 730, "days",
     "Conduct records older than this no longer count against the score.", POLICY, True),
    ("credit.blacklist_below", 60, "points",
     "A score below this puts the expert on the blacklist.", POLICY, True),
    ("blacklist.months", 12, "months",
     "How long a blacklisting lasts.", POLICY, True),
    ("conduct.late.points", 2, "points", "Deduction for arriving late.", POLICY, True),
    ("conduct.absent.points", 10, "points", "Deduction for an absence without notice.",
     POLICY, True),
    ("conduct.out_of_line.points", 5, "points",
     "Deduction for scores out of line with the committee.", POLICY, True),
    ("conduct.complaint.points", 20, "points", "Deduction for a verified complaint.", POLICY,
     True),
]


def seed(apps, schema_editor):
    db = schema_editor.connection.alias
    Specialty = apps.get_model("experts", "Specialty")
    PoolRule = apps.get_model("experts", "PoolRule")
    rows = {}
    for code, name in SPECIALTIES:
        parent = rows.get(code[:-2]) if len(code) > 1 else None
        rows[code], _ = Specialty.objects.using(db).update_or_create(
            code=code,
            defaults=dict(
                name=name,
                parent=parent,
                level=1 + (len(code) - 1) // 2,
                is_active=True,
                source=SOURCE,
                needs_confirmation=True,
            ),
        )
    for code, value, unit, description, source, check in RULES:
        PoolRule.objects.using(db).update_or_create(
            code=code,
            defaults=dict(
                value=Decimal(value),
                unit=unit,
                description=description,
                source=source,
                needs_confirmation=check,
            ),
        )


class Migration(migrations.Migration):
    dependencies = [("experts", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
