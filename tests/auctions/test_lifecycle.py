"""Done-when: a land listing ending in a live auction, a mining-rights auction, an equity
transfer both ways; the increment and extension rules, the reserve price, deposits returned
in full — driven through the services on a controlled clock."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from auctions.models import AuctionAnnouncement, Bid, DepositMovement, Listing, Registration
from auctions.services import listings, registrations
from auctions.services.bidding import place_bid
from auctions.services.settlement import live_end, run_due_events
from portal.tradelog.models import TradeLogEntry
from tests.auctions.conftest import (
    deposits_of,
    equity_listing,
    land_listing,
    local,
    mining_auction,
    refused,
    register_and_pay,
    review,
)

pytestmark = pytest.mark.django_db
D = Decimal


def test_land_listing_ends_in_a_live_auction(clock, staff, centre, transferor, bidders):
    listing = land_listing(staff, centre, transferor)
    listings.announce_listing(actor=staff, listing=listing)
    a, b, c = (register_and_pay(listing, bidders[k], staff) for k in "abc")

    # Before the listing period: no bid.
    refused("not_started", place_bid, actor=bidders["a"], listing=listing, amount="10000000")

    clock.move_to(local(2026, 3, 23, 9, 0))
    place_bid(actor=bidders["a"], listing=listing, amount="10000000.00")
    refused("too_low", place_bid, actor=bidders["b"], listing=listing, amount="10099999.99")
    place_bid(actor=bidders["b"], listing=listing, amount="10100000")
    clock.move_to(local(2026, 3, 30, 10, 0))
    place_bid(actor=bidders["a"], listing=listing, amount="10250000")  # at least one increment
    listing.refresh_from_db()
    assert listing.state == Listing.State.LISTING
    # The listing period's end is fixed: no extension during listing.
    assert listing.ends_at is None

    # Two bidders still compete at the end of the listing period: a live auction decides.
    clock.move_to(local(2026, 4, 3, 15, 0))
    run_due_events()
    listing.refresh_from_db()
    assert listing.state == Listing.State.LIVE
    assert listing.ends_at == local(2026, 4, 3, 15, 5)

    # A bid in the last five minutes moves the end to five minutes after it.
    clock.move_to(local(2026, 4, 3, 15, 3))
    place_bid(actor=bidders["b"], listing=listing, amount="10350000")
    listing.refresh_from_db()
    assert listing.ends_at == local(2026, 4, 3, 15, 8)
    clock.move_to(local(2026, 4, 3, 15, 7, 59))
    place_bid(actor=bidders["c"], listing=listing, amount="10500000")
    listing.refresh_from_db()
    assert listing.ends_at == local(2026, 4, 3, 15, 12, 59)

    # A full period with no bid: the auction has ended, even before anyone sweeps.
    clock.move_to(local(2026, 4, 3, 15, 12, 59))
    refused("ended", place_bid, actor=bidders["a"], listing=listing, amount="10600000")
    listing.refresh_from_db()
    assert listing.state == Listing.State.SOLD
    assert listing.winner == c and listing.final_price == D("10500000.00")
    assert listing.result_method == "auction"
    assert listing.confirmation_number
    assert AuctionAnnouncement.objects.filter(
        listing=listing, kind=AuctionAnnouncement.Kind.RESULT
    ).exists()

    # Deposits: the winner's applied to the price, the others refunded in full, on time.
    assert deposits_of(c) == {"received": D("2000000"), "applied": D("2000000")}
    for loser in (a, b):
        assert deposits_of(loser) == {"received": D("2000000"), "refunded": D("2000000")}
        loser.refresh_from_db()
        assert loser.deposit_state == Registration.DepositState.REFUNDED
        refund = DepositMovement.objects.get(registration=loser, kind="refunded")
        # land.deposit_refund: within 5 working days after the end (39号令(国土) 第21条).
        assert loser.refund_due_on == local(2026, 4, 13).date()  # Qingming: 4–6 April
        assert refund.at.date() <= loser.refund_due_on

    # The whole bid history is in the trade log, in order.
    logged = [
        entry.payload["amount"]
        for entry in TradeLogEntry.objects.filter(action="auction.bid").order_by("seq")
    ]
    assert logged == [str(bid.amount) for bid in Bid.objects.filter(listing=listing)]


def test_a_listing_with_one_bidder_at_the_reserve_is_sold_without_an_auction(
    clock, staff, centre, transferor, bidders
):
    listing = land_listing(staff, centre, transferor)
    listings.announce_listing(actor=staff, listing=listing)
    a = register_and_pay(listing, bidders["a"], staff)
    register_and_pay(listing, bidders["b"], staff)
    clock.move_to(local(2026, 3, 24, 9, 0))
    place_bid(actor=bidders["a"], listing=listing, amount="10500000")
    clock.move_to(local(2026, 4, 3, 15, 0))
    run_due_events()
    listing.refresh_from_db()
    assert listing.state == Listing.State.SOLD
    assert listing.winner == a and listing.result_method == "listing"


def test_the_announcement_keeps_the_statutory_period(clock, staff, centre, transferor):
    listing = land_listing(
        staff,
        centre,
        transferor,
        listing_starts_at=local(2026, 3, 20, 9, 0),  # 18 days after the announcement
    )
    error = refused("statutory_violation", listings.announce_listing, actor=staff, listing=listing)
    rules = {v["rule"] for v in error.fields["violations"]}
    assert "land.listing.announcement_before_start" in rules
    listing.refresh_from_db()
    assert listing.state == Listing.State.DRAFT
    assert not AuctionAnnouncement.objects.filter(listing=listing).exists()


def test_mining_auction_fails_below_the_reserve_which_stays_secret_until_then(
    clock, staff, centre, transferor, bidders
):
    listing = mining_auction(staff, centre, transferor)
    listings.announce_listing(actor=staff, listing=listing)
    for key in "ab":
        register_and_pay(listing, bidders[key], staff)
    # The reserve is in no trade-log payload before the result.
    assert "3200000" not in str(list(TradeLogEntry.objects.values_list("payload", flat=True)))

    clock.move_to(local(2026, 3, 25, 9, 30))
    place_bid(actor=bidders["a"], listing=listing, amount="3000000")
    place_bid(actor=bidders["b"], listing=listing, amount="3050000")
    listing.refresh_from_db()
    assert listing.ends_at == local(2026, 3, 25, 10, 0)  # not in the last five minutes
    assert "3200000" not in str(list(TradeLogEntry.objects.values_list("payload", flat=True)))

    clock.move_to(local(2026, 3, 25, 10, 0))
    run_due_events()
    listing.refresh_from_db()
    assert listing.state == Listing.State.FAILED
    assert listing.winner is None and "底价" in listing.result_note
    failed = TradeLogEntry.objects.get(action="auction.fail")
    assert failed.payload["reserve_price"] == "3200000.00"  # revealed afterwards
    for registration in listing.registrations.all():
        assert deposits_of(registration) == {"received": D("600000"), "refunded": D("600000")}


def test_mining_auction_sold_at_the_reserve(clock, staff, centre, transferor, bidders):
    listing = mining_auction(staff, centre, transferor)
    listings.announce_listing(actor=staff, listing=listing)
    register_and_pay(listing, bidders["a"], staff)
    b = register_and_pay(listing, bidders["b"], staff)
    clock.move_to(local(2026, 3, 25, 9, 58))
    place_bid(actor=bidders["a"], listing=listing, amount="3150000")
    place_bid(actor=bidders["b"], listing=listing, amount="3200000")
    listing.refresh_from_db()
    assert listing.ends_at == local(2026, 3, 25, 10, 3)
    clock.move_to(local(2026, 3, 25, 10, 3))
    run_due_events()
    listing.refresh_from_db()
    assert listing.state == Listing.State.SOLD and listing.winner == b
    assert listing.final_price == D("3200000")


def test_the_exactly_one_increment_rule(clock, staff, centre, transferor, bidders):
    listing = mining_auction(staff, centre, transferor, increment_rule="exactly")
    listings.announce_listing(actor=staff, listing=listing)
    for key in "ab":
        register_and_pay(listing, bidders[key], staff)
    clock.move_to(local(2026, 3, 25, 9, 10))
    error = refused(
        "not_exactly_one_increment",
        place_bid,
        actor=bidders["a"],
        listing=listing,
        amount="3050000",
    )
    assert error.fields["minimum"] == ["3000000.00"]
    place_bid(actor=bidders["a"], listing=listing, amount="3000000")
    refused(
        "not_exactly_one_increment",
        place_bid,
        actor=bidders["b"],
        listing=listing,
        amount="3100000",
    )
    refused("too_low", place_bid, actor=bidders["b"], listing=listing, amount="3000000")
    place_bid(actor=bidders["b"], listing=listing, amount="3050000")
    refused("not_whole_fen", place_bid, actor=bidders["a"], listing=listing, amount="3100000.001")


def test_no_bid_without_a_confirmed_deposit_or_a_registration(
    clock, staff, centre, transferor, bidders
):
    listing = mining_auction(staff, centre, transferor)
    listings.announce_listing(actor=staff, listing=listing)
    registrations.register(actor=bidders["a"], listing=listing)
    clock.move_to(local(2026, 3, 25, 9, 10))
    refused(
        "deposit_not_confirmed", place_bid, actor=bidders["a"], listing=listing, amount="3000000"
    )
    refused("not_registered", place_bid, actor=bidders["b"], listing=listing, amount="3000000")


def test_a_deposit_must_be_the_announced_amount_in_full(clock, staff, centre, transferor, bidders):
    listing = mining_auction(staff, centre, transferor)
    listings.announce_listing(actor=staff, listing=listing)
    registration = registrations.register(actor=bidders["a"], listing=listing)
    error = refused(
        "deposit_amount_mismatch",
        registrations.confirm_deposit,
        actor=staff,
        registration=registration,
        amount="599990.00",  # a "bank fee" deducted: refused (D4)
        reference="X",
    )
    assert "amount" in error.fields
    assert not DepositMovement.objects.filter(registration=registration).exists()


def test_equity_with_one_qualified_buyer_is_transferred_by_agreement(
    clock, staff, centre, transferor, bidders
):
    listing = equity_listing(staff, centre, transferor)
    listings.announce_listing(actor=staff, listing=listing)
    a = register_and_pay(listing, bidders["a"], staff)
    # Never pays: takes no part.
    registrations.register(actor=bidders["b"], listing=listing, qualifications="资信良好")
    # No bidding during the disclosure.
    clock.move_to(local(2026, 3, 20, 10, 0))
    refused("not_started", place_bid, actor=bidders["a"], listing=listing, amount="8000000")

    clock.move_to(local(2026, 3, 31, 17, 0))
    run_due_events()
    listing.refresh_from_db()
    assert listing.state == Listing.State.REVIEW
    review(listing, staff, {a: True})
    listing.refresh_from_db()
    assert listing.state == Listing.State.AGREEMENT

    error = refused(
        "below_listing_price",
        listings.record_agreement,
        actor=staff,
        listing=listing,
        price=D("7999999.99"),
    )
    assert "price" in error.fields
    listings.record_agreement(actor=staff, listing=listing, price=D("8000000.00"))
    listing.refresh_from_db()
    assert listing.state == Listing.State.SOLD and listing.winner == a
    assert listing.result_method == "agreement_transfer"
    assert deposits_of(a) == {"received": D("800000"), "applied": D("800000")}


def test_equity_with_several_qualified_buyers_goes_to_online_bidding(
    clock, staff, centre, transferor, bidders
):
    listing = equity_listing(staff, centre, transferor)
    listings.announce_listing(actor=staff, listing=listing)
    a, b = (register_and_pay(listing, bidders[k], staff) for k in "ab")
    clock.move_to(local(2026, 3, 31, 17, 0))
    run_due_events()
    listing.refresh_from_db()
    assert listing.state == Listing.State.REVIEW
    review(listing, staff, {a: True, b: True})
    listing.refresh_from_db()
    assert listing.state == Listing.State.LIVE
    assert listing.ends_at == local(2026, 3, 31, 17, 5)
    clock.move_to(local(2026, 3, 31, 17, 1))
    place_bid(actor=bidders["a"], listing=listing, amount="8000000")
    clock.move_to(local(2026, 3, 31, 17, 4))
    place_bid(actor=bidders["b"], listing=listing, amount="8100000")
    clock.move_to(local(2026, 3, 31, 17, 9))
    run_due_events()
    listing.refresh_from_db()
    assert listing.state == Listing.State.SOLD and listing.winner == b
    assert listing.result_method == "online_bidding" and listing.final_price == D("8100000")
    assert deposits_of(a) == {"received": D("800000"), "refunded": D("800000")}
    a.refresh_from_db()
    # equity.deposit_refund: 3 working days (exchange rules, to be confirmed).
    assert a.refund_due_on == local(2026, 4, 3).date()


def test_an_equity_price_below_ninety_percent_of_the_appraisal_needs_a_recorded_approval(
    clock, staff, centre, transferor
):
    error = refused(
        "approval_required",
        equity_listing,
        staff=staff,
        centre=centre,
        transferor=transferor,
        starting_price=D("7199999.99"),
    )
    assert "below_appraisal_approval" in error.fields and "32号令" in error.message
    listing = equity_listing(
        staff,
        centre,
        transferor,
        starting_price=D("7199999.99"),
        below_appraisal_approval="漳国资产权〔2026〕5号",
    )
    assert listing.below_appraisal_approval == "漳国资产权〔2026〕5号"
    # Exactly 90 % needs none.
    equity_listing(staff, centre, transferor, starting_price=D("7200000.00"), title="另一标的")


def test_a_suspended_session_is_never_closed_and_resumes_with_a_full_period(
    clock, staff, centre, transferor, bidders
):
    listing = mining_auction(staff, centre, transferor)
    listings.announce_listing(actor=staff, listing=listing)
    for key in "ab":
        register_and_pay(listing, bidders[key], staff)
    clock.move_to(local(2026, 3, 25, 9, 59))
    place_bid(actor=bidders["a"], listing=listing, amount="3300000")
    listings.suspend_session(actor=staff, listing=listing, reason="竞价系统故障")
    clock.move_to(local(2026, 3, 25, 16, 0))
    run_due_events()
    listing.refresh_from_db()
    assert listing.state == Listing.State.SUSPENDED  # an outage never produces a result
    refused("suspended", place_bid, actor=bidders["b"], listing=listing, amount="3350000")
    listings.resume_session(actor=staff, listing=listing)
    listing.refresh_from_db()
    assert listing.ends_at == local(2026, 3, 25, 16, 5)
    clock.move_to(local(2026, 3, 25, 16, 3))
    place_bid(actor=bidders["b"], listing=listing, amount="3350000")
    listing.refresh_from_db()
    # The end from the bid log counts from the resumption, as the row's cache does.
    assert live_end(listing) == listing.ends_at == local(2026, 3, 25, 16, 8)
    clock.move_to(local(2026, 3, 25, 16, 7))
    run_due_events()
    listing.refresh_from_db()
    assert listing.state == Listing.State.LIVE
    clock.move_to(local(2026, 3, 25, 16, 8))
    run_due_events()
    listing.refresh_from_db()
    assert listing.state == Listing.State.SOLD


def test_a_voided_session_refunds_every_deposit(clock, staff, centre, transferor, bidders):
    listing = mining_auction(staff, centre, transferor)
    listings.announce_listing(actor=staff, listing=listing)
    regs = [register_and_pay(listing, bidders[k], staff) for k in "ab"]
    clock.move_to(local(2026, 3, 25, 9, 30))
    place_bid(actor=bidders["a"], listing=listing, amount="3300000")
    listings.suspend_session(actor=staff, listing=listing, reason="数据中心断电")
    listings.void_session(actor=staff, listing=listing, reason="无法恢复")
    listing.refresh_from_db()
    assert listing.state == Listing.State.VOIDED and listing.winner is None
    for registration in regs:
        assert deposits_of(registration) == {"received": D("600000"), "refunded": D("600000")}


def test_staff_of_another_centre_cannot_create_or_announce(
    clock, staff, other_staff, centre, transferor
):
    refused("forbidden", land_listing, staff=other_staff, centre=centre, transferor=transferor)
    listing = land_listing(staff, centre, transferor)
    refused("forbidden", listings.announce_listing, actor=other_staff, listing=listing)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pgtrigger on PostgreSQL")
def test_the_bid_log_and_deposit_movements_are_append_only(
    clock, staff, centre, transferor, bidders
):
    listing = mining_auction(staff, centre, transferor)
    listings.announce_listing(actor=staff, listing=listing)
    register_and_pay(listing, bidders["a"], staff)
    clock.move_to(local(2026, 3, 25, 9, 30))
    place_bid(actor=bidders["a"], listing=listing, amount="3000000")
    with pytest.raises(DatabaseError, match="pgtrigger: Cannot"), transaction.atomic():
        Bid.objects.update(amount=D("1"))
    with pytest.raises(DatabaseError, match="pgtrigger: Cannot"), transaction.atomic():
        DepositMovement.objects.all().delete()


def test_an_end_computed_from_the_log_ignores_a_late_sweep(
    clock, staff, centre, transferor, bidders
):
    """The sweep runs hours late (no worker, nobody reading): the result is the one the bid
    log gives at the real end, not whatever was last cached."""
    listing = mining_auction(staff, centre, transferor)
    listings.announce_listing(actor=staff, listing=listing)
    for key in "ab":
        register_and_pay(listing, bidders[key], staff)
    clock.move_to(local(2026, 3, 25, 9, 59))
    place_bid(actor=bidders["a"], listing=listing, amount="3250000")
    clock.move_to(local(2026, 3, 25, 9, 59) + timedelta(hours=5))
    run_due_events()
    listing.refresh_from_db()
    assert listing.state == Listing.State.SOLD and listing.final_price == D("3250000")


def test_the_beat_task_moves_what_is_due(clock, staff, centre, transferor, bidders):
    """The Celery beat task (every second in production) runs the same idempotent sweep."""
    from auctions.tasks import run_due_events_task

    listing = mining_auction(staff, centre, transferor)
    listings.announce_listing(actor=staff, listing=listing)
    clock.move_to(local(2026, 3, 25, 9, 0))
    assert run_due_events_task() == 1
    assert run_due_events_task() == 0  # nothing more is due: running it twice is harmless
    listing.refresh_from_db()
    assert listing.state == Listing.State.LIVE
    clock.move_to(local(2026, 3, 25, 10, 0))
    assert run_due_events_task() == 1
    listing.refresh_from_db()
    assert listing.state == Listing.State.FAILED  # no bid


def test_equity_pre_disclosure_runs_twenty_working_days_before_the_formal_disclosure(
    clock, staff, centre, transferor
):
    listing = equity_listing(
        staff,
        centre,
        transferor,
        listing_starts_at=local(2026, 4, 1, 9, 0),
        listing_ends_at=local(2026, 5, 8, 17, 0),
        registration_ends_at=local(2026, 5, 8, 17, 0),
    )
    announcement = listings.publish_pre_disclosure(actor=staff, listing=listing)
    assert announcement.kind == AuctionAnnouncement.Kind.PRE_DISCLOSURE
    clock.move_to(local(2026, 3, 16, 9, 0))  # ten working days later
    error = refused("statutory_violation", listings.announce_listing, actor=staff, listing=listing)
    assert "equity.pre_disclosure_period" in {v["rule"] for v in error.fields["violations"]}
    listing.refresh_from_db()
    assert listing.state == Listing.State.DRAFT and listing.pre_disclosure_ends_at is None
    clock.move_to(local(2026, 3, 31, 9, 0))  # twenty working days and more
    listings.announce_listing(actor=staff, listing=listing)
    listing.refresh_from_db()
    assert listing.state == Listing.State.ANNOUNCED
    assert listing.pre_disclosure_ends_at == local(2026, 3, 31, 9, 0)
