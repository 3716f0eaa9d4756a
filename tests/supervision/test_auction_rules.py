# ruff: noqa: F811  (fixtures imported from other conftests are used by name)
"""The auction rules (issue 6, "Auctions"): each fires on an auction built through the
auctions app's own services and read back through the read-only connection, and stays quiet
on a contested one."""

from decimal import Decimal

import pytest

from auctions.services import listings
from auctions.services.bidding import place_bid
from auctions.services.settlement import run_due_events
from supervision.models import Alert
from supervision.rules import detectors
from supervision.rules.facts import ListingFacts, RegistrantFacts
from supervision.services.evaluation import evaluate_pending
from tests import factories
from tests.auctions.conftest import (  # noqa: F401  (fixtures)
    land_regulator,
    local,
    mining_auction,
    register_and_pay,
    transferor,
)
from tests.credit.conftest import credit_reference_data, record_measure  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "supervision"])

AUCTION_RULES = {
    "auction.single_bidder",
    "auction.reserve_without_competition",
    "auction.banned_representative",
}


def _fired(listing) -> dict[str, list[Alert]]:
    fired: dict[str, list[Alert]] = {}
    for alert in Alert.objects.filter(group="auction", evidence__listing=listing.pk):
        fired.setdefault(alert.rule_code, []).append(alert)
    return fired


def _close(clock, listing):
    clock.move_to(local(2026, 3, 25, 10, 0))
    run_due_events()
    listing.refresh_from_db()
    return listing


def test_a_contested_auction_raises_no_auction_alert(clock, staff, centre, transferor, bidders):
    listing = mining_auction(staff, centre, transferor)
    listings.announce_listing(actor=staff, listing=listing)
    for key in "ab":
        register_and_pay(listing, bidders[key], staff)
    clock.move_to(local(2026, 3, 25, 9, 30))
    place_bid(actor=bidders["a"], listing=listing, amount="3150000")
    place_bid(actor=bidders["b"], listing=listing, amount="3300000")
    assert _close(clock, listing).state == "sold"
    evaluate_pending()
    assert _fired(listing) == {}


def test_a_sale_to_the_only_bidder_at_the_reserve_fires_both_competition_rules(
    clock, staff, centre, transferor, bidders
):
    listing = mining_auction(staff, centre, transferor)
    listings.announce_listing(actor=staff, listing=listing)
    register_and_pay(listing, bidders["a"], staff)
    clock.move_to(local(2026, 3, 25, 9, 30))
    place_bid(actor=bidders["a"], listing=listing, amount="3200000")  # the secret reserve
    assert _close(clock, listing).state == "sold"
    evaluate_pending()
    fired = _fired(listing)
    assert set(fired) == {"auction.single_bidder", "auction.reserve_without_competition"}
    [single] = fired["auction.single_bidder"]
    assert single.entities == [bidders["a"].entity.uscc]
    [reserve] = fired["auction.reserve_without_competition"]
    assert reserve.evidence["reserve_price"] == reserve.evidence["final_price"] == "3200000.00"
    assert reserve.department and reserve.category == listing.category.code
    # Evaluating again raises nothing new.
    assert evaluate_pending().alerts == 0


def test_a_bidder_sharing_a_banned_entity_s_representative_is_flagged(
    clock, staff, centre, transferor, bidders, land_regulator
):
    front = bidders["c"]
    banned = factories.EntityFactory(
        name="失信置业有限公司", legal_representative=front.entity.legal_representative
    )
    record_measure(
        land_regulator,
        banned.uscc,
        category_code="land_mining",
        valid_from=local(2026, 3, 1, 0, 0),
        valid_to=local(2027, 2, 28, 23, 59),
        decision_no="漳自然资罚〔2026〕21号",
        authority="漳州市自然资源局",
        legal_basis="土地管理法",
    )
    listing = mining_auction(staff, centre, transferor)
    listings.announce_listing(actor=staff, listing=listing)
    register_and_pay(listing, bidders["a"], staff)
    register_and_pay(listing, front, staff)  # the front company itself is not banned
    evaluate_pending()
    [alert] = _fired(listing)["auction.banned_representative"]
    assert alert.severity == "critical"
    assert set(alert.entities) == {front.entity.uscc, banned.uscc}
    assert alert.evidence["ban_decision"] == "漳自然资罚〔2026〕21号"
    assert alert.evidence["legal_representative"] == front.entity.legal_representative


def test_the_rules_are_pure_and_ignore_agreement_transfers():
    one = RegistrantFacts(uscc="X", name="X", number="001", deposit_confirmed=True, bids=1)
    facts = ListingFacts(
        listing_id=1,
        title="t",
        category="equity",
        method="agreement",
        department="sasac",
        region_id=None,
        centre_id=None,
        state="sold",
        starting_price=Decimal("100"),
        increment=Decimal("10"),
        reserve_price=Decimal("100"),
        final_price=Decimal("100"),
        registrants=(one,),
    )
    assert detectors.auction_single_bidder(facts, {"max_qualified": 1}) == []
    facts.method = "auction"
    assert len(detectors.auction_single_bidder(facts, {"max_qualified": 1})) == 1
    facts.final_price = Decimal("110")
    assert detectors.auction_reserve_without_competition(facts, {"increments": 0}) == []
    assert len(detectors.auction_reserve_without_competition(facts, {"increments": 1})) == 1
    facts.state = "failed"
    assert detectors.auction_single_bidder(facts, {}) == []
