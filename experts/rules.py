"""Pure rules of the pool: who qualifies, how a profile's status may move, the credit score.

No I/O: the numbers come in as arguments (from the catalog and `experts.PoolRule`).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

#: Titles that qualify by themselves: 高级职称 (正高级, 副高级). Others qualify only with the
#: maintainer's recognition of an equivalent professional level (同等专业水平).
SENIOR_TITLES = frozenset({"senior", "associate_senior"})


def years_between(start: date, on: date) -> int:
    """Whole years from `start` to `on`."""
    years = on.year - start.year
    if (on.month, on.day) < (start.month, start.day):
        years -= 1
    return max(years, 0)


def check_qualification(
    *,
    career_started_on: date,
    title: str,
    title_equivalent: bool,
    on: date,
    min_experience_years: int,
) -> list[str]:
    """Why an applicant does not qualify (empty: qualifies). 评标专家应当从事相关专业领域工作
    满8年并具有高级职称或者同等专业水平 (the number is the catalog rule
    `experts.min_experience_years`)."""
    problems = []
    years = years_between(career_started_on, on)
    if years < min_experience_years:
        problems.append(
            _("%(years)d years of relevant experience; at least %(minimum)d are required.")
            % {"years": years, "minimum": min_experience_years}
        )
    if title not in SENIOR_TITLES and not title_equivalent:
        problems.append(
            _(
                "A senior professional title, or a recognised equivalent professional level, "
                "is required."
            )
        )
    return problems


# --- The profile's status: the one table of allowed moves ---------------------------------

#: event → (states it may leave, state it reaches)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "admit": (frozenset({"candidate"}), "active"),
    "refuse": (frozenset({"candidate"}), "refused"),
    "reapply": (frozenset({"refused"}), "candidate"),
    "suspend": (frozenset({"active"}), "suspended"),
    "reinstate": (frozenset({"suspended"}), "active"),
    "retire": (frozenset({"active", "suspended"}), "retired"),
    "blacklist": (frozenset({"active", "suspended"}), "blacklisted"),
    "lift_blacklist": (frozenset({"blacklisted"}), "active"),
}


def next_status(current: str, event: str) -> str | None:
    """The status `event` leads to from `current`, or None if the move is not allowed."""
    sources, target = TRANSITIONS[event]
    return target if current in sources else None


# --- Expert credit (F5) ---------------------------------------------------------------------


@dataclass(frozen=True)
class ConductFact:
    kind: str
    points: int
    serious: bool
    recorded_at: datetime


@dataclass(frozen=True)
class CreditRules:
    base: int = 100
    window_days: int = 730
    blacklist_below: int = 60


def credit_score(facts: Iterable[ConductFact], *, now: datetime, rules: CreditRules) -> int:
    """The base score less the points of the conduct recorded within the window, never
    below zero."""
    since = now - timedelta(days=rules.window_days)
    lost = sum(fact.points for fact in facts if since <= fact.recorded_at <= now)
    return max(rules.base - lost, 0)


def must_blacklist(*, score: int, latest: ConductFact, rules: CreditRules) -> bool:
    """Serious cases put the expert on the blacklist at once; so does a score fallen below
    the threshold."""
    return latest.serious or score < rules.blacklist_below


def points_for(kind: str, pool_rules: Mapping[str, Decimal]) -> int:
    return int(pool_rules.get(f"conduct.{kind}.points", 0))
