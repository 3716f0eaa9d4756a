"""The detectors by name, and which `AlertRule` row applies to a trade.

`AlertRule.detector` names an entry here. A new rule (the auction rules of issue 7, say) is a
detector function registered here and a row in the rule catalog, with its thresholds and
source; the evaluation loop does not change.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from supervision.rules import detectors


@dataclass(frozen=True)
class Detector:
    #: lot, entry, listing: run by the trade-log evaluation; overdue_lot, overdue_listing:
    #: run by the overdue-steps sweep on the clock (`supervision.services.overdue`).
    scope: Literal["lot", "entry", "listing", "overdue_lot", "overdue_listing"]
    function: object


DETECTORS: dict[str, Detector] = {
    # Process compliance
    "statutory_twin": Detector("lot", detectors.statutory_twin),
    "late_clarification": Detector("lot", detectors.late_clarification),
    "avoidance_breach": Detector("lot", detectors.avoidance_breach),
    "award_not_first": Detector("lot", detectors.award_not_first),
    "publicity_cut_short": Detector("lot", detectors.publicity_cut_short),
    "deposit_refund": Detector("lot", detectors.deposit_refund),
    "step_outside_state": Detector("entry", detectors.step_outside_state),
    "overdue_step": Detector("overdue_lot", detectors.overdue_step),
    "auction_deposit_overdue": Detector("overdue_listing", detectors.auction_deposit_overdue),
    # Competition
    "single_bid": Detector("lot", detectors.single_bid),
    "all_but_winner_disqualified": Detector("lot", detectors.all_but_winner_disqualified),
    "lowest_bid_disqualified": Detector("lot", detectors.lowest_bid_disqualified),
    "late_bid_won": Detector("lot", detectors.late_bid_won),
    # Collusion screens
    "shared_ip": Detector("lot", detectors.shared_ip),
    "shared_device": Detector("lot", detectors.shared_device),
    "identical_documents": Detector("lot", detectors.identical_documents),
    "shared_authoring_metadata": Detector("lot", detectors.shared_authoring_metadata),
    "shared_security_account": Detector("lot", detectors.shared_security_account),
    "shared_contact": Detector("lot", detectors.shared_contact),
    "identical_prices": Detector("lot", detectors.identical_prices),
    "low_price_variation": Detector("lot", detectors.low_price_variation),
    "price_gap": Detector("lot", detectors.price_gap),
    "equal_spacing": Detector("lot", detectors.equal_spacing),
    "bid_rotation": Detector("lot", detectors.bid_rotation),
    # Auctions (land, mining, equity)
    "auction_single_bidder": Detector("listing", detectors.auction_single_bidder),
    "auction_reserve_without_competition": Detector(
        "listing", detectors.auction_reserve_without_competition
    ),
    "auction_banned_representative": Detector("listing", detectors.auction_banned_representative),
}


def applicable(rules: Iterable, category: str, method: str) -> list:
    """For each rule code, the most specific enabled row for this category and method:
    (category, method) over (category, any method) over (any category)."""
    best: dict[str, tuple[int, object]] = {}
    for rule in rules:
        if rule.category and rule.category != category:
            continue
        if rule.method and rule.method != method:
            continue
        rank = (2 if rule.method else 0) + (1 if rule.category else 0)
        if rule.code not in best or rank > best[rule.code][0]:
            best[rule.code] = (rank, rule)
    return [rule for _rank, rule in best.values() if rule.enabled]
