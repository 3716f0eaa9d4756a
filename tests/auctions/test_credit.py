"""Issue 4's open line, closed here: auction registration and every auction bid ask the
credit registry (`credit.eligibility.entity_eligibility`); a banned entity is refused with
the record (its decision number) and the measure named."""

import pytest

from auctions.models import Bid, Registration
from auctions.services import listings, registrations
from auctions.services.bidding import place_bid
from portal.errors import ApplicationError
from tests.auctions.conftest import local, mining_auction, record_measure, register_and_pay

pytestmark = pytest.mark.django_db


def test_a_banned_entity_cannot_register(clock, staff, centre, transferor, bidders, land_regulator):
    listing = mining_auction(staff, centre, transferor)
    listings.announce_listing(actor=staff, listing=listing)
    banned = bidders["a"]
    record_measure(
        land_regulator,
        banned.entity.uscc,
        category_code="land_mining",
        valid_from=local(2026, 3, 1, 0, 0),
        valid_to=local(2026, 12, 31, 23, 59),
        decision_no="漳自然资罚〔2026〕3号",
        authority="漳州市自然资源局",
        legal_basis="土地管理法",
    )
    with pytest.raises(ApplicationError) as refused:
        registrations.register(actor=banned, listing=listing)
    assert refused.value.code == "not_eligible" and refused.value.status_code == 403
    assert "漳自然资罚〔2026〕3号" in refused.value.message
    assert not Registration.objects.filter(entity=banned.entity).exists()
    registrations.register(actor=bidders["b"], listing=listing)  # others are not concerned


def test_an_entity_banned_after_registering_cannot_bid(
    clock, staff, centre, transferor, bidders, land_regulator
):
    listing = mining_auction(staff, centre, transferor)
    listings.announce_listing(actor=staff, listing=listing)
    for key in "ab":
        register_and_pay(listing, bidders[key], staff)
    clock.move_to(local(2026, 3, 25, 9, 10))
    place_bid(actor=bidders["a"], listing=listing, amount="3000000")
    record_measure(
        land_regulator,
        bidders["a"].entity.uscc,
        category_code="land_mining",
        valid_from=local(2026, 3, 25, 9, 15),
        valid_to=local(2027, 3, 24, 23, 59),
        decision_no="漳自然资罚〔2026〕9号",
        authority="漳州市自然资源局",
        legal_basis="矿产资源法",
    )
    clock.move_to(local(2026, 3, 25, 9, 20))
    with pytest.raises(ApplicationError) as refused:
        place_bid(actor=bidders["a"], listing=listing, amount="3100000")
    assert refused.value.code == "not_eligible"
    assert "漳自然资罚〔2026〕9号" in refused.value.fields["credit"][0]
    assert list(Bid.objects.values_list("amount", flat=True)) == [3000000]
