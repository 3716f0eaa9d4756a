"""The credit score and grade of an entity: a documented formula the entity can follow.

The formula (version 1):

1. Start from **90** points.
2. Each record that counts at the moment adds its points from `POINTS` (kind × severity):

   ======================  =======  =======  =======  ======
   kind                    general  serious  severe   good
   ======================  =======  =======  =======  ======
   administrative penalty  −5       −10      −20
   platform misconduct     −3       −8       −15
   court judgment          −5       −10      −20
   performance record      −3       −6       −10      +1
   honour / reward                                    +3
   ======================  =======  =======  =======  ======

3. A record counts from its `valid_from` to its `valid_to` (the last second); a record
   without an end counts for `COUNTED_YEARS` (3) years — the longest publicity period of
   administrative penalty information. Records not yet valid or past that do not count,
   and say so.
4. Good conduct adds at most `REWARD_CAP` (+10) points in all.
5. The score is kept between 0 and 100.
6. The grade: **A** 守信 (90 and above), **B** 基本守信 (75–89), **C** 关注 (60–74),
   **D** 失信 (below 60). An entity under a market ban or on the negative list now (a
   measure of a type on the public list) is **D** whatever its score, and the explanation
   names that measure.

Everything the entity sees on its credit page comes from `explain_score`: each record with
its points and why it counts or not.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from credit.rules import add_months, whole_second

FORMULA_VERSION = 1
BASE = 90
REWARD_CAP = 10
COUNTED_YEARS = 3
MIN_SCORE, MAX_SCORE = 0, 100

POINTS: dict[tuple[str, str], int] = {
    ("administrative_penalty", "general"): -5,
    ("administrative_penalty", "serious"): -10,
    ("administrative_penalty", "severe"): -20,
    ("platform_misconduct", "general"): -3,
    ("platform_misconduct", "serious"): -8,
    ("platform_misconduct", "severe"): -15,
    ("court_judgment", "general"): -5,
    ("court_judgment", "serious"): -10,
    ("court_judgment", "severe"): -20,
    ("performance", "none"): 1,
    ("performance", "general"): -3,
    ("performance", "serious"): -6,
    ("performance", "severe"): -10,
    ("honour", "none"): 3,
}

GRADES = (
    (90, "A", gettext_lazy("trustworthy")),
    (75, "B", gettext_lazy("broadly trustworthy")),
    (60, "C", gettext_lazy("under watch")),
    (MIN_SCORE, "D", gettext_lazy("untrustworthy")),
)


@dataclass(frozen=True)
class RecordFacts:
    """What the formula reads of a record (plain values, so the formula is pure)."""

    key: int
    kind: str
    severity: str
    decision_no: str
    valid_from: datetime
    valid_to: datetime | None


@dataclass(frozen=True)
class Contribution:
    facts: RecordFacts
    points: int  # what the record would add while it counts
    counted: bool
    counts_until: datetime  # the last second it counts
    why: str


@dataclass(frozen=True)
class ScoreExplanation:
    base: int
    contributions: list[Contribution]
    penalty_total: int
    reward_total: int
    reward_capped: bool
    score: int
    grade: str
    grade_label: str
    refusing_measures: list[str] = field(default_factory=list)
    version: int = FORMULA_VERSION


def counts_until(facts: RecordFacts) -> datetime:
    if facts.valid_to is not None:
        return whole_second(facts.valid_to)
    return add_months(whole_second(facts.valid_from), 12 * COUNTED_YEARS) - timedelta(seconds=1)


def contribution(facts: RecordFacts, at: datetime) -> Contribution:
    points = POINTS.get((facts.kind, facts.severity), 0)
    until = counts_until(facts)
    moment = whole_second(at)
    if moment < whole_second(facts.valid_from):
        return Contribution(facts, points, False, until, _("Not valid yet."))
    if moment > until:
        if facts.valid_to is None:
            why = _("No end date: counted for %(years)d years, now past.") % {
                "years": COUNTED_YEARS
            }
        else:
            why = _("Its validity has ended.")
        return Contribution(facts, points, False, until, why)
    if facts.valid_to is None:
        why = _("No end date: counts for %(years)d years from its start.") % {
            "years": COUNTED_YEARS
        }
    else:
        why = _("Counts while it is valid.")
    return Contribution(facts, points, True, until, why)


def grade_for(score: int) -> tuple[str, str]:
    for floor, grade, label in GRADES:
        if score >= floor:
            return grade, str(label)
    return GRADES[-1][1], str(GRADES[-1][2])  # pragma: no cover - MIN_SCORE is the floor


def explain_score(
    records: list[RecordFacts], *, at: datetime, refusing_measures: list[str] | None = None
) -> ScoreExplanation:
    """The score, the grade and each record's part in them at the instant `at`.

    `refusing_measures` names the market bans and negative-list entries in force now: any of
    them makes the grade D.
    """
    contributions = [contribution(facts, at) for facts in records]
    counted = [c for c in contributions if c.counted]
    penalty_total = sum(c.points for c in counted if c.points < 0)
    reward_raw = sum(c.points for c in counted if c.points > 0)
    reward_total = min(reward_raw, REWARD_CAP)
    score = max(MIN_SCORE, min(MAX_SCORE, BASE + penalty_total + reward_total))
    grade, label = grade_for(score)
    refusing = list(refusing_measures or [])
    if refusing:
        grade, label = "D", str(GRADES[-1][2])
    return ScoreExplanation(
        base=BASE,
        contributions=contributions,
        penalty_total=penalty_total,
        reward_total=reward_total,
        reward_capped=reward_raw > REWARD_CAP,
        score=score,
        grade=grade,
        grade_label=label,
        refusing_measures=refusing,
    )
