"""The alert-rule catalog: every rule with its thresholds and source (docs/ALERT_RULES.md).

Numbers of the law are not repeated here: the process-compliance rules name the catalog's
statutory rules (code suffixes) and read their numbers and sources from there.
"""

from django.db import migrations

#: (code, detector, group, severity, params, source, red-flag code, name, description)
RULES = [
    # --- Process compliance -----------------------------------------------------------
    ("process.announcement_period", "statutory_twin", "process", "high",
     {"statutory_rules": ["documents_to_deadline", "documents_sale_period",
                          "documents_available"]},
     "招标投标法 第24条; 实施条例 第16条; 采购法 第35条; 87号令 第18条 (numbers: catalog)", "R003",
     "Announcement or document period shorter than the law",
     "The bid period (documents issued → bid deadline) or the document sale period, as "
     "the trade actually ran, is shorter than the catalog's statutory minimum."),
    ("process.late_clarification", "late_clarification", "process", "high", {},
     "招标投标法 第23条; 实施条例 第21条; 87号令 第27条", "",
     "Clarification too close to the deadline without extending it",
     "A clarification or change that may affect bid preparation issued less than the "
     "statutory period before the bid deadline in force after it."),
    ("process.bid_security_cap", "statutory_twin", "process", "medium",
     {"statutory_rules": ["bid_security_cap"]},
     "实施条例 第26条; 采购条例 第33条", "",
     "Bid security above the cap",
     "The lot's bid security exceeds the catalog's cap (2 % of the estimate or budget)."),
    ("process.committee_composition", "statutory_twin", "process", "high",
     {"statutory_rules": ["committee_size", "committee_expert_share", "committee_size_large",
                          "panel_size", "panel_size_large"]},
     "招标投标法 第37条; 87号令 第47条; 74号令 第7条", "",
     "Evaluation committee of the wrong size or composition",
     "The seated committee is smaller than the law, even-sized, or has too few experts."),
    ("process.avoidance_breach", "avoidance_breach", "process", "critical",
     {"lookback_years": 3},
     "实施条例 第46条; 评标委员会和评标方法暂行规定 第12条; 采购条例 第9条", "",
     "An expert who should have been avoided",
     "A seated expert works for, or declared a relation (current or within the look-back) "
     "with, the tenderee or a bidder."),
    ("process.award_not_first", "award_not_first", "process", "high", {},
     "实施条例 第55条", "",
     "Award not to the first candidate without a reason",
     "The awarded bid is not the first of the committee's ranking and no reason is recorded."),
    ("process.publicity_cut_short", "publicity_cut_short", "process", "high", {},
     "实施条例 第54条", "",
     "Candidates' publicity cut short",
     "The publicity period is shorter than the law, or the award was made before it ended."),
    ("process.contract_late", "statutory_twin", "process", "medium",
     {"statutory_rules": ["contract_signing"]},
     "招标投标法 第46条; 采购法 第46条", "",
     "Contract signed late",
     "The contract was signed later than the statutory period after the award notice."),
    ("process.deposit_refund", "deposit_refund", "process", "medium",
     {"statutory_rules": ["bid_security_return", "bid_security_return_unsuccessful",
                          "bid_security_return_winner"]},
     "实施条例 第57条; 采购条例 第33条", "",
     "Bid securities returned late or short",
     "Securities returned after the statutory period, or less refunded than received."),
    ("process.step_outside_state", "step_outside_state", "process", "critical", {},
     "trading.state_machine (the platform's transition table); 实施条例 第62条 (suspension)", "",
     "A step done outside its state",
     "A state move from a state its event does not allow, or any step written while the "
     "trade was suspended: the state machine should have refused it."),
    # --- Competition ------------------------------------------------------------------
    ("competition.single_bid", "single_bid", "competition", "medium", {},
     "OCP red flag R018 (Cardinal); 招标投标法 第28条", "R018",
     "A single bid", "Only one live bid once the bids are known."),
    ("competition.all_but_winner_disqualified", "all_but_winner_disqualified", "competition",
     "high", {"threshold": 1},
     "OCP red flag R035 (Cardinal)", "R035",
     "All bids but the winner's disqualified",
     "One bid qualified and at least `threshold` others disqualified."),
    ("competition.lowest_bid_disqualified", "lowest_bid_disqualified", "competition",
     "medium", {}, "OCP red flag R036 (Cardinal)", "R036",
     "The lowest bid disqualified", "The lowest decrypted bid was found not qualified."),
    ("competition.late_bid_won", "late_bid_won", "competition", "critical", {},
     "OCP red flag R030 (Cardinal); 招标投标法 第28条", "R030",
     "A late bid won", "The awarded bid was received after the bid deadline."),
    # --- Collusion screens (围标串标) ----------------------------------------------------
    ("collusion.shared_ip", "shared_ip", "collusion", "high", {"ignore": []},
     "实施条例 第40条(一); red-flags.md (Chinese e-bidding practice)", "",
     "Bids from different bidders from one IP address",
     "Two or more entities' bids were submitted from the same IP address. `ignore`: "
     "addresses never to flag (a centre's public terminals)."),
    ("collusion.shared_device", "shared_device", "collusion", "high", {"ignore": []},
     "实施条例 第40条(一); red-flags.md (文件制作机器码)", "",
     "Bids from different bidders from one device",
     "Two or more entities' bids carry the same device fingerprint."),
    ("collusion.identical_documents", "identical_documents", "collusion", "critical", {},
     "实施条例 第40条(四)", "",
     "Identical documents across bidders",
     "A bid document with the same digest appears in the bids of different entities."),
    ("collusion.shared_security_account", "shared_security_account", "collusion", "critical",
     {}, "实施条例 第40条(六)", "",
     "Bid securities paid from the same account",
     "Securities of different entities were paid from one bank account."),
    ("collusion.shared_contact", "shared_contact", "collusion", "high",
     {"fields": ["legal_representative", "contact_phone", "address"]},
     "OCP red flag R044; 87号令 第37条; 实施条例 第40条(二)", "R044",
     "Bidders sharing a representative, phone or address",
     "Two bidders on the lot share a legal representative, contact phone or address."),
    ("collusion.identical_prices", "identical_prices", "collusion", "high", {},
     "OCP red flag R028 (Cardinal)", "R028",
     "Identical bid prices", "Bids of different entities at exactly the same price."),
    ("collusion.low_price_variation", "low_price_variation", "collusion", "medium",
     {"max_cv": "0.06", "min_rd": "1", "min_bids": 3},
     "Swiss competition authority screen (CV < 0.06 with RD > 1); red-flags.md", "",
     "Prices vary suspiciously little",
     "Coefficient of variation of the decrypted prices below `max_cv` together with the "
     "relative distance above `min_rd` (≥ `min_bids` bids)."),
    ("collusion.price_gap", "price_gap", "collusion", "medium",
     {"min_rd": "1", "min_bids": 4},
     "Relative distance screen (RD > 1); red-flags.md", "",
     "Lowest bid far below a tight cluster of losing bids",
     "(b2 − b1) / s(losing bids) above `min_rd`, with at least `min_bids` bids so that the "
     "losing spread is measured over three or more."),
    ("collusion.equal_spacing", "equal_spacing", "collusion", "high",
     {"max_deviation": "0.02", "min_bids": 3},
     "实施条例 第40条(四) (投标报价呈规律性差异)", "",
     "Prices equally spaced",
     "Consecutive differences of the sorted prices within `max_deviation` of their mean."),
    ("collusion.bid_rotation", "bid_rotation", "collusion", "high",
     {"min_meetings": 3, "min_distinct_winners": 2},
     "Bid-rotation screen; red-flags.md", "",
     "The same bidders meet repeatedly and take turns winning",
     "Exactly the same group bid on at least `min_meetings` awarded lots with at least "
     "`min_distinct_winners` different winners."),
    # --- Integrity --------------------------------------------------------------------
    ("integrity.chain_broken", "chain_verification", "integrity", "critical", {},
     "REQUIREMENTS H7; portal.tradelog.chain", "",
     "Trade-log hash chain broken",
     "The scheduled verification found an entry missing, altered or re-linked."),
]

#: Per-category/method overrides: (code, category, method, enabled, params, source).
OVERRIDES = [
    ("competition.single_bid", "procurement", "single_source", False, {},
     "采购法 第31条 (single source: one supplier by definition)"),
]


def seed(apps, schema_editor):
    AlertRule = apps.get_model("supervision", "AlertRule")
    for code, detector, group, severity, params, source, red_flag, name, description in RULES:
        AlertRule.objects.update_or_create(
            code=code,
            category="",
            method="",
            defaults=dict(
                detector=detector, group=group, severity=severity, params=params, source=source,
                red_flag_code=red_flag, name=name, description=description, enabled=True,
            ),
        )
    base = {r.code: r for r in AlertRule.objects.filter(category="")}
    for code, category, method, enabled, params, source in OVERRIDES:
        general = base[code]
        AlertRule.objects.update_or_create(
            code=code,
            category=category,
            method=method,
            defaults=dict(
                detector=general.detector, group=general.group, severity=general.severity,
                params=params or general.params, source=source,
                red_flag_code=general.red_flag_code, name=general.name,
                description=general.description, enabled=enabled,
            ),
        )


def unseed(apps, schema_editor):
    apps.get_model("supervision", "AlertRule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
