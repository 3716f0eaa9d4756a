"""The avoidance filter (回避): who may be drawn for a project, and why the others may not.

Pure: plain values in, the eligible set per specialty group and the exclusions with their
reasons out. The services load the values from the database; the property tests feed it
random pools. Sources: 招标投标法 第37条, 实施条例 第46条 (staff of the tenderee's or a bidder's
unit, interest in the outcome, sanctioned experts), 评标委员会和评标方法暂行规定 第12条,
采购条例 第9条 (employment or interest with a supplier within the last 3 years); the numbers
are data (`experts.PoolRule`), not constants here.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple


class Scope:
    """Region scope of a draw (F3, F4): the project's own area, other areas, or the whole pool."""

    LOCAL = "local"  # experts of the project's city (本地)
    REMOTE = "remote"  # experts from elsewhere: off-site evaluation (远程异地)
    ANY = "any"

    ALL = (LOCAL, REMOTE, ANY)


class Reason:
    """Why an expert of the sub-pool is not eligible. One expert may have several."""

    NOT_ACTIVE = "not_active"  # candidate, suspended, retired, blacklisted, refused
    BLACKLISTED = "blacklisted"  # an active blacklist period (F5)
    EMPLOYED_BY_PARTY = "employed_by_party"  # works for the tenderee, the agent or a bidder
    RELATED_TO_PARTY = "related_to_party"  # a declared relation, current or within look-back
    UNAVAILABLE = "unavailable"  # leave or a declared unavailable period overlaps
    BOOKED = "booked"  # holds an invitation of another draw that overlaps
    REPEAT_TENDEREE = "repeat_tenderee"  # drawn for this tenderee too often lately

    ALL = (
        NOT_ACTIVE,
        BLACKLISTED,
        EMPLOYED_BY_PARTY,
        RELATED_TO_PARTY,
        UNAVAILABLE,
        BOOKED,
        REPEAT_TENDEREE,
    )


ACTIVE = "active"


class Period(NamedTuple):
    """A half-open time range [starts_at, ends_at)."""

    starts_at: datetime
    ends_at: datetime

    def overlaps(self, other: "Period") -> bool:
        return self.starts_at < other.ends_at and other.starts_at < self.ends_at


class Relation(NamedTuple):
    """A declared relation of the expert with an entity (by its unified social credit code):
    former employment, shareholding, a close relative working there, another interest."""

    entity_uscc: str
    kind: str
    ended_on: date | None = None  # None: the relation is current


class Candidate(NamedTuple):
    """An expert of the pool as the filter sees it (a named tuple: a sub-pool has tens of
    thousands of them, and tuples are cheap to build)."""

    expert_id: int
    status: str
    specialty_codes: frozenset[str]
    region_code: str
    employer_uscc: str = ""
    relations: tuple[Relation, ...] = ()
    unavailable: tuple[Period, ...] = ()
    booked: tuple[Period, ...] = ()
    blacklist: tuple[Period, ...] = ()
    recent_draws_for_tenderee: int = 0


@dataclass(frozen=True)
class Parties:
    """The project's parties by unified social credit code: whoever the experts must avoid."""

    tenderee: str
    agent: str = ""
    bidders: frozenset[str] = frozenset()

    def roles_of(self, uscc: str) -> list[str]:
        roles = []
        if uscc and uscc == self.tenderee:
            roles.append("tenderee")
        if uscc and uscc == self.agent:
            roles.append("agent")
        if uscc in self.bidders:
            roles.append("bidder")
        return roles


@dataclass(frozen=True)
class AvoidanceRules:
    """The numbers of the rules, from `experts.PoolRule` (and the catalog where it has one)."""

    lookback_years: int = 3
    repeat_tenderee_limit: int = 0  # 0: no limit


@dataclass(frozen=True)
class GroupRequest:
    code: str  # a specialty code; an expert matches it or any code below it
    count: int


@dataclass(frozen=True)
class ExclusionReason:
    code: str
    detail: str = ""


@dataclass(frozen=True)
class Exclusion:
    expert_id: int
    reasons: tuple[ExclusionReason, ...]


@dataclass(frozen=True)
class Screening:
    eligible: tuple[tuple[int, ...], ...]  # per group, sorted ascending
    exclusions: tuple[Exclusion, ...] = field(default=())  # sorted by expert id

    def excluded_ids(self) -> frozenset[int]:
        return frozenset(exclusion.expert_id for exclusion in self.exclusions)


def in_specialty(candidate: Candidate, code: str) -> bool:
    """Codes are hierarchical: A0101 lies under A01, which lies under A."""
    return any(own.startswith(code) for own in candidate.specialty_codes)


def in_scope(region_code: str, scope: str, home_regions: frozenset[str]) -> bool:
    if scope == Scope.LOCAL:
        return region_code in home_regions
    if scope == Scope.REMOTE:
        return region_code not in home_regions
    if scope == Scope.ANY:
        return True
    raise ValueError(f"unknown region scope {scope!r}")


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def avoidance_reasons(
    candidate: Candidate,
    *,
    parties: Parties,
    window: Period,
    drawn_at: datetime,
    rules: AvoidanceRules,
) -> list[ExclusionReason]:
    """Every reason the candidate may not sit for this project at this time (empty: none)."""
    return _Screen(parties=parties, window=window, drawn_at=drawn_at, rules=rules).reasons(
        candidate
    )


class _Screen:
    """The avoidance rules bound to one request, with what every candidate shares computed
    once (the parties' codes, the look-back date, the blacklist exposure)."""

    def __init__(
        self, *, parties: Parties, window: Period, drawn_at: datetime, rules: AvoidanceRules
    ):
        self.parties = parties
        self.party_usccs = frozenset({parties.tenderee, parties.agent, *parties.bidders} - {""})
        self.window = window
        self.since = years_before(window.starts_at.date(), rules.lookback_years)
        # Blacklisted at the draw or at any time up to the end of the evaluation.
        self.exposure = Period(min(drawn_at, window.starts_at), window.ends_at)
        self.repeat_limit = rules.repeat_tenderee_limit
        # Reasons are values: thousands of exclusions share a few of them (one per status,
        # one per party and role), so each is built once per request.
        self._shared: dict[tuple[str, str], ExclusionReason] = {}
        # Every code `parties.roles_of` can name a role for (a superset of `party_usccs`: a
        # bidder's code is a bidder's even when empty), to skip the call for all others.
        self._with_role = frozenset({parties.tenderee, parties.agent, *parties.bidders})

    def _reason(self, code: str, detail: str = "") -> ExclusionReason:
        reason = self._shared.get((code, detail))
        if reason is None:
            reason = self._shared[code, detail] = ExclusionReason(code, detail)
        return reason

    def reasons(self, candidate: Candidate) -> list[ExclusionReason]:
        # The common case first: an active expert with nothing on record that could matter.
        # `experts.selectors.split_sub_pool` relies on this: the experts it sets aside as
        # clear are exactly those who pass this test. A new rule reading a new fact must be
        # flagged there too (and generated by tests/experts/test_screening.py's pools).
        if (
            candidate.status == ACTIVE
            and not candidate.relations
            and not candidate.unavailable
            and not candidate.booked
            and not candidate.blacklist
            and candidate.employer_uscc not in self.party_usccs
            and not (0 < self.repeat_limit <= candidate.recent_draws_for_tenderee)
        ):
            return []
        reasons: list[ExclusionReason] = []
        reason = self._reason
        if candidate.status != ACTIVE:
            reasons.append(reason(Reason.NOT_ACTIVE, candidate.status))
        exposure = self.exposure
        for period in candidate.blacklist:
            if period.starts_at < exposure.ends_at and exposure.starts_at < period.ends_at:
                reasons.append(reason(Reason.BLACKLISTED))
                break
        if candidate.employer_uscc in self._with_role:
            for role in self.parties.roles_of(candidate.employer_uscc):
                reasons.append(
                    reason(Reason.EMPLOYED_BY_PARTY, f"{role}:{candidate.employer_uscc}")
                )
        for relation in candidate.relations:
            if relation.ended_on is not None and relation.ended_on < self.since:
                continue
            if relation.entity_uscc not in self._with_role:
                continue
            for role in self.parties.roles_of(relation.entity_uscc):
                related = reason(
                    Reason.RELATED_TO_PARTY, f"{relation.kind}:{role}:{relation.entity_uscc}"
                )
                if related not in reasons:  # two relations may give the same reason: once
                    reasons.append(related)
        window = self.window
        for period in candidate.unavailable:
            if period.starts_at < window.ends_at and window.starts_at < period.ends_at:
                reasons.append(reason(Reason.UNAVAILABLE))
                break
        for period in candidate.booked:
            if period.starts_at < window.ends_at and window.starts_at < period.ends_at:
                reasons.append(reason(Reason.BOOKED))
                break
        if 0 < self.repeat_limit <= candidate.recent_draws_for_tenderee:
            reasons.append(reason(Reason.REPEAT_TENDEREE, str(candidate.recent_draws_for_tenderee)))
        return reasons


def screen_pool(
    candidates: Iterable[Candidate],
    *,
    groups: Sequence[GroupRequest],
    parties: Parties,
    window: Period,
    drawn_at: datetime,
    scope: str,
    home_regions: frozenset[str],
    rules: AvoidanceRules,
) -> Screening:
    """The eligible experts of each group and the exclusions, with reasons, among the
    sub-pool (the experts of a requested specialty within the region scope). Experts outside
    the sub-pool are neither eligible nor listed."""
    eligible: list[list[int]] = [[] for _ in groups]
    exclusions: list[Exclusion] = []
    seen: set[int] = set()
    screen = _Screen(parties=parties, window=window, drawn_at=drawn_at, rules=rules)
    codes = [(position, group.code) for position, group in enumerate(groups)]
    everywhere = scope == Scope.ANY
    if not everywhere:
        in_scope("", scope, home_regions)  # refuses an unknown scope before the loop
    for candidate in candidates:
        if candidate.expert_id in seen:
            raise ValueError(f"expert {candidate.expert_id} appears twice in the pool")
        seen.add(candidate.expert_id)
        if not everywhere and (candidate.region_code in home_regions) != (scope == Scope.LOCAL):
            continue
        memberships = []
        for position, code in codes:
            for own in candidate.specialty_codes:
                if own.startswith(code):  # A0101 lies under A01, which lies under A
                    memberships.append(position)
                    break
        if not memberships:
            continue
        reasons = screen.reasons(candidate)
        if reasons:
            exclusions.append(Exclusion(candidate.expert_id, tuple(reasons)))
            continue
        for position in memberships:
            eligible[position].append(candidate.expert_id)
    return Screening(
        eligible=tuple(tuple(sorted(ids)) for ids in eligible),
        exclusions=tuple(sorted(exclusions, key=lambda exclusion: exclusion.expert_id)),
    )
