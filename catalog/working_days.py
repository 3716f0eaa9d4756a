"""Working days (工作日) and statutory periods, as the Civil Code counts them.

- A period is counted from the day after the event (民法典 第201条): documents issued on
  1 March, a period of 20 days ends on 21 March.
- A period in months or years ends on the corresponding day of the last month, or on that
  month's last day when it has no such day (第202条).
- A period whose last day is a holiday or a rest day ends on the next working day (第203条):
  this extends the time to act "within N days"; a minimum ("at least N days from A to B")
  is met once N days have passed, whatever day that is.
- A working day is a weekday that is not a statutory holiday, or a weekend day the State
  Council made a working day (调休上班).

Everything here is a pure function over a `HolidayCalendar` value (built from the database
by `catalog.selectors.holiday_calendar`). For a year whose arrangement is not entered in
full, weekends alone decide and the result is *estimated*: `HolidayCalendar.years_missing`
and `PeriodEnd.estimated` say so, and callers must show a visible warning.
"""

import calendar as gregorian
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class HolidayCalendar:
    """The holiday arrangement: `exceptions` maps a date to whether it is a working day
    (holidays on weekdays → False, make-up workdays on weekends → True); `complete_years`
    are the years entered in full."""

    exceptions: Mapping[date, bool] = field(default_factory=dict)
    complete_years: frozenset[int] = frozenset()

    def is_working_day(self, day: date) -> bool:
        working = self.exceptions.get(day)
        if working is not None:
            return working
        return day.weekday() < 5

    def is_estimated(self, day: date) -> bool:
        """True when `day`'s year is not entered in full: only weekends were considered."""
        return day.year not in self.complete_years

    def years_missing(self, start: date, end: date) -> tuple[int, ...]:
        """The years between `start` and `end` (inclusive, either order) not entered in full."""
        low, high = sorted((start.year, end.year))
        return tuple(year for year in range(low, high + 1) if year not in self.complete_years)


@dataclass(frozen=True)
class PeriodEnd:
    """The last day of a period, and whether a year without a holiday arrangement was used."""

    day: date
    years_missing: tuple[int, ...] = ()

    @property
    def estimated(self) -> bool:
        return bool(self.years_missing)


def is_working_day(day: date, *, calendar: HolidayCalendar) -> bool:
    return calendar.is_working_day(day)


def next_working_day(day: date, *, calendar: HolidayCalendar) -> date:
    """`day` itself when it is a working day, else the first working day after it."""
    while not calendar.is_working_day(day):
        day += ONE_DAY
    return day


def add_working_days(start: date, n: int, *, calendar: HolidayCalendar) -> date:
    """The `n`-th working day after `start`; counting starts the day after (第201条).

    Exactly `n` working days lie in (start, result], and the result is a working day when
    n ≥ 1. n = 0 gives `start`.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    day = start
    remaining = n
    while remaining:
        day += ONE_DAY
        if calendar.is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date, *, calendar: HolidayCalendar) -> int:
    """The number of working days in (start, end]; negative when `end` is before `start`."""
    if end < start:
        return -working_days_between(end, start, calendar=calendar)
    count = 0
    day = start + ONE_DAY
    while day <= end:
        if calendar.is_working_day(day):
            count += 1
        day += ONE_DAY
    return count


def add_calendar_days_period_end(start: date, n: int, *, calendar: HolidayCalendar) -> date:
    """The last day of a period of `n` days from `start`: `start + n`, or the next working
    day when that day is a holiday or a rest day (第201条, 第203条)."""
    if n < 0:
        raise ValueError("n must not be negative")
    return next_working_day(start + timedelta(days=n), calendar=calendar)


def add_months(start: date, n: int) -> date:
    """The corresponding day `n` months later, or that month's last day (第202条)."""
    month_index = start.month - 1 + n
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, gregorian.monthrange(year, month)[1]))


def add_months_period_end(start: date, n: int, *, calendar: HolidayCalendar) -> date:
    """The last day of a period of `n` months from `start` (第202条, 第203条)."""
    if n < 0:
        raise ValueError("n must not be negative")
    return next_working_day(add_months(start, n), calendar=calendar)


#: Units `period_end` understands (the values of `catalog.models.RuleUnit`).
CALENDAR_DAYS = "calendar_days"
WORKING_DAYS = "working_days"
MONTHS = "months"
YEARS = "years"


def period_end(
    start: date, n: int, unit: str, *, calendar: HolidayCalendar, extend: bool = True
) -> PeriodEnd:
    """The last day of a period of `n` `unit`s counted from `start`, with its estimate flag.

    With `extend` (the default) a last day that is a holiday or rest day moves to the next
    working day (第203条): the latest allowed day for "within n of A". Without it, the
    nominal last day: the earliest allowed day for "at least n from A to B" (documents
    issued on 1 March, 20 days: a deadline on 21 March is allowed even on a Saturday).
    Working days always end on a working day.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    if unit == WORKING_DAYS:
        day = add_working_days(start, n, calendar=calendar)
        return PeriodEnd(day=day, years_missing=calendar.years_missing(start + ONE_DAY, day))
    if unit == CALENDAR_DAYS:
        nominal = start + timedelta(days=n)
    elif unit == MONTHS:
        nominal = add_months(start, n)
    elif unit == YEARS:
        nominal = add_months(start, 12 * n)
    else:
        raise ValueError(f"{unit!r} is not a unit of time")
    if not extend:
        return PeriodEnd(day=nominal)  # the calendar was not consulted
    day = next_working_day(nominal, calendar=calendar)
    return PeriodEnd(day=day, years_missing=calendar.years_missing(nominal, day))
