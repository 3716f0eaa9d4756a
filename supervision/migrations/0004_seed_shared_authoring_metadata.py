"""The collusion screen on the bid documents' authoring metadata (issue 6: "documents sharing
authoring metadata, across bidders"); see docs/ALERT_RULES.md. Trading reads the metadata at
the opening (`trading.document_metadata`); the generic values ignored are data, here."""

from django.db import migrations

CODE = "collusion.shared_authoring_metadata"

#: Values Office, WPS and PDF tools write when nobody set a name: shared by chance, not by
#: collusion. Compared ignoring case and spacing.
GENERIC_AUTHORS = [
    "Administrator", "Admin", "User", "Owner", "Author", "Unknown", "Guest", "PC", "Windows",
    "Windows User", "Windows 用户", "Microsoft", "Microsoft Office User", "Microsoft Office 用户",
    "Microsoft Corporation", "微软用户", "微软中国", "用户", "作者", "未知", "YlmF", "Lenovo",
    "DELL", "HP", "Sky123.Org", "Chinese ORG", "China", "番茄花园", "雨林木风", "深度技术",
    "WwW.YlmF.CoM", "python-docx", "openpyxl",
]

RULE = dict(
    detector="shared_authoring_metadata", group="collusion", severity="high",
    params={"fields": ["creator", "author", "last_modified_by", "company"],
            "ignore": GENERIC_AUTHORS},
    source="实施条例 第40条(一); red-flags.md (same document creator, same authoring metadata)",
    red_flag_code="",
    name="Documents sharing authoring metadata across bidders",
    description="Documents of two or more bidders of one lot name the same author, last "
    "editor or company in their properties (OOXML docProps, ODF meta.xml, PDF document "
    "information), read at the opening. Empty and generic values (the `ignore` list) are "
    "not compared.",
    enabled=True,
)


def seed(apps, schema_editor):
    apps.get_model("supervision", "AlertRule").objects.update_or_create(
        code=CODE, category="", method="", defaults=RULE
    )


def unseed(apps, schema_editor):
    apps.get_model("supervision", "AlertRule").objects.filter(code=CODE).delete()


class Migration(migrations.Migration):
    dependencies = [("supervision", "0003_seed_auction_rules")]
    operations = [migrations.RunPython(seed, unseed)]
