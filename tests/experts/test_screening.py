"""The draw's screening as the database runs it (`selectors.screen_sub_pool`) against the
pure avoidance filter (`avoidance.screen_pool` over `selectors.screening_candidates`, read
from the source tables), on random pools written to PostgreSQL; and the screening copy of
the pool (`PoolEntry`) following every change of an expert at once.
"""

import random
from datetime import date, datetime, timedelta
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from experts import avoidance, selectors, services
from experts.models import (
    BlacklistEntry,
    DrawGroup,
    DrawInvitation,
    ExpertDraw,
    ExpertProfile,
    ExpertRelation,
    ExpertSpecialty,
    PoolEntry,
    Specialty,
    Unavailability,
)
from portal.accounts.models import Role, User
from portal.centres.models import Region
from tests import factories
from tests.experts.conftest import EVALUATION, NOW, id_number_for

WINDOW = avoidance.Period(EVALUATION, EVALUATION + timedelta(hours=8))
CODES = ["A0101", "A0201", "A0202", "C0104"]
STATUSES = ["active"] * 6 + ["candidate", "suspended", "retired", "blacklisted", "refused"]
HOME = frozenset({"350600", "350681"})
USCCS = [factories.make_uscc(9000 + n) for n in range(8)]
TENDEREE, AGENT, BIDDERS, OTHERS = USCCS[0], USCCS[1], USCCS[2:5], USCCS[5:]


@pytest.fixture
def world(db, city, centre):
    """Regions in and out of the project's area, a drawer, and three other draws whose
    invitations book experts: one elsewhere at the evaluation's time, two earlier ones of
    the same tenderee (how often an expert has served it lately)."""
    regions = [
        city,
        Region.objects.get_or_create(
            code="350681", defaults={"name": "龙海区", "level": "county", "parent": city}
        )[0],
        Region.objects.get_or_create(
            code="350200", defaults={"name": "厦门市", "level": "city", "parent": city.parent}
        )[0],
        Region.objects.get_or_create(
            code="110000", defaults={"name": "北京市", "level": "province"}
        )[0],
    ]
    drawer = factories.UserFactory(role=Role.EXPERT_DRAWER, username="drawer")
    specialty = Specialty.objects.get(code="A0101")

    def other_draw(tenderee: str) -> DrawGroup:
        draw = ExpertDraw.objects.create(
            project_id=999,
            project_title="其他项目",
            category="engineering",
            centre=centre,
            region=city,
            tenderee_uscc=tenderee,
            parties={},
            requested_by=drawer,
            requested_at=NOW - timedelta(days=400),
            needed_from=WINDOW.starts_at,
            needed_until=WINDOW.ends_at,
            region_scope="any",
            home_regions=[],
            state="drawn",
            algorithm="expert-draw/v1",
            commitment="0" * 64,
            eligible_digest="0" * 64,
            rules={},
        )
        return DrawGroup.objects.create(
            draw=draw,
            position=0,
            specialty=specialty,
            specialty_code="A0101",
            count=1,
            eligible=[],
            eligible_digest="0" * 64,
        )

    return {
        "regions": regions,
        "drawer": drawer,
        "elsewhere": other_draw(OTHERS[0]),
        "earlier": [other_draw(TENDEREE), other_draw(TENDEREE)],
        "specialties": dict(Specialty.objects.filter(code__in=CODES).values_list("code", "pk")),
    }


def write_pool(world, rng: random.Random, size: int) -> None:
    """A random pool with every kind of record the avoidance rules look at."""

    def moment(low_hours: int, high_hours: int) -> datetime:
        return WINDOW.starts_at + timedelta(hours=rng.randint(low_hours, high_hours))

    def period(low_hours=-24 * 40, high_hours=24 * 5) -> tuple[datetime, datetime]:
        start = moment(low_hours, high_hours)
        return start, start + timedelta(hours=rng.randint(1, 24 * 20))

    first = User.objects.count() + 1
    users = User.objects.bulk_create(
        User(username=f"pool{first + n}", role=Role.EXPERT) for n in range(size)
    )
    profiles = ExpertProfile.objects.bulk_create(
        ExpertProfile(
            user=user,
            full_name=f"专家{user.pk}",
            id_number=id_number_for(50_000 + user.pk),
            employer_uscc=rng.choice(["", "", "", *USCCS]),
            employer_name="单位",
            title="senior",
            career_started_on=date(2000, 1, 1),
            region=rng.choice(world["regions"]),
            status=(status := rng.choice(STATUSES)),
            admitted_at=None if status in {"candidate", "refused"} else NOW,
        )
        for user in users
    )
    ExpertSpecialty.objects.bulk_create(
        ExpertSpecialty(expert=profile, specialty_id=world["specialties"][code])
        for profile in profiles
        for code in rng.sample(CODES, rng.randint(1, 3))
    )
    relations, leave, bookings, blacklist = [], [], [], []
    for profile in profiles:
        for _ in range(rng.randint(0, 2)):
            ended = (
                None if rng.random() < 0.4 else date(2018, 1, 1) + timedelta(rng.randint(0, 3300))
            )
            relations.append(
                ExpertRelation(
                    expert=profile,
                    entity_uscc=rng.choice(USCCS),
                    entity_name="单位",
                    kind=rng.choice(["employment", "shareholding", "relative"]),
                    ended_on=ended,
                )
            )
        for _ in range(rng.randint(0, 2)):
            starts_at, ends_at = period()
            leave.append(
                Unavailability(
                    expert=profile,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    reason="leave",
                    declared_by=world["drawer"],
                )
            )
        if rng.random() < 0.3:  # booked (or once booked) by a draw elsewhere
            starts_at, ends_at = period(-24 * 2, 24 * 2)
            bookings.append((world["elsewhere"], profile, starts_at, ends_at))
        # served the tenderee lately, or long ago (two disjoint spans: one expert's live
        # invitations never overlap)
        spans = [(-24 * 500, -24 * 280), (-24 * 250, -24 * 30)]
        for group, span in zip(world["earlier"], spans, strict=True):
            if rng.random() < 0.3:
                starts_at, ends_at = period(*span)
                bookings.append((group, profile, starts_at, ends_at))
        if rng.random() < 0.2:
            starts_at, ends_at = period(-24 * 60, 24 * 5)
            lifted = rng.choice([None, None, starts_at + (ends_at - starts_at) / 2])
            blacklist.append(
                BlacklistEntry(
                    expert=profile,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    reason="test",
                    lifted_at=lifted,
                )
            )
    ExpertRelation.objects.bulk_create(relations)
    Unavailability.objects.bulk_create(leave)
    BlacklistEntry.objects.bulk_create(blacklist)
    next_seq: dict[int, int] = {}
    invitations = []
    for group, profile, starts_at, ends_at in bookings:
        next_seq[group.pk] = next_seq.get(group.pk, 0) + 1
        invitations.append(
            DrawInvitation(
                draw_id=group.draw_id,
                group=group,
                expert=profile,
                invite_seq=next_seq[group.pk],
                state=rng.choice(["invited", "confirmed", "confirmed", "declined", "released"]),
                starts_at=starts_at,
                ends_at=ends_at,
                invited_at=NOW,
                respond_by=NOW,
            )
        )
    DrawInvitation.objects.bulk_create(invitations)


class Rollback(Exception):
    """Leave the database as the example found it."""


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    pool_seed=st.integers(min_value=0, max_value=2**32),
    size=st.integers(min_value=0, max_value=40),
    bidders=st.frozensets(st.sampled_from(BIDDERS + OTHERS[:1]), max_size=4),
    agent=st.sampled_from(["", AGENT]),
    lookback=st.integers(0, 5),
    limit=st.integers(0, 3),
    scope=st.sampled_from(avoidance.Scope.ALL),
    wanted=st.lists(
        st.tuples(st.sampled_from(["A", "A01", "A02", "A0201", "C0104", "B"]), st.integers(1, 4)),
        min_size=1,
        max_size=3,
        unique_by=lambda line: line[0],
    ),
    drawn_days_before=st.integers(-1, 30),
)
def test_the_database_split_screens_exactly_like_the_pure_filter(
    world, pool_seed, size, bidders, agent, lookback, limit, scope, wanted, drawn_days_before
):
    """Whatever the pool: every expert the database sets aside as clear is one the pure
    filter keeps (SQL never keeps an avoided expert), the flagged are screened by the pure
    filter itself (SQL never excludes anyone), and the eligible sets and the exclusions with
    their reasons are exactly those of the pure filter over the whole sub-pool. The reads
    that batch the reference's queries (the facts in one statement, the re-check of invited
    experts from the screening copy) give exactly what the reference reads give."""
    parties = avoidance.Parties(tenderee=TENDEREE, agent=agent, bidders=bidders)
    rules = avoidance.AvoidanceRules(lookback_years=lookback, repeat_tenderee_limit=limit)
    drawn_at = WINDOW.starts_at - timedelta(days=drawn_days_before)
    groups = [avoidance.GroupRequest(code, count) for code, count in wanted]
    arguments = {
        "window": WINDOW,
        "drawn_at": drawn_at,
        "parties": parties,
        "scope": scope,
        "home_regions": HOME,
        "repeat_window_days": 365,
    }
    try:
        with transaction.atomic():
            write_pool(world, random.Random(pool_seed), size)
            reference_candidates = selectors.screening_candidates(
                specialty_codes=[code for code, _count in wanted], **arguments
            )
            reference = avoidance.screen_pool(
                reference_candidates, groups=groups, rules=rules, **_pure(arguments)
            )
            split = selectors.split_sub_pool(groups=groups, **arguments)
            screening = selectors.screen_sub_pool(groups=groups, rules=rules, **arguments)
            # The one-statement reads against the five queries and the source tables they
            # stand in for: the facts of everyone, of a random part of the pool and of
            # nobody; the experts about to be invited, as the reference reads them. Ids are
            # passed as a list up to `FEW_IDS` and as an array beyond: both ways, here.
            facts = {key: value for key, value in arguments.items() if key in FACT_ARGUMENTS}
            everyone = list(ExpertProfile.objects.values_list("pk", flat=True))
            some = random.Random(pool_seed).sample(everyone, len(everyone) // 2)
            for few in (selectors.FEW_IDS, 0):
                with mock.patch.object(selectors, "FEW_IDS", few):
                    for expert_ids in (None, some, []):
                        assert selectors.screening_facts_at_once(
                            **facts,
                            expert_ids=expert_ids,
                            exclude_draw_id=world["elsewhere"].draw_id,
                        ) == selectors.screening_facts(
                            **facts,
                            expert_ids=expert_ids,
                            exclude_draw_id=world["elsewhere"].draw_id,
                        )
                    assert selectors.split_sub_pool(groups=groups, **arguments) == split
            invited = selectors.invitation_candidates(**facts, expert_ids=some)
            assert invited == selectors.screening_candidates(**facts, expert_ids=some)
            raise Rollback
    except Rollback:
        pass
    by_id = {candidate.expert_id: candidate for candidate in reference_candidates}
    clear = set().union(*split.clear)
    for expert_id in clear:
        assert (
            avoidance.avoidance_reasons(
                by_id[expert_id], parties=parties, window=WINDOW, drawn_at=drawn_at, rules=rules
            )
            == []
        )
    flagged = {candidate.expert_id for candidate in split.flagged}
    assert not clear & flagged
    assert clear | flagged == set(by_id)  # the whole sub-pool, nobody dropped
    assert set(split.flagged) <= set(reference_candidates)  # seen as the pure filter sees them
    assert reference.excluded_ids() <= flagged
    assert screening == reference


FACT_ARGUMENTS = ("window", "drawn_at", "parties", "repeat_window_days")


def _pure(arguments: dict) -> dict:
    return {key: value for key, value in arguments.items() if key != "repeat_window_days"}


# --- The screening copy follows every change at once ----------------------------------------


def copy_rows() -> set[tuple]:
    return set(
        PoolEntry.objects.values_list(
            "id", "expert_id", "specialty_id", "status", "region_id", "employer_uscc"
        )
    )


def source_rows() -> set[tuple]:
    """What the copy must hold, read from the profiles and their specialties."""
    return set(
        ExpertSpecialty.objects.values_list(
            "id",
            "expert_id",
            "specialty_id",
            "expert__status",
            "expert__region_id",
            "expert__employer_uscc",
        )
    )


def local_screening(parties: avoidance.Parties, code: str = "A0201") -> avoidance.Screening:
    return selectors.screen_sub_pool(
        groups=[avoidance.GroupRequest(code, 1)],
        window=WINDOW,
        drawn_at=timezone.now(),
        parties=parties,
        scope=avoidance.Scope.LOCAL,
        home_regions=selectors.home_region_codes(Region.objects.get(code="350600")),
        rules=avoidance.AvoidanceRules(),
    )


def reasons_of(screening: avoidance.Screening, expert: ExpertProfile) -> list[str]:
    return [
        reason.code
        for exclusion in screening.exclusions
        if exclusion.expert_id == expert.pk
        for reason in exclusion.reasons
    ]


def test_the_screening_copy_follows_status_region_employer_and_blacklist_at_once(
    clock, project, expert_factory, maintainer, other_city, bidder_entities
):
    """Each change is visible to the very next draw, in the same transaction, through the
    database's triggers — no refresh, no job."""
    parties = avoidance.Parties(
        tenderee=project.tenderee_uscc,
        agent=project.agent_uscc,
        bidders=frozenset(project.bidder_usccs),
    )
    expert = expert_factory(specialties=("A0201", "C0104"))
    colleague = expert_factory(specialties=("A0201",))
    assert copy_rows() == source_rows()
    assert {(row[1], row[3]) for row in copy_rows()} >= {(expert.pk, "active")}
    assert expert.pk in local_screening(parties).eligible[0]

    services.suspend_expert(profile=expert, actor=maintainer, reason="考核不合格")
    assert copy_rows() == source_rows()
    assert reasons_of(local_screening(parties), expert) == [avoidance.Reason.NOT_ACTIVE]

    services.reinstate_expert(profile=expert, actor=maintainer)
    assert copy_rows() == source_rows()
    assert expert.pk in local_screening(parties).eligible[0]

    bidder = bidder_entities[0]
    services.change_employer(
        profile=expert, actor=maintainer, employer_uscc=bidder.uscc, employer_name=bidder.name
    )
    assert copy_rows() == source_rows()
    assert avoidance.Reason.EMPLOYED_BY_PARTY in reasons_of(local_screening(parties), expert)

    expert.refresh_from_db()
    expert.region = other_city  # moved away: no longer a local expert
    expert.save()
    assert copy_rows() == source_rows()
    screening = local_screening(parties)
    assert expert.pk not in set().union(*screening.eligible)
    assert not reasons_of(screening, expert)

    services.blacklist_expert(expert=colleague, months=12, reason="严重违规")
    assert copy_rows() == source_rows()
    assert {avoidance.Reason.NOT_ACTIVE, avoidance.Reason.BLACKLISTED} <= set(
        reasons_of(local_screening(parties), colleague)
    )


def test_the_screening_copy_follows_specialties_added_changed_and_removed(db, city, expert_factory):
    expert = expert_factory(specialties=("A0201",))
    other = expert_factory(specialties=("A0101", "C0104"))
    parties = avoidance.Parties(tenderee=TENDEREE)
    assert copy_rows() == source_rows()

    expert.specialties.add(Specialty.objects.get(code="C0104"))
    assert copy_rows() == source_rows()
    assert expert.pk in local_screening(parties, "C0104").eligible[0]

    ExpertSpecialty.objects.filter(expert=expert, specialty__code="A0201").update(
        specialty=Specialty.objects.get(code="A0202")
    )
    assert copy_rows() == source_rows()
    assert expert.pk not in local_screening(parties, "A0201").eligible[0]
    assert expert.pk in local_screening(parties, "A02").eligible[0]

    expert.specialties.clear()
    assert copy_rows() == source_rows()
    assert not PoolEntry.objects.filter(expert_id=expert.pk).exists()
    assert expert.pk not in local_screening(parties, "C").eligible[0]

    user = other.user
    other.delete()
    user.delete()
    assert copy_rows() == source_rows()
    assert not PoolEntry.objects.filter(expert_id=other.pk).exists()


SQLITE_CHECK = """
from datetime import date
from django.db import connection
from experts.models import ExpertProfile, ExpertSpecialty, PoolEntry, Specialty
from portal.accounts.models import Role, User
from portal.centres.models import Region

assert connection.vendor == "sqlite"
province = Region.objects.create(code="350000", name="省", level="province")
city = Region.objects.create(code="350600", name="市", level="city", parent=province)
other = Region.objects.create(code="350200", name="另一市", level="city", parent=province)
user = User.objects.create(username="sqlite_expert", role=Role.EXPERT)
expert = ExpertProfile.objects.create(
    user=user, full_name="专家", id_number="350600197001000011", employer_name="某大学",
    title="senior", career_started_on=date(2000, 1, 1), region=city, status="active",
    admitted_at="2026-01-01T00:00:00Z",
)

def copy():
    return sorted(PoolEntry.objects.values_list(
        "id", "expert_id", "specialty_id", "status", "region_id", "employer_uscc"))

def source():
    return sorted(ExpertSpecialty.objects.values_list(
        "id", "expert_id", "specialty_id", "expert__status", "expert__region_id",
        "expert__employer_uscc"))

steps = []
expert.specialties.set(Specialty.objects.filter(code__in=["A0201", "C0104"]))
steps.append(copy() == source() and len(copy()) == 2)
from datetime import datetime, timedelta, timezone
from experts import avoidance, selectors
start = datetime(2030, 1, 7, 1, 0, tzinfo=timezone.utc)
def screen():
    return selectors.screen_sub_pool(
        groups=[avoidance.GroupRequest("A02", 1), avoidance.GroupRequest("C", 1)],
        window=avoidance.Period(start, start + timedelta(hours=8)),
        drawn_at=start - timedelta(days=2),
        parties=avoidance.Parties(tenderee="91350600MA2YYYYY00"),
        scope="local", home_regions=frozenset({"350600"}), rules=avoidance.AvoidanceRules(),
    )
steps.append(screen().eligible == ((expert.pk,), (expert.pk,)))
ExpertProfile.objects.filter(pk=expert.pk).update(status="suspended")
steps.append([e.expert_id for e in screen().exclusions] == [expert.pk])
steps.append(copy() == source() and {row[3] for row in copy()} == {"suspended"})
expert.refresh_from_db()
expert.region = other
expert.employer_uscc = "91350600MA2XXXXX0X"[:17] + "0"
expert.save()
steps.append(copy() == source() and {row[4] for row in copy()} == {other.pk})
ExpertSpecialty.objects.filter(expert=expert, specialty__code="A0201").update(
    specialty=Specialty.objects.get(code="A0202"))
steps.append(copy() == source())
expert.specialties.remove(Specialty.objects.get(code="C0104"))
steps.append(copy() == source() and len(copy()) == 1)
expert.specialties.clear()
steps.append(copy() == [] == source())
print("steps", steps)
"""


@pytest.mark.slow
def test_the_screening_copy_follows_changes_on_sqlite_too(tmp_path):
    """The embedded default (`make run`, SQLite) keeps the copy exact with its own triggers."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        PORTAL_ENV="development",
        DATABASE_URL=f"sqlite:///{tmp_path / 'pool.sqlite3'}",
        DJANGO_SETTINGS_MODULE="portal.settings",
    )

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )

    manage("migrate", "--noinput")
    result = manage("shell", "-c", SQLITE_CHECK)
    assert "steps [True, True, True, True, True, True, True, True]" in result.stdout, result.stderr
