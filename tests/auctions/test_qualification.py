"""Equity: the staff of the listing's centre review the intended buyers' qualifications at the
end of the disclosure (资格审核). The number of *qualified* buyers decides agreement or online
bidding; an unqualified buyer cannot bid and gets its deposit back in full; nobody else may
decide; unreviewed buyers are never counted; every decision is in the trade log."""

from decimal import Decimal

import pytest
from django.urls import reverse

from auctions.models import Listing, Registration
from auctions.services import qualification, registrations
from auctions.services.bidding import place_bid
from auctions.services.settlement import run_due_events
from portal.tradelog.models import TradeLogEntry
from tests.auctions.conftest import (
    client_for,
    deposits_of,
    equity_listing,
    local,
    refused,
    register_and_pay,
)
from tests.factories import BidderFactory

pytestmark = pytest.mark.django_db
D = Decimal
Q = Registration.QualificationState


@pytest.fixture
def disclosure_ended(clock, staff, centre, transferor, bidders):
    """An equity disclosure with three intended buyers, each deposit received, and one that
    registered but never paid; the disclosure has just ended."""
    listing = equity_listing(staff, centre, transferor)
    from auctions.services import listings

    listings.announce_listing(actor=staff, listing=listing)
    paid = {key: register_and_pay(listing, bidders[key], staff) for key in "abc"}
    unpaid_user = BidderFactory(username="bidder_d", entity__name="丁投资有限公司")
    unpaid = registrations.register(actor=unpaid_user, listing=listing, qualifications="资信良好")
    clock.move_to(local(2026, 3, 31, 17, 0))
    run_due_events()
    listing.refresh_from_db()
    return listing, paid, unpaid


def decide(staff, registration, qualified, reason=""):
    return qualification.review_qualification(
        actor=staff, registration=registration, qualified=qualified, reason=reason
    )


def test_the_disclosure_ends_in_review_and_nobody_unreviewed_is_counted(disclosure_ended, staff):
    listing, paid, unpaid = disclosure_ended
    assert listing.state == Listing.State.REVIEW
    assert all(r.qualification_state == Q.PENDING for r in paid.values())
    decide(staff, paid["a"], True)
    error = refused("review_incomplete", qualification.close_review, actor=staff, listing=listing)
    # The refusal names the unreviewed buyers (the unpaid one takes no part, so is not named).
    assert paid["b"].number in error.message and paid["c"].number in error.message
    assert unpaid.number not in error.message
    assert "registrations" in error.fields
    listing.refresh_from_db()
    assert listing.state == Listing.State.REVIEW
    # Nothing moves by itself while the review is open.
    run_due_events(now=local(2026, 6, 1, 9, 0))
    listing.refresh_from_db()
    assert listing.state == Listing.State.REVIEW


def test_several_qualified_buyers_bid_online_and_the_unqualified_cannot(
    disclosure_ended, staff, bidders, clock
):
    listing, paid, _unpaid = disclosure_ended
    clock.move_to(local(2026, 4, 1, 9, 0))
    decide(staff, paid["a"], True)
    decide(staff, paid["b"], True)
    decide(staff, paid["c"], False, "未提供国资监管机构要求的受让方资质证明")
    qualification.close_review(actor=staff, listing=listing)
    listing.refresh_from_db()
    assert listing.state == Listing.State.LIVE
    # Online bidding opens at the close, for one full time-limited period.
    assert listing.auction_starts_at == local(2026, 4, 1, 9, 0)
    assert listing.ends_at == local(2026, 4, 1, 9, 5)
    # The unqualified buyer's deposit is refunded in full at once; it cannot bid.
    c = Registration.objects.get(pk=paid["c"].pk)
    assert c.deposit_state == Registration.DepositState.REFUNDED
    assert deposits_of(c) == {"received": D("800000"), "refunded": D("800000")}
    assert c.refund_due_on is not None
    error = refused("not_qualified", place_bid, actor=bidders["c"], listing=listing, amount="8e6")
    assert c.qualification_reason in error.message  # the buyer is told why, not "deposit"
    place_bid(actor=bidders["a"], listing=listing, amount="8000000")
    clock.move_to(local(2026, 4, 1, 9, 2))
    place_bid(actor=bidders["b"], listing=listing, amount="8100000")
    clock.move_to(local(2026, 4, 1, 9, 8))
    run_due_events()
    listing.refresh_from_db()
    assert listing.state == Listing.State.SOLD and listing.winner_id == paid["b"].pk
    # Every deposit settled once, in full: no second refund of c's.
    assert deposits_of(c) == {"received": D("800000"), "refunded": D("800000")}
    assert deposits_of(paid["a"]) == {"received": D("800000"), "refunded": D("800000")}
    assert deposits_of(paid["b"]) == {"received": D("800000"), "applied": D("800000")}


def test_one_qualified_buyer_among_several_registered_goes_to_agreement(disclosure_ended, staff):
    from auctions.services import listings

    listing, paid, _unpaid = disclosure_ended
    decide(staff, paid["a"], False, "资产规模不符合披露的受让条件")
    decide(staff, paid["b"], True)
    decide(staff, paid["c"], False, "存在关联交易限制")
    qualification.close_review(actor=staff, listing=listing)
    listing.refresh_from_db()
    assert listing.state == Listing.State.AGREEMENT
    listings.record_agreement(actor=staff, listing=listing, price=D("8000000.00"))
    listing.refresh_from_db()
    assert listing.winner_id == paid["b"].pk and listing.result_method == "agreement_transfer"
    for key in "ac":
        assert deposits_of(paid[key]) == {"received": D("800000"), "refunded": D("800000")}


def test_no_qualified_buyer_fails_the_transfer_and_refunds_everyone(disclosure_ended, staff):
    listing, paid, _unpaid = disclosure_ended
    for registration in paid.values():
        decide(staff, registration, False, "不符合受让条件")
    qualification.close_review(actor=staff, listing=listing)
    listing.refresh_from_db()
    assert listing.state == Listing.State.FAILED
    for registration in paid.values():
        assert deposits_of(registration) == {"received": D("800000"), "refunded": D("800000")}


def test_a_refusal_needs_its_reason_and_a_decision_may_be_revised_until_the_close(
    disclosure_ended, staff
):
    listing, paid, unpaid = disclosure_ended
    error = refused("required", decide, staff=staff, registration=paid["a"], qualified=False)
    assert "reason" in error.fields
    refused("required", decide, staff=staff, registration=paid["a"], qualified=False, reason=" ")
    decide(staff, paid["a"], False, "材料不全")
    decide(staff, paid["a"], True)  # the missing paper arrived
    paid["a"].refresh_from_db()
    assert paid["a"].qualification_state == Q.QUALIFIED and paid["a"].qualification_reason == ""
    # A registration without a deposit takes no part and is not reviewed.
    refused("deposit_not_confirmed", decide, staff=staff, registration=unpaid, qualified=True)
    entries = TradeLogEntry.objects.filter(action="auction.qualification_review").order_by("seq")
    assert [(e.payload["decision"], e.payload["previous"]) for e in entries] == [
        ("not_qualified", "pending"),
        ("qualified", "not_qualified"),
    ]
    assert entries[0].payload["reason"] == "材料不全" and entries[0].actor_id == staff.pk
    decide(staff, paid["b"], True)
    decide(staff, paid["c"], True)
    qualification.close_review(actor=staff, listing=listing)
    refused("invalid_state", decide, staff=staff, registration=paid["a"], qualified=True)
    closed = TradeLogEntry.objects.get(action="auction.qualification_review_closed")
    assert closed.payload["not_qualified"] == []
    assert sorted(closed.payload["qualified"]) == sorted(r.number for r in paid.values())


def test_no_review_before_the_disclosure_ends(clock, staff, centre, transferor, bidders):
    from auctions.services import listings

    listing = equity_listing(staff, centre, transferor)
    listings.announce_listing(actor=staff, listing=listing)
    a = register_and_pay(listing, bidders["a"], staff)
    refused("invalid_state", decide, staff=staff, registration=a, qualified=True)


def test_only_the_staff_of_the_listings_centre_decide(
    disclosure_ended, other_staff, bidders, land_regulator, platform_admin
):
    listing, paid, _unpaid = disclosure_ended
    for outsider in (other_staff, bidders["a"], land_regulator, platform_admin):
        refused("forbidden", decide, staff=outsider, registration=paid["a"], qualified=True)
        refused("forbidden", qualification.close_review, actor=outsider, listing=listing)
        response = client_for(outsider).post(
            reverse("api:auction-qualification-decision", args=[paid["b"].pk]),
            {"decision": "not_qualified", "reason": "x"},
            format="json",
        )
        assert response.status_code == 403
    assert not Registration.objects.exclude(qualification_state=Q.PENDING).exists()
    assert not TradeLogEntry.objects.filter(action="auction.qualification_review").exists()


def test_an_equity_registration_states_its_qualifications(
    clock, staff, centre, transferor, bidders
):
    from auctions.services import listings

    listing = equity_listing(staff, centre, transferor)
    listings.announce_listing(actor=staff, listing=listing)
    response = client_for(bidders["a"]).post(
        reverse("api:auction-register", args=[listing.pk]), {"qualifications": " "}, format="json"
    )
    assert response.status_code == 400 and "qualifications" in response.json()
    assert not Registration.objects.exists()


def test_through_the_api_the_buyer_sees_its_decision_and_reason_and_no_one_elses(
    disclosure_ended, staff, bidders, api
):
    listing, paid, _unpaid = disclosure_ended
    staff_client = client_for(staff)
    listed = staff_client.get(reverse("api:auction-register", args=[listing.pk])).json()
    assert len(listed) == 4 and {row["qualification_state"] for row in listed} == {"pending"}
    assert all(row["qualifications"] for row in listed)
    no_reason = staff_client.post(
        reverse("api:auction-qualification-decision", args=[paid["c"].pk]),
        {"decision": "not_qualified"},
        format="json",
    )
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    staff_client.post(
        reverse("api:auction-qualification-decision", args=[paid["c"].pk]),
        {"decision": "not_qualified", "reason": "受让方须为国有控股企业"},
        format="json",
    )
    incomplete = staff_client.post(reverse("api:auction-qualification-close", args=[listing.pk]))
    assert incomplete.status_code == 409 and incomplete.json()["code"] == "review_incomplete"
    own = client_for(bidders["c"]).get(reverse("api:auction-register", args=[listing.pk])).json()
    assert [(r["number"], r["qualification_state"], r["qualification_reason"]) for r in own] == [
        (paid["c"].number, "not_qualified", "受让方须为国有控股企业")
    ]
    other = client_for(bidders["a"]).get(reverse("api:auction-register", args=[listing.pk]))
    assert [r["number"] for r in other.json()] == [paid["a"].number]
    assert api.get(reverse("api:auction-register", args=[listing.pk])).status_code in {401, 403}


def test_the_review_on_the_web_in_chinese(disclosure_ended, staff, bidders, client):
    listing, paid, _unpaid = disclosure_ended
    client.force_login(staff)
    page = client.get(reverse("auctions:manage", args=[listing.pk])).content.decode()
    assert "资格审核" in page and paid["a"].qualifications in page
    response = client.post(
        reverse("auctions:review_qualification", args=[paid["a"].pk]),
        {"decision": "not_qualified", "reason": ""},
        follow=True,
    )
    assert "请填写不合格的理由" in response.content.decode()  # asks for the reason, in Chinese
    paid["a"].refresh_from_db()
    assert paid["a"].qualification_state == Q.PENDING
    client.post(
        reverse("auctions:review_qualification", args=[paid["a"].pk]),
        {"decision": "not_qualified", "reason": "未提交财务审计报告"},
    )
    for key in "bc":
        client.post(
            reverse("auctions:review_qualification", args=[paid[key].pk]),
            {"decision": "qualified"},
        )
    client.post(reverse("auctions:close_review", args=[listing.pk]))
    listing.refresh_from_db()
    assert listing.state == Listing.State.LIVE
    client.force_login(bidders["a"])
    seen = client.get(reverse("auctions:listing", args=[listing.pk])).content.decode()
    assert "未提交财务审计报告" in seen and 'data-qualification="not_qualified"' in seen
