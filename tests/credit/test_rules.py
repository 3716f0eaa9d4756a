"""The pure rules: when a measure applies (exact to the second), how long it may last, how
a repair may change it, how security measures combine."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from credit.rules import (
    add_months,
    check_period,
    check_repair,
    combine_security_changes,
    has_ended,
    in_force,
    whole_second,
    within_region,
)

T = datetime(2026, 3, 23, 2, 0, tzinfo=UTC)  # 10:00:00 Beijing time
SECOND = timedelta(seconds=1)

moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


def test_a_ban_ending_at_ten_still_refuses_at_ten_and_lifts_one_second_later():
    start = T - timedelta(days=365)
    assert in_force(start, T, T)
    assert in_force(start, T, T + timedelta(microseconds=999_999))
    assert not in_force(start, T, T + SECOND)
    assert has_ended(T, T + SECOND) and not has_ended(T, T)


def test_a_measure_applies_from_its_first_second():
    assert not in_force(T, None, T - timedelta(microseconds=1))
    assert in_force(T, None, T)
    assert in_force(T, None, T + timedelta(days=10_000))  # no end date


@given(start=moments, length=st.integers(min_value=0, max_value=10**8), at=moments)
def test_in_force_is_the_half_open_interval_from_start_to_one_second_after_the_end(
    start, length, at
):
    start = whole_second(start)
    end = start + timedelta(seconds=length)
    expected = start <= at < end + SECOND
    assert in_force(start, end, at) == expected


@given(start=moments, length=st.integers(min_value=0, max_value=10**8))
def test_the_last_second_is_in_and_the_next_is_out(start, length):
    start = whole_second(start)
    end = start + timedelta(seconds=length)
    assert in_force(start, end, end)
    assert in_force(start, end, end + timedelta(microseconds=999_999))
    assert not in_force(start, end, end + SECOND)
    assert in_force(start, end, start)
    assert not in_force(start, end, start - timedelta(microseconds=1))


def test_months_end_on_the_last_day_of_a_shorter_month():
    assert add_months(datetime(2026, 1, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert add_months(datetime(2027, 11, 30, tzinfo=UTC), 3) == datetime(2028, 2, 29, tzinfo=UTC)
    assert add_months(datetime(2026, 3, 2, 8, tzinfo=UTC), 36) == datetime(
        2029, 3, 2, 8, tzinfo=UTC
    )


def test_a_market_ban_lasts_at_most_three_years_to_the_second():
    start = datetime(2026, 3, 2, tzinfo=UTC)
    last_allowed = datetime(2029, 3, 2, tzinfo=UTC) - SECOND
    assert check_period(start, last_allowed, max_months=36) == []
    assert check_period(start, last_allowed + SECOND, max_months=36) == ["too_long"]
    assert check_period(start, None, max_months=36) == ["open_end_not_allowed"]
    assert check_period(start, None, max_months=None) == []
    assert check_period(start, start - SECOND, max_months=None) == ["ends_before_start"]


def test_a_repair_only_shortens_and_not_before_the_start():
    start, end = T, T + timedelta(days=365)
    assert check_repair(start, end, end - SECOND) == []
    assert check_repair(start, end, end) == ["not_shorter"]
    assert check_repair(start, end, start) == []
    assert check_repair(start, end, start - SECOND) == ["before_start"]
    assert check_repair(start, None, start + SECOND) == []  # an open end can be ended


def test_region_scope_covers_sub_regions_only():
    county = ["350623", "350600", "350000"]
    assert within_region(county, None)
    assert within_region(county, "350600")
    assert within_region(county, "350000")
    assert not within_region(["350600", "350000"], "350623")
    assert not within_region(["350200", "350000"], "350600")


def test_a_higher_security_outweighs_a_reduction():
    change = combine_security_changes([Decimal("-50"), Decimal("50"), Decimal("30")])
    assert change.percent == Decimal("50") and change.applied == (1,)
    assert combine_security_changes([Decimal("-50"), Decimal("-20")]).percent == Decimal("-50")
    assert combine_security_changes([]).percent == 0


@given(st.lists(st.decimals(min_value=-200, max_value=200, places=2).filter(lambda d: d != 0)))
def test_combined_security_is_one_of_the_inputs_and_never_below_minus_100(percents):
    change = combine_security_changes(percents)
    assert change.percent >= -100
    if any(p > 0 for p in percents):
        assert change.percent == max(percents)
    elif percents:
        assert change.percent == max(min(percents), Decimal(-100))
    assert all(percents[i] == change.percent or change.percent == -100 for i in change.applied)
