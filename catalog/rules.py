"""Statutory rule checks (J4): the one place a trade's schedule is checked against the law.

`check_schedule(rules=…, schedule=…, calendar=…)` is a pure function: it takes the rules
(`StatutoryRule` rows or anything shaped like them), a schedule mapping field names to
datetimes, dates and numbers, and a `HolidayCalendar`, and returns *every* violation at
once, each naming the rule, the field, the numbers and the legal source.

Semantics, by rule kind (A = `start_field`, B = `end_field`, N = value / denominator):

- ``min_interval``: at least N units from A to B. Counting starts the day after A
  (民法典 第201条), on dates in Asia/Shanghai; working days use the holiday calendar.
  Documents issued 2026-03-01: for 20 days the bid deadline may be 2026-03-21 or later.
- ``max_interval``: B no later than the last day of a period of N units from A ("within N
  days of A"); a last day that is a holiday or rest day moves to the next working day
  (第203条).
- ``max_ratio``: A ≤ N × B (percent: N % of B), e.g. bid security ≤ 2 % of the estimate.
- ``min_share``: A ≥ N × B, e.g. experts ≥ 2/3 of the committee.
- ``min_count``, ``min_value``: A ≥ N. ``max_count``: A ≤ N.
- ``committee_size``: A ≥ N and A odd.
- ``threshold``: an amount read by other apps (e.g. must-tender thresholds); not checked.

A rule whose fields are absent from the schedule is skipped, and so is a rule whose
condition (`condition_field` ≥ `condition_min_value`) is absent or not reached.

Loading the rules and the calendar from the database: `catalog.selectors.rules_for`,
`catalog.selectors.check_schedule_for`.
"""

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from catalog.working_days import (
    CALENDAR_DAYS,
    MONTHS,
    WORKING_DAYS,
    YEARS,
    HolidayCalendar,
    PeriodEnd,
    period_end,
    working_days_between,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


class RuleLike(Protocol):
    code: str
    kind: str
    start_field: str
    end_field: str
    value: Decimal
    value_denominator: int
    unit: str
    condition_field: str
    condition_min_value: Decimal | None
    source: str
    needs_confirmation: bool


@dataclass(frozen=True)
class Violation:
    """A rule the schedule breaks: `message` names the numbers, `source` the law."""

    rule: str
    field: str
    message: str
    source: str
    needs_confirmation: bool = False
    estimated: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


class ScheduleValueError(ValueError):
    """Schedule values of the wrong type; `errors` maps each field to its message."""

    def __init__(self, errors: Mapping[str, str]):
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = dict(errors)


#: Readable names of the schedule fields the seeded rules use. A field added by an
#: administrator without a name here is shown as its identifier.
SCHEDULE_FIELD_LABELS: dict[str, str] = {
    "announcement_ends_at": gettext_noop("the end of the announcement"),
    "announcement_published_at": gettext_noop("publishing the announcement"),
    "appraised_value": gettext_noop("the appraised value"),
    "award_decided_at": gettext_noop("the award decision"),
    "award_notice_issued_at": gettext_noop("issuing the award notice"),
    "bid_deadline": gettext_noop("the bid deadline"),
    "bid_securities_returned_at": gettext_noop("returning the bid securities"),
    "bid_security_amount": gettext_noop("the bid security"),
    "bid_withdrawn_at": gettext_noop("the written withdrawal of a bid"),
    "bids_received": gettext_noop("the number of bids received"),
    "budget_amount": gettext_noop("the budget"),
    "candidates_count": gettext_noop("the number of ranked candidates"),
    "candidates_published_at": gettext_noop("publishing the candidates"),
    "candidates_publicity_ends_at": gettext_noop("the end of the candidates' publicity"),
    "capital_increase_disclosure_ends_at": gettext_noop(
        "the end of the capital-increase disclosure"
    ),
    "capital_increase_disclosure_starts_at": gettext_noop("the capital-increase disclosure"),
    "clarification_issued_at": gettext_noop("issuing the clarification or change"),
    "committee_experts": gettext_noop("the experts on the committee"),
    "committee_size": gettext_noop("the committee size"),
    "complaint_accepted_at": gettext_noop("accepting the complaint"),
    "complaint_acceptance_decided_at": gettext_noop("deciding whether to accept the complaint"),
    "complaint_decided_at": gettext_noop("the complaint decision"),
    "complaint_filed_at": gettext_noop("filing the complaint"),
    "complaint_grounds_known_at": gettext_noop("knowing the grounds of the complaint"),
    "complaint_received_at": gettext_noop("receiving the complaint"),
    "contract_amount": gettext_noop("the contract price"),
    "contract_effective_at": gettext_noop("the contract taking effect"),
    "contract_filed_at": gettext_noop("filing the contract"),
    "contract_published_at": gettext_noop("publishing the contract"),
    "contract_signed_at": gettext_noop("signing the contract"),
    "disclosure_ends_at": gettext_noop("the end of the disclosure"),
    "disclosure_starts_at": gettext_noop("the start of the disclosure"),
    "documents_issued_at": gettext_noop("issuing the documents"),
    "documents_objection_answered_at": gettext_noop("answering the objection"),
    "documents_objection_raised_at": gettext_noop("raising an objection to the documents"),
    "documents_sale_ends_at": gettext_noop("the end of the documents' sale"),
    "documents_sale_starts_at": gettext_noop("the start of the documents' sale"),
    "estimate_amount": gettext_noop("the estimated contract price"),
    "evaluation_completed_at": gettext_noop("the end of the evaluation"),
    "evaluation_objection_answered_at": gettext_noop("answering the objection to the result"),
    "evaluation_objection_raised_at": gettext_noop("raising an objection to the result"),
    "evaluation_report_received_at": gettext_noop("receiving the evaluation report"),
    "evaluation_report_sent_at": gettext_noop("sending the evaluation report"),
    "expert_experience_years": gettext_noop("the expert's years of experience"),
    "first_disclosure_at": gettext_noop("the first formal disclosure"),
    "final_instalment_paid_at": gettext_noop("paying the last instalment"),
    "first_instalment_amount": gettext_noop("the first instalment"),
    "first_instalment_paid_at": gettext_noop("paying the first instalment"),
    "goods_price_weight_percent": gettext_noop("the price weight for goods"),
    "invited_count": gettext_noop("the number of invited bidders"),
    "listing_ends_at": gettext_noop("the end of the listing"),
    "listing_price": gettext_noop("the listing price"),
    "listing_starts_at": gettext_noop("the start of the listing"),
    "performance_security_amount": gettext_noop("the performance security"),
    "pre_disclosure_ends_at": gettext_noop("the end of the pre-disclosure"),
    "pre_disclosure_starts_at": gettext_noop("the start of the pre-disclosure"),
    "prequalification_clarification_issued_at": gettext_noop(
        "issuing the prequalification clarification"
    ),
    "prequalification_deadline": gettext_noop("the prequalification deadline"),
    "prequalification_objection_raised_at": gettext_noop(
        "raising an objection to the prequalification documents"
    ),
    "prequalification_sale_ends_at": gettext_noop("the end of the prequalification sale"),
    "price_paid_at": gettext_noop("paying the price"),
    "procurement_completed_at": gettext_noop("the end of the procurement"),
    "procurement_started_at": gettext_noop("taking part in the procurement"),
    "publicity_ends_at": gettext_noop("the end of the publicity"),
    "publicity_starts_at": gettext_noop("the start of the publicity"),
    "qualified_buyer_found_at": gettext_noop("finding a qualified buyer"),
    "question_answer_due_at": gettext_noop("the end of the answer period"),
    "question_answered_at": gettext_noop("answering the question"),
    "question_filed_at": gettext_noop("raising the question"),
    "question_grounds_known_at": gettext_noop("knowing the grounds of the question"),
    "question_received_at": gettext_noop("receiving the question"),
    "records_disposed_at": gettext_noop("disposing of the records"),
    "relation_with_supplier_ended_at": gettext_noop("the end of the relation with the supplier"),
    "reserve_price": gettext_noop("the reserve price"),
    "response_deadline": gettext_noop("the response deadline"),
    "result_published_at": gettext_noop("publishing the result"),
    "result_publicity_ends_at": gettext_noop("the end of the result's publicity"),
    "resumed_at": gettext_noop("resuming the procurement"),
    "services_price_weight_percent": gettext_noop("the price weight for services"),
    "supplier_inquiry_answered_at": gettext_noop("answering the inquiry"),
    "supplier_inquiry_received_at": gettext_noop("receiving the inquiry"),
    "suspended_at": gettext_noop("suspending the procurement"),
    "tender_report_submitted_at": gettext_noop("submitting the tender report"),
    "transfer_approved_at": gettext_noop("the approval of the transfer"),
    "trading_ends_at": gettext_noop("the end of the trading"),
    "trading_starts_at": gettext_noop("the start of the trading"),
    "transaction_price": gettext_noop("the transaction price"),
    "unsuccessful_deposits_returned_at": gettext_noop("returning the unsuccessful deposits"),
    "unsuccessful_securities_returned_at": gettext_noop("returning the unsuccessful securities"),
    "winner_determined_at": gettext_noop("determining the winner"),
    "winner_security_returned_at": gettext_noop("returning the winner's security"),
    "withdrawn_bid_security_refunded_at": gettext_noop("refunding the withdrawn bid's security"),
}

FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def field_label(name: str) -> str:
    label = SCHEDULE_FIELD_LABELS.get(name)
    return _(label) if label else name.replace("_", " ")


# --- Reading schedule values -------------------------------------------------------------


def as_local_date(value: Any, field: str) -> date:
    """The calendar date of a datetime in Asia/Shanghai (naive datetimes are local)."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(SHANGHAI)
        return value.date()
    if isinstance(value, date):
        return value
    raise ScheduleValueError({field: _("Expected a date or a date and time.")})


def _as_number(value: Any, field: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ScheduleValueError({field: _("Expected a number.")})
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise ScheduleValueError({field: _("Expected a number.")})
    return number


def coerce_schedule(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Turn JSON values into what `check_schedule` reads: ISO date-times (``2026-03-01T09:00``,
    naive ones in Beijing time), ISO dates and numbers (as Decimal). Nulls are dropped.

    Raises ScheduleValueError naming every field that cannot be read.
    """
    schedule: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field, value in raw.items():
        if not isinstance(field, str) or not FIELD_NAME.match(field):
            errors[str(field)] = _("Not a schedule field name.")
            continue
        if value is None:
            continue
        if isinstance(value, datetime | date | Decimal) or (
            isinstance(value, int | float) and not isinstance(value, bool)
        ):
            schedule[field] = _as_number(value, field) if not isinstance(value, date) else value
            continue
        if isinstance(value, str):
            parsed = _parse_text(value.strip())
            if parsed is not None:
                schedule[field] = parsed
                continue
        errors[field] = _("Expected an ISO date, an ISO date and time, or a number.")
    if errors:
        raise ScheduleValueError(errors)
    return schedule


def _parse_text(text: str) -> datetime | date | Decimal | None:
    try:
        # A bare date first: parse_datetime would also read it, as midnight.
        parsed_date = parse_date(text)
        if parsed_date is not None:
            return parsed_date
        parsed_datetime = parse_datetime(text)
        if parsed_datetime is not None:
            return parsed_datetime
    except ValueError:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


# --- Formatting numbers in messages ------------------------------------------------------


def _number(value: Decimal | int) -> str:
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():,f}"


def _share(rule: RuleLike) -> str:
    if rule.unit == "percent":
        return f"{_number(rule.value / rule.value_denominator)}%"
    if rule.value_denominator != 1:
        return f"{_number(rule.value)}/{rule.value_denominator}"
    return _number(rule.value)


def _quantity(value: Decimal | int, unit: str) -> str:
    """A number with its unit: "20 days", "1 year", "5 working days", "2%", "3"."""
    value = Decimal(value)
    params = {"n": _number(value)}
    count = int(value) if value == value.to_integral_value() else 2  # fractions are plural
    if unit == "percent":
        return f"{params['n']}%"
    if unit == "yuan":
        return _("%(n)s yuan") % params
    if unit == CALENDAR_DAYS:
        return ngettext("%(n)s day", "%(n)s days", count) % params
    if unit == WORKING_DAYS:
        return ngettext("%(n)s working day", "%(n)s working days", count) % params
    if unit == MONTHS:
        return ngettext("%(n)s month", "%(n)s months", count) % params
    if unit == YEARS:
        return ngettext("%(n)s year", "%(n)s years", count) % params
    return params["n"]


def describe_value(rule: RuleLike) -> str:
    """The rule's number in words, for lists: "at least 20 days", "2%", "at least 5, odd"."""
    if rule.kind in ("max_ratio", "min_share"):
        text = _share(rule)
        text = (
            _("at most %(n)s") % {"n": text}
            if rule.kind == "max_ratio"
            else _("at least %(n)s") % {"n": text}
        )
    else:
        quantity = _quantity(rule.value / rule.value_denominator, rule.unit)
        if rule.kind == "committee_size":
            text = _("at least %(n)s, odd") % {"n": quantity}
        elif rule.kind in ("max_interval", "max_count"):
            text = (_("within %(n)s") if rule.kind == "max_interval" else _("at most %(n)s")) % {
                "n": quantity
            }
        elif rule.kind == "threshold":
            text = quantity
        else:
            text = _("at least %(n)s") % {"n": quantity}
    if rule.condition_field:
        text += " " + _("(when %(field)s ≥ %(value)s)") % {
            "field": field_label(rule.condition_field),
            "value": _number(rule.condition_min_value),
        }
    return text


# --- The checks --------------------------------------------------------------------------


def _present(schedule: Mapping[str, Any], *fields: str) -> bool:
    return all(schedule.get(field) is not None for field in fields)


def _applies(rule: RuleLike, schedule: Mapping[str, Any]) -> bool:
    if rule.condition_field:
        if not _present(schedule, rule.condition_field):
            return False
        condition = _as_number(schedule[rule.condition_field], rule.condition_field)
        if condition < rule.condition_min_value:
            return False
    fields = [rule.start_field] + ([rule.end_field] if rule.end_field else [])
    return _present(schedule, *fields)


def _condition_note(rule: RuleLike) -> str:
    if not rule.condition_field:
        return ""
    return " " + _("(This applies because %(field)s is at least %(value)s.)") % {
        "field": field_label(rule.condition_field),
        "value": _number(rule.condition_min_value),
    }


def _estimate_note(bound: PeriodEnd) -> str:
    if not bound.estimated:
        return ""
    return " " + _(
        "Estimated: the holiday arrangement for %(years)s is not entered, weekends only."
    ) % {"years": ", ".join(str(year) for year in bound.years_missing)}


def _elapsed(start: date, end: date, unit: str, calendar: HolidayCalendar) -> str:
    """How much of `unit` lies from `start` to `end`, for the message (months and years:
    the end date itself, which says more than a rounded count)."""
    if unit == CALENDAR_DAYS:
        return _number((end - start).days)
    if unit == WORKING_DAYS:
        return _number(working_days_between(start, end, calendar=calendar))
    if unit in (MONTHS, YEARS):
        return f"{end:%Y-%m-%d}"
    raise ValueError(f"{unit!r} is not a unit of time")


def _check_interval(rule: RuleLike, schedule, calendar: HolidayCalendar) -> Violation | None:
    start = as_local_date(schedule[rule.start_field], rule.start_field)
    end = as_local_date(schedule[rule.end_field], rule.end_field)
    if rule.value != rule.value.to_integral_value() or rule.value_denominator != 1:
        raise ValueError(f"{rule.code}: an interval is a whole number of {rule.unit}")
    n = int(rule.value)
    minimum = rule.kind == "min_interval"
    bound = period_end(start, n, rule.unit, calendar=calendar, extend=not minimum)
    if (end >= bound.day) if minimum else (end <= bound.day):
        return None
    params = {
        "start": field_label(rule.start_field),
        "end": field_label(rule.end_field),
        "n": _quantity(n, rule.unit),
        "given": _elapsed(start, end, rule.unit, calendar),
        "date": f"{bound.day:%Y-%m-%d}",
    }
    if minimum:
        message = (
            _(
                "From %(start)s to %(end)s must be at least %(n)s; this schedule gives %(given)s. "
                "The earliest allowed date is %(date)s."
            )
            % params
        )
    else:
        message = (
            _(
                "From %(start)s to %(end)s must be at most %(n)s; this schedule gives %(given)s. "
                "The latest allowed date is %(date)s."
            )
            % params
        )
        nominal = period_end(start, n, rule.unit, calendar=calendar, extend=False).day
        if nominal != bound.day:
            message += " " + _(
                "The period's last day, %(last)s, is not a working day, so the period runs "
                "to the next working day (民法典 第203条)."
            ) % {"last": f"{nominal:%Y-%m-%d}"}
    message += _condition_note(rule) + _estimate_note(bound)
    return _violation(rule, rule.end_field, message, estimated=bound.estimated)


def _check_ratio(rule: RuleLike, schedule, calendar: HolidayCalendar) -> Violation | None:
    amount = _as_number(schedule[rule.start_field], rule.start_field)
    reference = _as_number(schedule[rule.end_field], rule.end_field)
    scale = 100 if rule.unit == "percent" else 1
    # Compared as integers scaled by the denominator, so 2/3 is exact.
    scaled_amount = amount * rule.value_denominator * scale
    scaled_limit = rule.value * reference
    maximum = rule.kind == "max_ratio"
    if (scaled_amount <= scaled_limit) if maximum else (scaled_amount >= scaled_limit):
        return None
    limit = scaled_limit / (rule.value_denominator * scale)
    if amount == amount.to_integral_value() and reference == reference.to_integral_value():
        limit = Decimal(math.floor(limit) if maximum else math.ceil(limit))
    else:
        limit = limit.quantize(Decimal("0.01"))
    params = {
        "amount": field_label(rule.start_field),
        "reference": field_label(rule.end_field),
        "share": _share(rule),
        "limit": _number(limit),
        "given": _number(amount),
    }
    if maximum:
        template = _(
            "%(amount)s must be at most %(share)s of %(reference)s, that is %(limit)s; "
            "this schedule gives %(given)s."
        )
    else:
        template = _(
            "%(amount)s must be at least %(share)s of %(reference)s, that is %(limit)s; "
            "this schedule gives %(given)s."
        )
    message = _capitalise(template % params) + _condition_note(rule)
    return _violation(rule, rule.start_field, message)


def _check_value(rule: RuleLike, schedule, calendar: HolidayCalendar) -> Violation | None:
    given = _as_number(schedule[rule.start_field], rule.start_field)
    required = rule.value / rule.value_denominator
    params = {
        "field": field_label(rule.start_field),
        "n": _quantity(required, rule.unit),
        "given": _quantity(given, rule.unit),
    }
    if rule.kind == "max_count":
        if given <= required:
            return None
        template = _("%(field)s must be at most %(n)s; this schedule gives %(given)s.")
    elif rule.kind == "committee_size":
        if given >= required and given == given.to_integral_value() and int(given) % 2 == 1:
            return None
        template = _(
            "%(field)s must be an odd number of at least %(n)s; this schedule gives %(given)s."
        )
    else:
        if given >= required:
            return None
        template = _("%(field)s must be at least %(n)s; this schedule gives %(given)s.")
    message = _capitalise(template % params) + _condition_note(rule)
    return _violation(rule, rule.start_field, message)


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _violation(rule: RuleLike, field: str, message: str, *, estimated: bool = False) -> Violation:
    return Violation(
        rule=rule.code,
        field=field,
        message=message,
        source=rule.source,
        needs_confirmation=bool(rule.needs_confirmation),
        estimated=estimated,
    )


_CHECKS = {
    "min_interval": _check_interval,
    "max_interval": _check_interval,
    "max_ratio": _check_ratio,
    "min_share": _check_ratio,
    "min_count": _check_value,
    "min_value": _check_value,
    "max_count": _check_value,
    "committee_size": _check_value,
}
_NOT_CHECKED = {"threshold"}


def check_schedule(
    *, rules: Iterable[RuleLike], schedule: Mapping[str, Any], calendar: HolidayCalendar
) -> list[Violation]:
    """Every violation of `rules` by `schedule`, in the order of `rules`.

    Raises ScheduleValueError when a field a rule reads holds the wrong type of value
    (all such fields at once).
    """
    violations: list[Violation] = []
    errors: dict[str, str] = {}
    for rule in rules:
        if rule.kind in _NOT_CHECKED:
            continue
        check = _CHECKS.get(rule.kind)
        if check is None:
            raise ValueError(f"{rule.code}: unknown rule kind {rule.kind!r}")
        try:
            if not _applies(rule, schedule):
                continue
            violation = check(rule, schedule, calendar)
        except ScheduleValueError as exc:
            errors.update(exc.errors)
            continue
        if violation is not None:
            violations.append(violation)
    if errors:
        raise ScheduleValueError(errors)
    return violations


def years_estimated(
    *, rules: Iterable[RuleLike], schedule: Mapping[str, Any], calendar: HolidayCalendar
) -> tuple[int, ...]:
    """The years without a holiday arrangement that the schedule's time checks relied on.

    Non-empty means some result (violation or not) was computed on weekends alone: show a
    visible warning with it.
    """
    years: set[int] = set()
    for rule in rules:
        if rule.kind not in ("min_interval", "max_interval"):
            continue
        try:
            if not _applies(rule, schedule):
                continue
            start = as_local_date(schedule[rule.start_field], rule.start_field)
            end = as_local_date(schedule[rule.end_field], rule.end_field)
        except ScheduleValueError:
            continue
        minimum = rule.kind == "min_interval"
        bound = period_end(start, int(rule.value), rule.unit, calendar=calendar, extend=not minimum)
        years.update(bound.years_missing)
        if rule.unit == WORKING_DAYS:
            years.update(calendar.years_missing(start, end))
    return tuple(sorted(years))
