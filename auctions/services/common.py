"""What every auction service shares: the refusal shape, eligibility, rules as data."""

from datetime import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from auctions.models import Listing
from catalog.selectors import holiday_calendar, rule_by_code
from catalog.working_days import period_end
from credit.eligibility import entity_eligibility
from portal.errors import ApplicationError, refuse


def check_eligible(listing: Listing, entity, *, at: datetime, status_code: int = 403) -> None:
    """The credit registry's answer for this entity, category and region at this instant: a
    refusal names each record (its decision number) and measure."""
    eligibility = entity_eligibility(
        entity=entity,
        category_code=listing.category.code,
        region_code=listing.region.code,
        at=at,
    )
    if not eligibility.eligible:
        messages = [reason.message for reason in eligibility.reasons]
        raise ApplicationError(
            "; ".join(messages),
            code="not_eligible",
            fields={"credit": messages},
            status_code=status_code,
        )


def deposit_refund_due(listing: Listing, *, ended_at: datetime):
    """The last day to refund the unsuccessful bidders' deposits, from the category's rule
    (`land.deposit_refund`, `mining.deposit_refund`, `equity.deposit_refund`), or None."""
    rule = rule_by_code(f"{listing.category.code}.deposit_refund")
    if rule is None:
        return None
    start = timezone.localtime(ended_at).date()
    return period_end(start, int(rule.value), rule.unit, calendar=holiday_calendar()).day


def rule_percent(code: str, default: str) -> tuple:
    """(percent, source) of a share rule read by code (e.g. equity.reserve_below_appraisal)."""
    rule = rule_by_code(code)
    if rule is None:
        return Decimal(default), ""
    return rule.value / rule.value_denominator, rule.source


def listing_not_found() -> ApplicationError:
    return refuse(_("No such listing."), "not_found", status=404)
