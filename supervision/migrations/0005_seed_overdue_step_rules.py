"""The overdue-steps rules (issue 6: a step the law requires that never happens): run by the
hourly sweep `supervision.sweep_overdue_steps`, not by the trade-log evaluation. As for the
statutory twins, the periods are not repeated here: each rule names the catalog's statutory
rules (code suffixes) whose numbers and sources apply. See docs/ALERT_RULES.md."""

from django.db import migrations

#: (code, detector, group, severity, params, source, name, description)
RULES = [
    ("process.contract_not_signed", "overdue_step", "process", "medium",
     {"statutory_rules": ["contract_signing"]},
     "招标投标法 第46条; 采购法 第46条 (periods: catalog)",
     "Contract not signed within the statutory period",
     "The award notice was issued, the statutory period to sign the contract has run out "
     "and no contract is recorded."),
    ("process.securities_not_returned", "overdue_step", "process", "medium",
     {"statutory_rules": ["bid_security_return", "bid_security_return_unsuccessful",
                          "bid_security_return_winner"]},
     "实施条例 第57条; 采购条例 第33条; 87号令 第38条 (periods: catalog)",
     "Bid securities not returned within the statutory period",
     "The period to return the bid securities (after the contract, or after the award "
     "notice for unsuccessful suppliers) has run out and some are still held."),
    ("auction.deposits_not_returned", "auction_deposit_overdue", "auction", "medium",
     {"statutory_rules": ["deposit_refund"]},
     "39号令(国土) 第21条; the mining and equity deposit rules (periods: catalog)",
     "Auction deposits not returned within the statutory period",
     "The auction or listing ended, the period to return the unsuccessful bidders' "
     "deposits has run out and some are still held."),
]


def seed(apps, schema_editor):
    AlertRule = apps.get_model("supervision", "AlertRule")
    for code, detector, group, severity, params, source, name, description in RULES:
        AlertRule.objects.update_or_create(
            code=code,
            category="",
            method="",
            defaults=dict(
                detector=detector, group=group, severity=severity, params=params,
                source=source, red_flag_code="", name=name, description=description,
                enabled=True,
            ),
        )


def unseed(apps, schema_editor):
    apps.get_model("supervision", "AlertRule").objects.filter(
        code__in=[rule[0] for rule in RULES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("supervision", "0004_seed_shared_authoring_metadata")]
    operations = [migrations.RunPython(seed, unseed)]
