"""Bid evaluation (评标): ranking the bids, checking a scoring scheme, picking the candidates.

Pure functions of plain values (no models, no database): the evaluation service loads the
bids, the criteria and the committee's score sheets, calls these, and stores the result.

Two methods:

- 经评审的最低投标价法 (lowest evaluated price, 招标投标法 第41条; 实施条例 第49条):
  `rank_lowest_evaluated_price`. The evaluated price is the offered price plus the
  committee's priced corrections (deviations priced in, arithmetic corrections, …).
- 综合评估法 / 综合评分法 (comprehensive scoring, 87号令 第55条): `rank_comprehensive`.
  The price score is computed here, never by the members; every other criterion scores
  the arithmetic mean of the members' scores.

Numbers. Money and scores are `Decimal` (floats are refused with a TypeError). Arithmetic
is exact: scores are computed as `fractions.Fraction` from the Decimal inputs, so a mean
of three members or a price ratio carries no hidden rounding. The only rounding is at the
end, ROUND_HALF_UP to 2 places, of each reported figure: a bid's total is its exact sum
rounded once, and each entry of its breakdown is its exact score rounded once. The
breakdown is therefore for reading, and its entries may add up to the total ± 0.01 per
criterion (10.333… + 5.333… + 30 = 45.666…: breakdown 10.33, 5.33, 30.00; total 45.67).

Ranking is on the rounded total, the figure published in the evaluation report: two bids
whose totals both read 85.33 are tied, and the tie-break (lower evaluated price, …) decides
visibly, rather than digits nobody sees.

Inputs that make a ranking meaningless raise `ScoringError` with every problem at once:
a member's score outside [0, weight], a missing score, a malformed criteria scheme.
"""

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from types import MappingProxyType
from typing import Literal, get_args

from django.utils.translation import gettext as _

from portal.errors import ApplicationError

CriterionKind = Literal["price", "technical", "business", "service"]
TradeCategory = Literal["engineering", "procurement"]
Subject = Literal["goods", "services", "works"]
PriceMethod = Literal["low_price_base"]

CRITERION_KINDS: tuple[str, ...] = get_args(CriterionKind)
TRADE_CATEGORIES: tuple[str, ...] = get_args(TradeCategory)
SUBJECTS: tuple[str, ...] = get_args(Subject)
PRICE_METHODS: tuple[str, ...] = get_args(PriceMethod)

#: The weights of a scheme add up to this many points (so a weight in points is a percent).
TOTAL_POINTS = Decimal(100)

#: 87号令 第55条: the price weight in comprehensive scoring is at least 30 % for goods and
#: 10 % for services. Defaults only: the catalog holds the numbers in force as data
#: (`procurement.goods_price_weight`, `procurement.services_price_weight`), and the caller
#: passes `rule.value` as `min_price_weight`.
STATUTORY_MIN_PRICE_WEIGHT: Mapping[str, Decimal] = MappingProxyType(
    {"goods": Decimal(30), "services": Decimal(10)}
)

#: 实施条例 第53条: at most 3 ranked candidates (catalog rule `engineering.max_candidates`).
MAX_CANDIDATES = 3

#: Outlier threshold: a member's total for a bid more than 30 % of the non-price points
#: away from the committee's mean for that bid.
OUTLIER_THRESHOLD = Decimal("0.3")

_CENT = Decimal("0.01")

#: Member scores: {member_id: {bid_id: {criterion_code: score}}}, non-price criteria only.
MemberScores = Mapping[int, Mapping[int, Mapping[str, Decimal]]]


class ScoringError(ApplicationError):
    """The bids, criteria or score sheets do not allow a ranking. `problems` lists each one
    (member, bid and criterion named); `code` is ``invalid_scores``, ``incomplete_scores``,
    ``invalid_criteria`` or ``invalid_bids``."""

    def __init__(self, problems: Sequence[str], *, code: str):
        self.problems = tuple(problems)
        if len(self.problems) == 1:
            message = self.problems[0]
        else:
            message = _("%(count)d problems: %(problems)s") % {
                "count": len(self.problems),
                "problems": " ".join(self.problems),
            }
        field = {"invalid_criteria": "criteria", "invalid_bids": "bids"}.get(code, "scores")
        super().__init__(message, code=code, fields={field: list(self.problems)})


# --- Values -------------------------------------------------------------------------------


def _as_decimal(value: object, what: str) -> Decimal:
    """A finite Decimal (an int is taken as exact); a float is refused, never converted."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{what} must be a Decimal, not {type(value).__name__}: {value!r}")
    value = Decimal(value)
    if not value.is_finite():
        raise ValueError(f"{what} must be a finite number, not {value}")
    return value


@dataclass(frozen=True)
class EvaluatedBid:
    """A bid as the committee leaves it after the initial review (初步评审).

    `price` is the offered price read at the opening (唱标价); `price_adjustments` the
    committee's priced corrections, positive or negative, giving the evaluated price.
    A bid rejected (否决投标, 实施条例 第51条) carries the reason the report must record.
    """

    bid_id: int
    price: Decimal
    received_at: datetime
    qualified: bool
    disqualification_reason: str = ""
    price_adjustments: Decimal = Decimal(0)

    def __post_init__(self):
        object.__setattr__(self, "price", _as_decimal(self.price, "price"))
        object.__setattr__(
            self, "price_adjustments", _as_decimal(self.price_adjustments, "price_adjustments")
        )
        if not self.qualified and not self.disqualification_reason.strip():
            raise ValueError(f"bid {self.bid_id} is disqualified without a reason")
        if self.qualified and self.disqualification_reason:
            raise ValueError(f"bid {self.bid_id} is qualified but carries a disqualification")

    @property
    def evaluated_price(self) -> Decimal:
        """评审价: the offered price plus the committee's corrections (exact)."""
        with localcontext() as context:
            context.prec = 60
            return self.price + self.price_adjustments


@dataclass(frozen=True)
class Criterion:
    """One line of the scoring scheme (评分标准): `weight` in points, all weights adding up
    to 100. Exactly one criterion has kind ``price``; the platform scores it."""

    code: str
    name: str
    kind: CriterionKind
    weight: Decimal

    def __post_init__(self):
        object.__setattr__(self, "weight", _as_decimal(self.weight, "weight"))
        if self.kind not in CRITERION_KINDS:
            raise ValueError(f"criterion kind must be one of {CRITERION_KINDS}, not {self.kind!r}")


@dataclass(frozen=True)
class RankedBid:
    """A bid in the evaluation result. Qualified bids carry a rank (1 is best); rejected
    bids come after them with `rank` and `total` None and their `reason`.

    `total` and `breakdown` (criterion code → score) are filled by the comprehensive
    method only; under the lowest evaluated price the evaluated price is the measure.
    """

    bid_id: int
    rank: int | None
    total: Decimal | None
    evaluated_price: Decimal
    breakdown: dict[str, Decimal]
    qualified: bool
    reason: str


@dataclass(frozen=True)
class Outlier:
    """A member whose total for a bid is out of line with the committee (for expert
    credit): `deviation` = `member_total` − `mean`, signed, in points (2 places)."""

    member_id: int
    bid_id: int
    member_total: Decimal
    mean: Decimal
    deviation: Decimal


def _round(value: Fraction) -> Decimal:
    """ROUND_HALF_UP to 2 places (halves away from zero), from the exact value."""
    hundredths = value * 100
    cents = math.floor(abs(hundredths) + Fraction(1, 2))
    if hundredths < 0:
        cents = -cents
    return (Decimal(cents) / 100).quantize(_CENT, rounding=ROUND_HALF_UP)


def _number(value: Decimal | Fraction) -> str:
    """A number as people write it: 30, 12.5 (never 3E+1)."""
    if isinstance(value, Fraction):
        value = _round(value)
    return format(value.normalize(), "f")


# --- The criteria scheme ------------------------------------------------------------------


def _scheme_problems(criteria: Sequence[Criterion]) -> list[str]:
    """What makes a scheme unusable for any trade: codes, weights, the one price criterion."""
    if not criteria:
        return [_("The scoring scheme has no criteria.")]
    problems = []
    seen: set[str] = set()
    for criterion in criteria:
        if not criterion.code:
            problems.append(_("Criterion “%(name)s” has no code.") % {"name": criterion.name})
        elif criterion.code in seen:
            problems.append(
                _("The criterion code %(code)s is used more than once.") % {"code": criterion.code}
            )
        seen.add(criterion.code)
        if criterion.weight <= 0:
            problems.append(
                _("Criterion %(code)s has a weight of %(weight)s; every weight must be positive.")
                % {"code": criterion.code, "weight": _number(criterion.weight)}
            )
    total = sum((criterion.weight for criterion in criteria), Decimal(0))
    if total != TOTAL_POINTS:
        problems.append(
            _("The weights add up to %(total)s; they must add up to exactly 100.")
            % {"total": _number(total)}
        )
    prices = [criterion.code for criterion in criteria if criterion.kind == "price"]
    if not prices:
        problems.append(_("There is no price criterion; exactly one is required."))
    elif len(prices) > 1:
        problems.append(
            _("There are %(count)d price criteria (%(codes)s); exactly one is required.")
            % {"count": len(prices), "codes": ", ".join(prices)}
        )
    return problems


def check_criteria(
    criteria: Iterable[Criterion],
    *,
    category: TradeCategory,
    subject: Subject | None = None,
    min_price_weight: Decimal | None = None,
) -> list[str]:
    """Every violation of the scoring scheme, as messages (empty: the scheme is fine).

    Weights add up to exactly 100 points; exactly one price criterion. For government
    procurement the price criterion carries at least `min_price_weight` percent of the
    points (87号令 第55条). Pass the catalog's number
    (``rule_by_code("procurement.goods_price_weight").value``); None takes the statutory
    default for the subject (`STATUTORY_MIN_PRICE_WEIGHT`: goods 30, services 10, none
    for works or an unknown subject). An explicit minimum applies to any category, e.g. a
    provincial rule for engineering; Decimal(0) switches the check off.
    """
    if category not in TRADE_CATEGORIES:
        raise ValueError(f"category must be one of {TRADE_CATEGORIES}, not {category!r}")
    if subject is not None and subject not in SUBJECTS:
        raise ValueError(f"subject must be one of {SUBJECTS} or None, not {subject!r}")
    criteria = tuple(criteria)
    violations = _scheme_problems(criteria)

    minimum = min_price_weight
    if minimum is None and category == "procurement" and subject is not None:
        minimum = STATUTORY_MIN_PRICE_WEIGHT.get(subject)
    if minimum is None:
        return violations
    minimum = _as_decimal(minimum, "min_price_weight")
    prices = [criterion for criterion in criteria if criterion.kind == "price"]
    total = sum((criterion.weight for criterion in criteria), Decimal(0))
    if len(prices) != 1 or total <= 0:
        return violations  # already reported: no single price weight to measure
    share = Fraction(prices[0].weight) * 100 / Fraction(total)  # percent of all the points
    if share < Fraction(minimum):
        values = {"minimum": _number(minimum), "share": _number(share)}
        if subject == "goods":
            message = _(
                "For goods the price criterion must carry at least %(minimum)s%% of the "
                "points (87号令 第55条); it carries %(share)s%%."
            )
        elif subject == "services":
            message = _(
                "For services the price criterion must carry at least %(minimum)s%% of the "
                "points (87号令 第55条); it carries %(share)s%%."
            )
        else:
            message = _(
                "The price criterion must carry at least %(minimum)s%% of the points; it "
                "carries %(share)s%%."
            )
        violations.append(message % values)
    return violations


# --- Bids ---------------------------------------------------------------------------------


def _checked_bids(bids: Iterable[EvaluatedBid]) -> tuple[EvaluatedBid, ...]:
    bids = tuple(bids)
    problems = []
    seen: set[int] = set()
    for bid in bids:
        if bid.bid_id in seen:
            problems.append(_("Bid %(bid)s is listed more than once.") % {"bid": bid.bid_id})
        seen.add(bid.bid_id)
        # Zero or less is a data error (an adjustment with the wrong sign, a price not read):
        # it cannot be compared, nor divide the low-price base.
        if bid.qualified and bid.evaluated_price <= 0:
            problems.append(
                _("Bid %(bid)s has an evaluated price of %(price)s; it must be positive.")
                % {"bid": bid.bid_id, "price": _number(bid.evaluated_price)}
            )
    if problems:
        raise ScoringError(problems, code="invalid_bids")
    return bids


def _unranked(bid: EvaluatedBid) -> RankedBid:
    return RankedBid(
        bid_id=bid.bid_id,
        rank=None,
        total=None,
        evaluated_price=bid.evaluated_price,
        breakdown={},
        qualified=False,
        reason=bid.disqualification_reason,
    )


def _rejected_in_order(bids: Iterable[EvaluatedBid]) -> list[RankedBid]:
    """Rejected bids after the ranked ones, in the order they were received."""
    rejected = sorted(
        (bid for bid in bids if not bid.qualified), key=lambda bid: (bid.received_at, bid.bid_id)
    )
    return [_unranked(bid) for bid in rejected]


def rank_lowest_evaluated_price(bids: Iterable[EvaluatedBid]) -> list[RankedBid]:
    """经评审的最低投标价法: qualified bids by evaluated price, lowest first.

    Ties: the lower offered price, then the earlier receipt, then the lower bid id, so the
    order never depends on the input order. Rejected bids follow, unranked, with reasons.
    """
    bids = _checked_bids(bids)
    qualified = sorted(
        (bid for bid in bids if bid.qualified),
        key=lambda bid: (bid.evaluated_price, bid.price, bid.received_at, bid.bid_id),
    )
    ranked = [
        RankedBid(
            bid_id=bid.bid_id,
            rank=position,
            total=None,
            evaluated_price=bid.evaluated_price,
            breakdown={},
            qualified=True,
            reason="",
        )
        for position, bid in enumerate(qualified, start=1)
    ]
    return ranked + _rejected_in_order(bids)


# --- Scores -------------------------------------------------------------------------------


def _low_price_base_scores(
    qualified: Sequence[EvaluatedBid], weight: Decimal
) -> dict[int, Fraction]:
    """87号令 第55条 低价优先法: price score = base price / evaluated price × price weight,
    the base being the lowest evaluated price among the qualified bids only."""
    if not qualified:
        return {}
    base = Fraction(min(bid.evaluated_price for bid in qualified))
    return {
        bid.bid_id: base / Fraction(bid.evaluated_price) * Fraction(weight) for bid in qualified
    }


def _validated_scores(
    member_scores: MemberScores,
    *,
    scored_bid_ids: Sequence[int],
    known_bid_ids: frozenset[int],
    ignored_bid_ids: frozenset[int],
    non_price: Sequence[Criterion],
    price_codes: frozenset[str],
) -> None:
    """Raise ScoringError listing every score out of [0, weight], every score that should
    not be there, and every score missing (each member × each scored bid × each non-price
    criterion). The committee is the members present in `member_scores`."""
    by_code = {criterion.code: criterion for criterion in non_price}
    invalid = []
    for member_id, by_bid in member_scores.items():
        for bid_id, scores in by_bid.items():
            if bid_id not in known_bid_ids:
                invalid.append(
                    _("Member %(member)s scored bid %(bid)s, which is not among the bids.")
                    % {"member": member_id, "bid": bid_id}
                )
                continue
            if bid_id in ignored_bid_ids:
                continue  # a rejected bid's sheet stays on record but does not count
            for code, score in scores.items():
                names = {"member": member_id, "bid": bid_id, "criterion": code}
                criterion = by_code.get(code)
                if criterion is None:
                    if code in price_codes:
                        message = _(
                            "Member %(member)s scored bid %(bid)s on the price criterion "
                            "%(criterion)s; the platform computes the price score."
                        )
                    else:
                        message = _(
                            "Member %(member)s scored bid %(bid)s on %(criterion)s, which is "
                            "not a criterion of this evaluation."
                        )
                    invalid.append(message % names)
                    continue
                score = _as_decimal(score, f"score of member {member_id}, bid {bid_id}, {code}")
                if not 0 <= score <= criterion.weight:
                    invalid.append(
                        _(
                            "Member %(member)s gave bid %(bid)s %(score)s points on "
                            "%(criterion)s (%(name)s); the score must lie between 0 and "
                            "%(weight)s."
                        )
                        % {
                            **names,
                            "name": criterion.name,
                            "score": _number(score),
                            "weight": _number(criterion.weight),
                        }
                    )
    missing = []
    if non_price and scored_bid_ids and not member_scores:
        missing.append(_("No member has scored the bids."))
    for member_id, by_bid in member_scores.items():
        for bid_id in scored_bid_ids:
            scores = by_bid.get(bid_id, {})
            absent = [criterion.code for criterion in non_price if criterion.code not in scores]
            if absent:
                missing.append(
                    _("Member %(member)s has not scored bid %(bid)s on %(criteria)s.")
                    % {"member": member_id, "bid": bid_id, "criteria": ", ".join(absent)}
                )
    if invalid:
        raise ScoringError(invalid + missing, code="invalid_scores")
    if missing:
        raise ScoringError(missing, code="incomplete_scores")


def _mean(values: Iterable[Decimal]) -> Fraction:
    values = [Fraction(value) for value in values]
    return sum(values, Fraction(0)) / len(values)


def rank_comprehensive(
    bids: Iterable[EvaluatedBid],
    criteria: Iterable[Criterion],
    member_scores: MemberScores,
    *,
    price_method: PriceMethod = "low_price_base",
) -> list[RankedBid]:
    """综合评估法 / 综合评分法: qualified bids by total score, highest first.

    Price score: the low-price base method of 87号令 第55条, over qualified bids only (a
    rejected bid's low price is no base). Every other criterion: the arithmetic mean of the
    members' scores. Every member must score every qualified bid on every non-price
    criterion, within [0, weight]; a rejected bid's scores are ignored.

    Ties on the rounded total: the lower evaluated price, then the earlier receipt, then
    the lower bid id. Rejected bids follow, unranked, with their reasons.
    """
    if price_method not in PRICE_METHODS:
        raise ValueError(f"price_method must be one of {PRICE_METHODS}, not {price_method!r}")
    bids = _checked_bids(bids)
    criteria = tuple(criteria)
    problems = _scheme_problems(criteria)
    if problems:
        raise ScoringError(problems, code="invalid_criteria")
    [price_criterion] = [criterion for criterion in criteria if criterion.kind == "price"]
    non_price = [criterion for criterion in criteria if criterion.kind != "price"]
    qualified = [bid for bid in bids if bid.qualified]
    _validated_scores(
        member_scores,
        scored_bid_ids=[bid.bid_id for bid in qualified],
        known_bid_ids=frozenset(bid.bid_id for bid in bids),
        ignored_bid_ids=frozenset(bid.bid_id for bid in bids if not bid.qualified),
        non_price=non_price,
        price_codes=frozenset({price_criterion.code}),
    )

    price_scores = _low_price_base_scores(qualified, price_criterion.weight)
    scored = []
    for bid in qualified:
        exact = {
            criterion.code: price_scores[bid.bid_id]
            if criterion is price_criterion
            else _mean(scores[bid.bid_id][criterion.code] for scores in member_scores.values())
            for criterion in criteria
        }
        total = _round(sum(exact.values(), Fraction(0)))
        breakdown = {code: _round(score) for code, score in exact.items()}
        scored.append((bid, total, breakdown))
    scored.sort(
        key=lambda row: (-row[1], row[0].evaluated_price, row[0].received_at, row[0].bid_id)
    )
    ranked = [
        RankedBid(
            bid_id=bid.bid_id,
            rank=position,
            total=total,
            evaluated_price=bid.evaluated_price,
            breakdown=breakdown,
            qualified=True,
            reason="",
        )
        for position, (bid, total, breakdown) in enumerate(scored, start=1)
    ]
    return ranked + _rejected_in_order(bids)


# --- After the ranking --------------------------------------------------------------------


def candidates(
    ranked: Iterable[RankedBid], *, max_candidates: int = MAX_CANDIDATES
) -> list[RankedBid]:
    """中标候选人: the ranked qualified bids in rank order, at most `max_candidates`
    (实施条例 第53条: at most 3; pass ``int(rule.value)`` of ``engineering.max_candidates``)."""
    if isinstance(max_candidates, bool) or not isinstance(max_candidates, int):
        raise TypeError(f"max_candidates must be an int, not {type(max_candidates).__name__}")
    if max_candidates < 1:
        raise ValueError(f"max_candidates must be at least 1, not {max_candidates}")
    in_rank = sorted((bid for bid in ranked if bid.rank is not None), key=lambda bid: bid.rank)
    return in_rank[:max_candidates]


def score_outliers(
    member_scores: MemberScores,
    criteria: Iterable[Criterion],
    *,
    threshold: Decimal = OUTLIER_THRESHOLD,
) -> list[Outlier]:
    """Members whose total for a bid lies more than `threshold` × the non-price points from
    the committee's mean for that bid (the member included), for expert credit (评分畸高
    畸低). Strictly more: at exactly the threshold nobody is flagged.

    Every bid anyone scored must be scored completely by every member (ScoringError
    otherwise); pass the qualified bids' sheets only. Ordered by bid id, then member id.
    """
    threshold = _as_decimal(threshold, "threshold")
    if threshold < 0:
        raise ValueError(f"threshold must not be negative, not {threshold}")
    criteria = tuple(criteria)
    non_price = [criterion for criterion in criteria if criterion.kind != "price"]
    price_codes = frozenset(criterion.code for criterion in criteria if criterion.kind == "price")
    bid_ids = sorted({bid_id for by_bid in member_scores.values() for bid_id in by_bid})
    _validated_scores(
        member_scores,
        scored_bid_ids=bid_ids,
        known_bid_ids=frozenset(bid_ids),
        ignored_bid_ids=frozenset(),
        non_price=non_price,
        price_codes=price_codes,
    )
    points = sum((Fraction(criterion.weight) for criterion in non_price), Fraction(0))
    allowed = Fraction(threshold) * points
    outliers = []
    for bid_id in bid_ids:
        totals = {
            member_id: sum(
                (Fraction(by_bid[bid_id][criterion.code]) for criterion in non_price),
                Fraction(0),
            )
            for member_id, by_bid in member_scores.items()
        }
        mean = sum(totals.values(), Fraction(0)) / len(totals)
        for member_id in sorted(totals):
            deviation = totals[member_id] - mean
            if abs(deviation) > allowed:
                outliers.append(
                    Outlier(
                        member_id=member_id,
                        bid_id=bid_id,
                        member_total=_round(totals[member_id]),
                        mean=_round(mean),
                        deviation=_round(deviation),
                    )
                )
    return outliers


def all_but_one_disqualified(bids: Iterable[EvaluatedBid]) -> bool:
    """Two or more bids and exactly one left qualified: a red flag for supervision."""
    bids = tuple(bids)
    return len(bids) >= 2 and sum(bid.qualified for bid in bids) == 1


def lowest_bid_disqualified(bids: Iterable[EvaluatedBid]) -> bool:
    """A bid at the lowest offered price (as read at the opening, before the committee's
    corrections) was rejected: a red flag for supervision."""
    bids = tuple(bids)
    if not bids:
        return False
    lowest = min(bid.price for bid in bids)
    return any(not bid.qualified for bid in bids if bid.price == lowest)
