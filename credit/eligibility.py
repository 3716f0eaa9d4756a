"""May entity X take part in trading of category C in region R at time T — and if not, why?

This is the interface trading and auctions call before every bid, candidate and award. It
reads the measures in force (market bans, the negative list, restrictions) with one indexed
query and names, for each refusal, the record (its decision number) and the measure.

`security_adjustment` answers the companion question: by how much the bid security of the
entity changes (a higher security for the dishonest, a reduced one on the red list).
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from credit.rules import OPEN_END, combine_security_changes
from credit.selectors import ApplicableMeasure, refusing_measures, security_measures


@dataclass(frozen=True)
class Refusal:
    """Why an entity may not trade: the record and the measure, for the refused action."""

    record: str
    measure: str
    message: str


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reasons: list[Refusal] = field(default_factory=list)


@dataclass(frozen=True)
class SecurityAdjustment:
    """The change to a lot's bid security for one entity, in percent (+50: half as much
    again, -50: half). Trading applies it and caps the result at the legal maximum
    (招标投标法实施条例 第26条: at most 2 % of the estimate)."""

    percent: Decimal
    reasons: list[Refusal] = field(default_factory=list)


def _until(valid_to: datetime) -> str:
    if valid_to >= OPEN_END:
        return _("with no end date")
    return _("until %(end)s") % {"end": timezone.localtime(valid_to).strftime("%Y-%m-%d %H:%M:%S")}


def refusal(measure: ApplicableMeasure) -> Refusal:
    """The record (its decision number) and the measure, in a sentence for the refused."""
    where = ", ".join(
        [measure.category_name or _("every category"), measure.region_name or _("every region")]
    )
    message = _("%(measure)s (%(where)s) %(until)s: decision %(decision)s of %(authority)s.") % {
        "measure": measure.measure_name,
        "where": where,
        "until": _until(measure.valid_to),
        "decision": measure.decision_no,
        "authority": measure.authority,
    }
    return Refusal(record=measure.decision_no, measure=measure.measure_name, message=message)


def entity_eligibility(
    *, entity, category_code: str, region_code: str, at: datetime
) -> Eligibility:
    """The answer for one entity, category, region and instant: one query, no cache."""
    measures = refusing_measures(
        uscc=entity.uscc, category_code=category_code, region_code=region_code, at=at
    )
    return Eligibility(eligible=not measures, reasons=[refusal(m) for m in measures])


def security_adjustment(
    *, entity, category_code: str, region_code: str, at: datetime
) -> SecurityAdjustment:
    """How the entity's bid security changes in this category and region at `at`: a higher
    security outweighs a reduction (`credit.rules.combine_security_changes`)."""
    measures = security_measures(
        uscc=entity.uscc, category_code=category_code, region_code=region_code, at=at
    )
    change = combine_security_changes([m.security_percent for m in measures])
    return SecurityAdjustment(
        percent=change.percent, reasons=[refusal(measures[i]) for i in change.applied]
    )
