"""The avoidance filter (回避), pure: each rule by example, then the property over many random
pools — no avoided expert is ever drawn, whatever the pool, the parties and the declines."""

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from experts import avoidance, draw_plan
from experts.avoidance import (
    AvoidanceRules,
    Candidate,
    GroupRequest,
    Parties,
    Period,
    Reason,
    Relation,
    screen_pool,
)

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
WINDOW = Period(datetime(2026, 3, 4, 9, 0, tzinfo=TZ), datetime(2026, 3, 4, 17, 0, tzinfo=TZ))
TENDEREE, AGENT, BIDDER, OTHER = "91350600TENDEREE0", "91350600AGENT0000", "91350600BIDDER000", "X"
PARTIES = Parties(tenderee=TENDEREE, agent=AGENT, bidders=frozenset({BIDDER}))
RULES = AvoidanceRules(lookback_years=3, repeat_tenderee_limit=3)
HOME = frozenset({"350600", "350681"})


def expert(expert_id=1, **fields) -> Candidate:
    values = dict(
        expert_id=expert_id,
        status="active",
        specialty_codes=frozenset({"A0201"}),
        region_code="350600",
    )
    values.update(fields)
    return Candidate(**values)


def reasons(candidate, **kwargs):
    params = dict(parties=PARTIES, window=WINDOW, drawn_at=NOW, rules=RULES)
    params.update(kwargs)
    return {r.code for r in avoidance.avoidance_reasons(candidate, **params)}


def test_a_plain_active_expert_is_eligible():
    assert reasons(expert()) == set()


@pytest.mark.parametrize("status", ["candidate", "suspended", "retired", "blacklisted", "refused"])
def test_only_active_experts_are_drawn(status):
    assert reasons(expert(status=status)) == {Reason.NOT_ACTIVE}


@pytest.mark.parametrize("party", [TENDEREE, AGENT, BIDDER])
def test_staff_of_the_tenderee_the_agent_or_a_bidder_are_avoided(party):
    assert reasons(expert(employer_uscc=party)) == {Reason.EMPLOYED_BY_PARTY}


def test_an_employer_that_is_not_a_party_is_no_obstacle():
    assert reasons(expert(employer_uscc=OTHER)) == set()


def test_a_current_declared_relation_with_a_party_is_avoided():
    candidate = expert(relations=(Relation(BIDDER, "shareholding"),))
    assert reasons(candidate) == {Reason.RELATED_TO_PARTY}


def test_the_look_back_period_counts_from_the_evaluation_day():
    """采购条例 第9条: within the last three years. Ended exactly three years before the
    evaluation day: avoided; a day earlier: free."""
    on_the_day = expert(relations=(Relation(BIDDER, "employment", date(2023, 3, 4)),))
    day_before = expert(relations=(Relation(BIDDER, "employment", date(2023, 3, 3)),))
    assert reasons(on_the_day) == {Reason.RELATED_TO_PARTY}
    assert reasons(day_before) == set()
    assert reasons(day_before, rules=AvoidanceRules(lookback_years=5)) == {Reason.RELATED_TO_PARTY}


def test_unavailable_and_booked_periods_that_meet_the_window_are_avoided():
    meets = Period(WINDOW.starts_at - timedelta(hours=1), WINDOW.starts_at + timedelta(minutes=1))
    before = Period(WINDOW.starts_at - timedelta(hours=2), WINDOW.starts_at)  # half-open
    assert reasons(expert(unavailable=(meets,))) == {Reason.UNAVAILABLE}
    assert reasons(expert(booked=(meets,))) == {Reason.BOOKED}
    assert reasons(expert(unavailable=(before,), booked=(before,))) == set()


def test_a_blacklisted_expert_is_avoided_from_the_draw_to_the_end_of_the_evaluation():
    today_only = Period(NOW - timedelta(days=30), NOW + timedelta(hours=1))
    long_ago = Period(NOW - timedelta(days=400), NOW - timedelta(days=35))
    assert reasons(expert(blacklist=(today_only,))) == {Reason.BLACKLISTED}
    assert reasons(expert(blacklist=(long_ago,))) == set()


def test_experts_drawn_too_often_for_the_tenderee_are_avoided():
    assert reasons(expert(recent_draws_for_tenderee=3)) == {Reason.REPEAT_TENDEREE}
    assert reasons(expert(recent_draws_for_tenderee=2)) == set()
    assert (
        reasons(expert(recent_draws_for_tenderee=9), rules=AvoidanceRules(repeat_tenderee_limit=0))
        == set()
    )


def test_screening_lists_every_reason_and_only_the_sub_pool():
    pool = [
        expert(1),
        expert(2, employer_uscc=BIDDER, status="suspended"),
        expert(3, specialty_codes=frozenset({"C0104"})),  # not in the sub-pool
        expert(4, region_code="350200"),  # elsewhere: out of a local scope
        expert(5, specialty_codes=frozenset({"A0201", "C0104"})),
    ]
    screening = screen_pool(
        pool,
        groups=[GroupRequest("A02", 1), GroupRequest("C01", 1)],
        parties=PARTIES,
        window=WINDOW,
        drawn_at=NOW,
        scope=avoidance.Scope.LOCAL,
        home_regions=HOME,
        rules=RULES,
    )
    assert screening.eligible == ((1, 5), (3, 5))
    assert [e.expert_id for e in screening.exclusions] == [2]
    assert {r.code for r in screening.exclusions[0].reasons} == {
        Reason.NOT_ACTIVE,
        Reason.EMPLOYED_BY_PARTY,
    }


def test_the_region_scope_selects_local_or_remote_experts():
    pool = [expert(1, region_code="350681"), expert(2, region_code="350200")]

    def eligible(scope):
        return screen_pool(
            pool,
            groups=[GroupRequest("A", 1)],
            parties=PARTIES,
            window=WINDOW,
            drawn_at=NOW,
            scope=scope,
            home_regions=HOME,
            rules=RULES,
        ).eligible[0]

    assert eligible("local") == (1,)
    assert eligible("remote") == (2,)
    assert eligible("any") == (1, 2)


# --- The property: many random pools ---------------------------------------------------------

USCCS = [TENDEREE, AGENT, BIDDER, "B2", "B3", "E1", "E2", "E3"]
CODES = ["A0101", "A0201", "A0202", "C0104"]
STATUSES = ["active"] * 6 + ["candidate", "suspended", "retired", "blacklisted"]


def random_pool(rng: random.Random, size: int) -> list[Candidate]:
    """A random pool (built from hypothesis's seed: fast, so many pools are tried)."""

    def period():
        start = WINDOW.starts_at + timedelta(hours=rng.randint(-24 * 40, 24 * 5))
        return Period(start, start + timedelta(hours=rng.randint(1, 24 * 20)))

    def relation():
        ended = None if rng.random() < 0.4 else date(2018, 1, 1) + timedelta(rng.randint(0, 3300))
        return Relation(
            rng.choice(USCCS), rng.choice(["employment", "shareholding", "relative"]), ended
        )

    return [
        Candidate(
            expert_id=expert_id,
            status=rng.choice(STATUSES),
            specialty_codes=frozenset(rng.sample(CODES, rng.randint(1, 3))),
            region_code=rng.choice(["350600", "350681", "350200", "110000"]),
            employer_uscc=rng.choice(["", "", "", *USCCS]),
            relations=tuple(relation() for _ in range(rng.randint(0, 2))),
            unavailable=tuple(period() for _ in range(rng.randint(0, 2))),
            booked=tuple(period() for _ in range(rng.randint(0, 1))),
            blacklist=tuple(period() for _ in range(rng.random() < 0.15)),
            recent_draws_for_tenderee=rng.randint(0, 4),
        )
        for expert_id in rng.sample(range(1, 10_000), size)
    ]


def must_avoid(c: Candidate, parties: Parties, rules: AvoidanceRules) -> bool:
    """The law, restated independently of the implementation."""
    party_usccs = {parties.tenderee, parties.agent, *parties.bidders} - {""}
    since = date(
        WINDOW.starts_at.year - rules.lookback_years, WINDOW.starts_at.month, WINDOW.starts_at.day
    )
    exposure_start = min(NOW, WINDOW.starts_at)
    return (
        c.status != "active"
        or c.employer_uscc in party_usccs
        or any(
            r.entity_uscc in party_usccs and (r.ended_on is None or r.ended_on >= since)
            for r in c.relations
        )
        or any(p.starts_at < WINDOW.ends_at and WINDOW.starts_at < p.ends_at for p in c.unavailable)
        or any(p.starts_at < WINDOW.ends_at and WINDOW.starts_at < p.ends_at for p in c.booked)
        or any(p.starts_at < WINDOW.ends_at and exposure_start < p.ends_at for p in c.blacklist)
        or (
            rules.repeat_tenderee_limit > 0
            and c.recent_draws_for_tenderee >= rules.repeat_tenderee_limit
        )
    )


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pool_seed=st.integers(min_value=0, max_value=2**32),
    size=st.integers(min_value=0, max_value=80),
    bidders=st.frozensets(st.sampled_from(USCCS[2:]), max_size=4),
    agent=st.sampled_from(["", AGENT]),
    lookback=st.integers(0, 5),
    limit=st.integers(0, 4),
    scope=st.sampled_from(avoidance.Scope.ALL),
    wanted=st.lists(
        st.tuples(st.sampled_from(["A", "A01", "A02", "A0201", "C0104"]), st.integers(1, 4)),
        min_size=1,
        max_size=3,
        unique_by=lambda line: line[0],
    ),
    seed=st.binary(min_size=32, max_size=32),
    declines=st.lists(st.integers(0, 50), max_size=10),
)
def test_no_avoided_expert_is_ever_drawn(
    pool_seed, size, bidders, agent, lookback, limit, scope, wanted, seed, declines
):
    pool = random_pool(random.Random(pool_seed), size)
    parties = Parties(tenderee=TENDEREE, agent=agent, bidders=bidders)
    rules = AvoidanceRules(lookback_years=lookback, repeat_tenderee_limit=limit)
    screening = screen_pool(
        pool,
        groups=[GroupRequest(code, count) for code, count in wanted],
        parties=parties,
        window=WINDOW,
        drawn_at=NOW,
        scope=scope,
        home_regions=HOME,
        rules=rules,
    )
    avoided = {c.expert_id for c in pool if must_avoid(c, parties, rules)}
    eligible = set().union(*screening.eligible)
    # The filter agrees with the law: nobody avoided is eligible, and every sub-pool member
    # who is not eligible is listed with a reason.
    assert not eligible & avoided
    sub_pool = {
        c.expert_id
        for c in pool
        if avoidance.in_scope(c.region_code, scope, HOME)
        and any(avoidance.in_specialty(c, code) for code, _n in wanted)
    }
    assert screening.excluded_ids() == sub_pool & avoided
    assert eligible | screening.excluded_ids() == sub_pool
    assert all(exclusion.reasons for exclusion in screening.exclusions)

    # Draw from it, decline a few times: everyone ever invited was eligible.
    groups = [
        draw_plan.GroupSpec(code, count, 1, eligible_ids)
        for (code, count), eligible_ids in zip(wanted, screening.eligible, strict=True)
    ]
    sequence = draw_plan.DrawSequence(seed=seed, public_value=b"public", draw_id=1, groups=groups)
    sequence.start()
    for pick in declines:
        holders = [e for position in range(len(groups)) for e in sequence.holders(position)]
        if not holders:
            break
        sequence.vacate(holders[pick % len(holders)])
    invited = {invite.expert_id for invite in sequence.invited}
    assert not invited & avoided
    assert invited <= eligible
    for position, members in enumerate(sequence.members()):
        assert set(members) <= set(screening.eligible[position])
