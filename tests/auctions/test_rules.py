"""The auction rules as pure functions: increments, extension, the outcome from the log."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from auctions import rules

D = Decimal
T0 = datetime(2026, 3, 25, 1, 0, tzinfo=UTC)
FIVE = timedelta(minutes=5)
money = st.decimals(min_value=D("0.01"), max_value=D("1e12"), places=2)


def test_first_bid_at_the_starting_price_then_one_increment_above():
    assert (
        rules.check_bid(
            amount=D("100.00"),
            current_price=None,
            starting_price=D("100"),
            increment=D("10"),
            increment_rule=rules.AT_LEAST,
        )
        is None
    )
    refusal = rules.check_bid(
        amount=D("109.99"),
        current_price=D("100"),
        starting_price=D("100"),
        increment=D("10"),
        increment_rule=rules.AT_LEAST,
    )
    assert refusal == rules.BidRefusal("too_low", D("110"))


@given(current=money, increment=money, extra=money)
def test_at_least_accepts_anything_from_one_increment_up(current, increment, extra):
    common = dict(current_price=current, starting_price=D("0.01"), increment=increment)
    assert rules.check_bid(amount=current + increment, increment_rule="at_least", **common) is None
    assert (
        rules.check_bid(amount=current + increment + extra, increment_rule="at_least", **common)
        is None
    )
    assert rules.check_bid(
        amount=current + increment - D("0.01"), increment_rule="at_least", **common
    ).code in {"too_low"}


@given(current=money, increment=money, extra=money)
def test_exactly_accepts_only_one_increment(current, increment, extra):
    common = dict(current_price=current, starting_price=D("0.01"), increment=increment)
    assert rules.check_bid(amount=current + increment, increment_rule="exactly", **common) is None
    assert (
        rules.check_bid(amount=current + increment + extra, increment_rule="exactly", **common).code
        == "not_exactly_one_increment"
    )


def test_a_bid_in_the_last_period_moves_the_end_to_a_full_period_after_it():
    end = T0 + timedelta(hours=1)
    assert (
        rules.extended_end(ends_at=end, placed_at=end - timedelta(minutes=6), extension=FIVE) == end
    )
    assert rules.extended_end(
        ends_at=end, placed_at=end - timedelta(minutes=2), extension=FIVE
    ) == end + timedelta(minutes=3)


@given(offsets=st.lists(st.integers(min_value=0, max_value=7200), max_size=30))
def test_the_end_from_the_log_is_a_full_period_after_the_last_counted_bid(offsets):
    scheduled = T0 + timedelta(minutes=30)
    times = [T0 + timedelta(seconds=s) for s in offsets]
    end = rules.end_from_log(scheduled_end=scheduled, bid_times=times, extension=FIVE)
    counted = [t for t in times if t < end]
    assert end >= scheduled
    assert end == max([scheduled] + [t + FIVE for t in counted])
    # No bid was ignored that came before the end it would have extended.
    assert all(t >= end for t in times if t not in counted)


def bid(seq, bidder, amount):
    return rules.LoggedBid(seq, bidder, D(amount), T0 + timedelta(seconds=seq))


def test_the_highest_bid_wins_and_the_first_at_an_equal_price():
    log = [bid(1, 1, "100"), bid(2, 2, "120"), bid(3, 3, "120")]
    assert rules.outcome(log, reserve=None).winner.bidder == 2
    assert rules.outcome(log, reserve=D("120")).winner.bidder == 2
    assert rules.outcome(log, reserve=D("120.01")).reason == "below_reserve"
    assert rules.outcome([], reserve=None).reason == "no_bids"


def test_the_listing_end_decision():
    assert (
        rules.listing_end_decision([bid(1, 1, "100"), bid(2, 2, "110")], reserve=None) == "auction"
    )
    assert (
        rules.listing_end_decision([bid(1, 1, "100"), bid(2, 1, "110")], reserve=D("105")) == "sold"
    )
    assert rules.listing_end_decision([bid(1, 1, "100")], reserve=D("105")) == "failed"
    assert rules.listing_end_decision([], reserve=None) == "failed"


def test_the_equity_disclosure_decision():
    assert [rules.equity_disclosure_decision(n) for n in (0, 1, 2, 5)] == [
        "failed",
        "agreement",
        "auction",
        "auction",
    ]


def test_below_share_is_exact():
    assert rules.below_share(D("7199999.99"), D("8000000"), D("90"))
    assert not rules.below_share(D("7200000.00"), D("8000000"), D("90"))
