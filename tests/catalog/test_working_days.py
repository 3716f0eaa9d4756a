"""Working days and statutory periods (民法典 第201–203条), across the 2026 Spring Festival:
Feb 15–23, 2026 off; Saturdays Feb 14 and Feb 28, 2026 are make-up workdays."""

from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.selectors import holiday_calendar
from catalog.working_days import (
    HolidayCalendar,
    add_calendar_days_period_end,
    add_months,
    add_months_period_end,
    add_working_days,
    is_working_day,
    next_working_day,
    period_end,
    working_days_between,
)
from tests.catalog.holidays import WEEKENDS_ONLY, chinese_calendar_2020_2026

SPRING_FESTIVAL_2026 = [date(2026, 2, 15) + timedelta(days=i) for i in range(9)]


def test_spring_festival_2026_days(calendar):
    assert all(not is_working_day(day, calendar=calendar) for day in SPRING_FESTIVAL_2026)
    assert is_working_day(date(2026, 2, 14), calendar=calendar)  # Saturday, make-up workday
    assert is_working_day(date(2026, 2, 28), calendar=calendar)  # Saturday, make-up workday
    assert is_working_day(date(2026, 2, 24), calendar=calendar)
    assert not is_working_day(date(2026, 3, 1), calendar=calendar)  # an ordinary Sunday


def test_five_working_days_from_12_february_2026_cross_the_festival(calendar):
    # Fri 13 (1), Sat 14 make-up (2), 15–23 off, Tue 24 (3), Wed 25 (4), Thu 26 (5).
    assert add_working_days(date(2026, 2, 12), 5, calendar=calendar) == date(2026, 2, 26)
    # Weekends alone would end a week earlier: the calendar matters.
    assert add_working_days(date(2026, 2, 12), 5, calendar=WEEKENDS_ONLY) == date(2026, 2, 19)


def test_counting_starts_the_day_after(calendar):
    # Monday 2 March 2026: one working day later is Tuesday, not Monday itself.
    assert add_working_days(date(2026, 3, 2), 1, calendar=calendar) == date(2026, 3, 3)
    assert add_working_days(date(2026, 3, 2), 0, calendar=calendar) == date(2026, 3, 2)
    # Issued on a Saturday: the first working day counted is the Monday.
    assert add_working_days(date(2026, 3, 7), 1, calendar=calendar) == date(2026, 3, 9)


def test_working_days_between(calendar):
    assert working_days_between(date(2026, 2, 12), date(2026, 2, 26), calendar=calendar) == 5
    assert working_days_between(date(2026, 2, 14), date(2026, 2, 23), calendar=calendar) == 0
    assert working_days_between(date(2026, 2, 26), date(2026, 2, 12), calendar=calendar) == -5
    assert working_days_between(date(2026, 3, 2), date(2026, 3, 2), calendar=calendar) == 0


def test_twenty_day_period_ending_on_a_holiday_runs_to_the_next_working_day(calendar):
    # 27 Jan + 20 days = Mon 16 Feb 2026, a Spring Festival holiday: the period ends on
    # Tue 24 Feb, the first working day after the holiday (第203条).
    assert add_calendar_days_period_end(date(2026, 1, 27), 20, calendar=calendar) == date(
        2026, 2, 24
    )
    # The nominal last day, used for minimum lengths, does not move.
    nominal = period_end(date(2026, 1, 27), 20, "calendar_days", calendar=calendar, extend=False)
    assert nominal.day == date(2026, 2, 16)
    # A last day on an ordinary weekend moves too: 21 March 2026 is a Saturday.
    end = add_calendar_days_period_end(date(2026, 3, 1), 20, calendar=calendar)
    assert end == date(2026, 3, 23)
    # A last day on a working day stays.
    end = add_calendar_days_period_end(date(2026, 3, 3), 20, calendar=calendar)
    assert end == date(2026, 3, 23)


def test_months_end_on_the_corresponding_day_or_the_month_end(calendar):
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2026, 11, 15), 2) == date(2027, 1, 15)
    # 12 months from 2025-02-21 is Sat 2026-02-21, inside the festival: next working day 24th.
    assert add_months_period_end(date(2025, 2, 21), 12, calendar=calendar) == date(2026, 2, 24)


def test_negative_periods_are_refused(calendar):
    with pytest.raises(ValueError):
        add_working_days(date(2026, 3, 2), -1, calendar=calendar)
    with pytest.raises(ValueError):
        period_end(date(2026, 3, 2), 3, "fortnights", calendar=calendar)


@pytest.mark.django_db
def test_the_seeded_calendar_matches_chinese_calendar():
    seeded = holiday_calendar()
    assert seeded.complete_years == frozenset(range(2020, 2027))
    day = date(2020, 1, 1)
    while day.year <= 2026:
        assert seeded.is_working_day(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


@pytest.mark.django_db
def test_a_year_not_entered_falls_back_to_weekends_and_is_flagged_estimated():
    seeded = holiday_calendar()
    # 1 January 2027 is a Friday; without 2027's arrangement it counts as a working day.
    result = period_end(date(2026, 12, 28), 5, "working_days", calendar=seeded)
    assert result.day == date(2027, 1, 4)
    assert result.estimated
    assert result.years_missing == (2027,)
    assert seeded.is_estimated(date(2027, 1, 1))
    assert not seeded.is_estimated(date(2026, 12, 31))
    # Wholly inside 2026: not estimated.
    inside = period_end(date(2026, 2, 12), 5, "working_days", calendar=seeded)
    assert inside.day == date(2026, 2, 26)
    assert not inside.estimated


def test_calendar_years_missing_lists_each_year_once():
    calendar = HolidayCalendar(complete_years=frozenset({2026}))
    assert calendar.years_missing(date(2025, 6, 1), date(2028, 1, 1)) == (2025, 2027, 2028)
    assert calendar.years_missing(date(2026, 12, 31), date(2026, 1, 1)) == ()


# --- Properties over the whole covered range ---------------------------------------------

covered_days = st.dates(min_value=date(2020, 1, 1), max_value=date(2026, 9, 30))


@settings(max_examples=300, deadline=None)
@given(start=covered_days, n=st.integers(min_value=1, max_value=60))
def test_add_working_days_lands_on_a_working_day_with_exactly_n_in_between(start, n):
    calendar = chinese_calendar_2020_2026()
    result = add_working_days(start, n, calendar=calendar)
    assert result > start
    assert is_working_day(result, calendar=calendar)
    assert working_days_between(start, result, calendar=calendar) == n
    # Nothing earlier would do: the day before has only n - 1 working days after `start`.
    assert working_days_between(start, result - timedelta(days=1), calendar=calendar) == n - 1
    # Agrees with chinese-calendar itself.
    in_between = [start + timedelta(days=i) for i in range(1, (result - start).days + 1)]
    assert sum(chinese_calendar.is_workday(day) for day in in_between) == n


@settings(max_examples=300, deadline=None)
@given(a=covered_days, b=covered_days)
def test_working_days_between_is_additive_and_antisymmetric(a, b):
    calendar = chinese_calendar_2020_2026()
    middle = min(a, b) + (max(a, b) - min(a, b)) // 2
    assert working_days_between(a, b, calendar=calendar) == -working_days_between(
        b, a, calendar=calendar
    )
    low, high = min(a, b), max(a, b)
    assert working_days_between(low, high, calendar=calendar) == working_days_between(
        low, middle, calendar=calendar
    ) + working_days_between(middle, high, calendar=calendar)


@settings(max_examples=300, deadline=None)
@given(start=covered_days, n=st.integers(min_value=0, max_value=60))
def test_a_calendar_period_ends_on_the_first_working_day_on_or_after_start_plus_n(start, n):
    calendar = chinese_calendar_2020_2026()
    end = add_calendar_days_period_end(start, n, calendar=calendar)
    nominal = start + timedelta(days=n)
    assert end >= nominal
    assert is_working_day(end, calendar=calendar)
    assert all(
        not is_working_day(nominal + timedelta(days=i), calendar=calendar)
        for i in range((end - nominal).days)
    )
    assert next_working_day(nominal, calendar=calendar) == end


@settings(max_examples=200, deadline=None)
@given(
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)),
    n=st.integers(min_value=0, max_value=40),
)
def test_weekends_only_fallback_never_lands_on_a_weekend(start, n):
    result = add_working_days(start, n, calendar=WEEKENDS_ONLY)
    assert n == 0 or result.weekday() < 5
    assert working_days_between(start, result, calendar=WEEKENDS_ONLY) == n
