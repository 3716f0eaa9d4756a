"""The auction rules of the alert catalog (issue 6, "Auctions (when they exist)"); see
docs/ALERT_RULES.md. They apply to every auction category (land, mining, equity)."""

from django.db import migrations

#: (code, detector, severity, params, source, name, description)
RULES = [
    ("auction.single_bidder", "auction_single_bidder", "high", {"max_qualified": 1},
     "招标拍卖挂牌出让国有建设用地使用权规定 第15条、第20条; 企业国有资产交易监督管理办法 第20条",
     "Auction sold with a single registered bidder",
     "A listing or auction ended in a sale with at most one registrant whose deposit was "
     "confirmed: no competition set the price (agreement transfers are one buyer by law and "
     "are not flagged)."),
    ("auction.reserve_without_competition", "auction_reserve_without_competition", "high",
     {"increments": 0},
     "招标拍卖挂牌出让国有建设用地使用权规定 第14条、第20条 (底价保密)",
     "Winning price at the reserve with no competition",
     "The sale price equals the secret reserve price (or is within `increments` increments "
     "of it) and at most one bidder bid: the price was never contested, which may mean the "
     "reserve leaked or competitors were kept away."),
    ("auction.banned_representative", "auction_banned_representative", "critical", {},
     "国发〔2016〕33号 (失信联合惩戒); 公共资源交易平台管理暂行办法 第32条",
     "A bidder registered with a banned entity's representative",
     "A registrant shares its legal representative with an entity under a market ban in "
     "force: the banned party may be bidding through another company."),
]


def seed(apps, schema_editor):
    AlertRule = apps.get_model("supervision", "AlertRule")
    for code, detector, severity, params, source, name, description in RULES:
        AlertRule.objects.update_or_create(
            code=code,
            category="",
            method="",
            defaults=dict(
                detector=detector, group="auction", severity=severity, params=params,
                source=source, red_flag_code="", name=name, description=description,
                enabled=True,
            ),
        )


def unseed(apps, schema_editor):
    AlertRule = apps.get_model("supervision", "AlertRule")
    AlertRule.objects.filter(code__in=[rule[0] for rule in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("supervision", "0002_seed_alert_rules")]
    operations = [migrations.RunPython(seed, unseed)]
