"""Personas and helpers for the expert pool: the three ends (pool maintainer, drawer, pool
supervisor), a county port and city-centre staff, a regulator, a project's parties (tenderee,
agent, bidders) served by a stand-in for trading's provider, and experts on a fixed clock."""

import importlib
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps as django_apps
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from experts import providers
from experts.models import ExpertProfile, ExpertRelation, PoolRule, Specialty
from portal.accounts.models import Role
from portal.centres.models import Centre, Region
from tests import factories

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: The clock of these tests: Monday 2026-03-02 09:00 Beijing time.
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
#: The evaluation the draws are for: two days later, 09:00–17:00.
EVALUATION = datetime(2026, 3, 4, 9, 0, tzinfo=SHANGHAI)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def pool_reference_data(request):
    """The pool's seed migration writes the specialties and rules; a transaction=True test
    earlier in the process flushes them, so put them back."""
    names = request.fixturenames
    if not (
        {"db", "transactional_db"} & set(names) or request.node.get_closest_marker("django_db")
    ):
        return
    if not Specialty.objects.exists() or not PoolRule.objects.exists():
        module = importlib.import_module("experts.migrations.0002_seed_specialties_and_rules")
        module.seed(django_apps, SimpleNamespace(connection=connection))


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- Regions and centres -------------------------------------------------------------------


@pytest.fixture
def county(db, city):
    return Region.objects.get_or_create(
        code="350681", defaults={"name": "龙海区", "level": Region.Level.COUNTY, "parent": city}
    )[0]


@pytest.fixture
def other_city(db, city):
    return Region.objects.get_or_create(
        code="350200",
        defaults={"name": "厦门市", "level": Region.Level.CITY, "parent": city.parent},
    )[0]


@pytest.fixture
def county_port(db, centre, county):
    return factories.CentreFactory(
        name="龙海分中心", code="longhai", level=Centre.Level.BRANCH, parent=centre, region=county
    )


@pytest.fixture
def county_staff(db, county_port):
    return factories.make_centre_staff(county_port, username="staff_longhai")


# --- The three ends and the others --------------------------------------------------------


@pytest.fixture
def maintainer(db):
    return factories.UserFactory(role=Role.POOL_MAINTAINER, username="maintainer")


@pytest.fixture
def drawer(db):
    return factories.UserFactory(role=Role.EXPERT_DRAWER, username="drawer")


@pytest.fixture
def supervisor(db):
    return factories.UserFactory(role=Role.POOL_SUPERVISOR, username="pool_supervisor")


# --- A project's parties, served like trading will serve them -------------------------------


@pytest.fixture
def tenderee(db):
    return factories.BidderFactory(
        role=Role.TENDEREE, username="tenderee", entity__name="漳州市示范城市建设投资有限公司"
    )


@pytest.fixture
def agent(db):
    return factories.BidderFactory(
        role=Role.AGENT, username="agent", entity__name="示范招标代理公司"
    )


@pytest.fixture
def bidder_entities(db):
    return [factories.EntityFactory(name=f"投标人{i}有限公司") for i in range(3)]


class Projects:
    """A stand-in for trading's provider: project id → ProjectParties."""

    def __init__(self):
        self.rows: dict[int, providers.ProjectParties] = {}

    def __call__(self, project_id: int):
        return self.rows.get(project_id)

    def add(
        self,
        project_id,
        *,
        centre,
        tenderee,
        agent=None,
        bidders=(),
        category="engineering",
        lots=(1,),
        region=None,
    ):
        self.rows[project_id] = providers.ProjectParties(
            project_id=project_id,
            title=f"示范工程{project_id}",
            category=category,
            centre_id=centre.pk,
            region_id=(region or centre.region).pk,
            tenderee_uscc=tenderee.uscc,
            agent_uscc=agent.uscc if agent else "",
            bidder_usccs=frozenset(entity.uscc for entity in bidders),
            lot_ids=frozenset(lots),
        )
        return self.rows[project_id]

    def add_bidder(self, project_id, entity):
        row = self.rows[project_id]
        self.rows[project_id] = providers.ProjectParties(
            **{**row.__dict__, "bidder_usccs": row.bidder_usccs | {entity.uscc}}
        )


@pytest.fixture
def projects():
    registry = Projects()
    providers.register_project_parties(registry)
    yield registry
    providers.register_project_parties(None)


@pytest.fixture
def project(projects, centre, tenderee, agent, bidder_entities):
    """Project 101 of the city centre, with its tenderee, agent and three bidders."""
    return projects.add(
        101, centre=centre, tenderee=tenderee.entity, agent=agent.entity, bidders=bidder_entities
    )


# --- Experts ---------------------------------------------------------------------------------


_counter = {"n": 0}


def id_number_for(n: int) -> str:
    from experts.id_number import check_character

    body = f"350600197001{n % 10**5:05d}"[:17].ljust(17, "0")
    return body + check_character(body)


def make_expert(
    *,
    specialties=("A0201",),
    region=None,
    status=ExpertProfile.Status.ACTIVE,
    employer=None,
    relations=(),
    username=None,
    title=ExpertProfile.Title.SENIOR,
    career_started_on=date(2000, 1, 1),
) -> ExpertProfile:
    """An expert of the pool, written directly (the admission path has its own tests)."""
    _counter["n"] += 1
    n = _counter["n"]
    user = factories.UserFactory(role=Role.EXPERT, username=username or f"expert{n}")
    region = region or Region.objects.get(code="350600")
    profile = ExpertProfile.objects.create(
        user=user,
        full_name=f"专家{n}",
        id_number=id_number_for(n),
        employer=employer,
        employer_uscc=employer.uscc if employer else "",
        employer_name=employer.name if employer else "某大学",
        title=title,
        career_started_on=career_started_on,
        region=region,
        status=status,
        admitted_at=None if status in {"candidate", "refused"} else timezone.now(),
    )
    profile.specialties.set(Specialty.objects.filter(code__in=specialties))
    for entity, kind, ended_on in relations:
        ExpertRelation.objects.create(
            expert=profile,
            entity_uscc=entity.uscc,
            entity_name=entity.name,
            kind=kind,
            ended_on=ended_on,
        )
    return profile


@pytest.fixture
def expert_factory(db, city):
    return make_expert


@pytest.fixture
def pool(db, city, expert_factory):
    """Twelve active road-and-bridge experts (A0201) of the city."""
    return [expert_factory() for _ in range(12)]


def draw_request(**overrides) -> dict:
    body = {
        "specialties": [{"code": "A0201", "count": 5}],
        "needed_at": EVALUATION.isoformat(),
        "needed_until": (EVALUATION + timedelta(hours=8)).isoformat(),
        "region_scope": "local",
        "backups": 2,
    }
    body.update(overrides)
    return body
