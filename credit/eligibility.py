"""May entity X take part in trading of category C in region R at time T — and if not, why?

This is the interface trading and auctions call before every bid, candidate and award.
The credit registry (issue 4) fills it from credit records and their measures; until those
exist, no record can restrict anyone and every entity is eligible.
"""

from dataclasses import dataclass, field
from datetime import datetime


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


def entity_eligibility(
    *, entity, category_code: str, region_code: str, at: datetime
) -> Eligibility:
    """The answer for one entity, category, region and instant."""
    return Eligibility(eligible=True)
