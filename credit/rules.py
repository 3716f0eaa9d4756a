"""The credit registry's pure rules: when a measure applies, how long it may last, how a
repair may change it, how security measures combine. No I/O; tested exhaustively.

Time is in whole seconds. A decision reads "自 valid_from 起至 valid_to 止": the first and the
last second the measure applies. So a ban ending at 10:00:00 still refuses a bid received at
10:00:00.4 and allows one at 10:00:01 — as a half-open interval, [valid_from, valid_to + 1 s).
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

#: How an open end is stored in `MeasureScope`, so that "not ended at T" is a range condition.
OPEN_END = datetime(9999, 1, 1, tzinfo=UTC)
ONE_SECOND = timedelta(seconds=1)


def whole_second(moment: datetime) -> datetime:
    """The second `moment` falls in: instants inside one second are judged alike."""
    return moment.replace(microsecond=0)


def in_force(valid_from: datetime, valid_to: datetime | None, at: datetime) -> bool:
    """Does a record or measure valid from `valid_from` to `valid_to` (the last second,
    inclusive; None: no end) apply at the instant `at`?"""
    second = whole_second(at)
    return whole_second(valid_from) <= second and (
        valid_to is None or second <= whole_second(valid_to)
    )


def has_ended(valid_to: datetime | None, at: datetime) -> bool:
    return valid_to is not None and whole_second(at) > whole_second(valid_to)


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time `months` later; the last day of the month when it is shorter
    (a ban from 31 January for one month ends on 28/29 February)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise ValueError(moment)  # unreachable: every month has 28 days


def check_period(
    valid_from: datetime, valid_to: datetime | None, *, max_months: int | None
) -> list[str]:
    """Why a period is not allowed, as codes: `ends_before_start`, `open_end_not_allowed`,
    `too_long` (longer than the law's longest period for the measure type)."""
    problems = []
    if valid_to is not None and whole_second(valid_to) < whole_second(valid_from):
        problems.append("ends_before_start")
    if max_months is not None:
        if valid_to is None:
            problems.append("open_end_not_allowed")
        elif whole_second(valid_to) >= add_months(whole_second(valid_from), max_months):
            # "一至三年": the last second is before the same instant N months later.
            problems.append("too_long")
    return problems


def check_repair(
    valid_from: datetime, valid_to: datetime | None, new_valid_to: datetime
) -> list[str]:
    """A repair only shortens (`not_shorter`), and cannot end a measure before it began
    (`before_start`). Ending it in the past is fine: the measure has then stopped."""
    problems = []
    if valid_to is not None and whole_second(new_valid_to) >= whole_second(valid_to):
        problems.append("not_shorter")
    if whole_second(new_valid_to) < whole_second(valid_from):
        problems.append("before_start")
    return problems


def within_region(region_chain: list[str], scope_code: str | None) -> bool:
    """Is the region whose chain (its own code, then its parent's, …, up to the province) is
    `region_chain` inside the scope region `scope_code` (None: everywhere)?"""
    return scope_code is None or scope_code in region_chain


@dataclass(frozen=True)
class SecurityChange:
    percent: Decimal
    applied: tuple[int, ...]  # indexes of the measures that decide it


def combine_security_changes(percents: list[Decimal]) -> SecurityChange:
    """One answer from several security measures: a higher security (a dishonest entity)
    outweighs any reduction; among increases the largest counts, among reductions the
    largest. Never below -100 %."""
    increases = [(p, i) for i, p in enumerate(percents) if p > 0]
    reductions = [(p, i) for i, p in enumerate(percents) if p < 0]
    if increases:
        best = max(p for p, _ in increases)
        return SecurityChange(best, tuple(i for p, i in increases if p == best))
    if reductions:
        best = min(p for p, _ in reductions)
        return SecurityChange(
            max(best, Decimal(-100)), tuple(i for p, i in reductions if p == best)
        )
    return SecurityChange(Decimal(0), ())
