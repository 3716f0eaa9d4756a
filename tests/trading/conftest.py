"""Personas and helpers for trading: a tenderee, bidders of distinct entities, experts, the
centre's staff and a venue, on a controlled clock (Asia/Shanghai)."""

import importlib
from datetime import datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps as django_apps
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from portal.accounts.models import Role
from tests import factories
from tests.experts.conftest import make_expert

SHANGHAI = ZoneInfo("Asia/Shanghai")
SECRETS = {
    "a": "amber-lantern-harbour-7",
    "b": "basalt-meadow-quiver-2",
    "c": "cobalt-thistle-orbit-5",
}


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def clock():
    """The server clock, moved by the test: 2026-03-02 09:00 Beijing time to begin with."""
    with time_machine.travel(local(2026, 3, 2, 9, 0), tick=False) as traveller:
        yield traveller


@pytest.fixture
def tenderee(db):
    return factories.BidderFactory(
        role=Role.TENDEREE, username="tenderee", entity__name="漳州市示范城市建设投资有限公司"
    )


@pytest.fixture
def bidders(db):
    names = {"a": "甲建设有限公司", "b": "乙工程有限公司", "c": "丙建工集团有限公司"}
    return {
        key: factories.BidderFactory(
            username=f"bidder_{key}",
            entity__name=name,
            entity__bank_account_number=f"622202000000000{i}",
        )
        for i, (key, name) in enumerate(names.items())
    }


def ensure_pool_reference_data() -> None:
    """The pool's specialties and rules come from its seed migration; a transaction=True
    test earlier in the process flushes them, so put them back."""
    from experts.models import PoolRule, Specialty

    if not Specialty.objects.exists() or not PoolRule.objects.exists():
        module = importlib.import_module("experts.migrations.0002_seed_specialties_and_rules")
        module.seed(django_apps, SimpleNamespace(connection=connection))


@pytest.fixture
def experts(db, city):
    """Five road-and-bridge experts of the city: the whole pool, so a draw of five seats them
    all (in the draw's order, which decides the chair)."""
    ensure_pool_reference_data()
    return [make_expert(username=f"expert{i}").user for i in range(5)]


def make_drawer(username: str = "drawer"):
    """The expert drawer, with trading's real provider of project parties registered (the
    pool's own tests swap in stand-ins and leave none behind)."""
    from trading import expert_pool

    expert_pool.register()
    return factories.UserFactory(role=Role.EXPERT_DRAWER, username=username)


@pytest.fixture
def drawer(db):
    return make_drawer()


def draw_committee(lot, *, drawer, clock, count: int = 5, specialty: str = "A0201") -> None:
    """What happens before an evaluation: the expert drawer draws `count` experts for the
    lot, each confirms, and the clock moves to the evaluation's start, when the names open."""
    from experts.services import SpecialtyCount, draw_experts, respond_to_invitation

    starts = timezone.now() + timedelta(hours=1)
    draw = draw_experts(
        actor=drawer,
        project_id=lot.project_id,
        lot_id=lot.pk,
        specialties=[SpecialtyCount(code=specialty, count=count)],
        needed_from=starts,
        region_scope="local",
    )
    assert draw.state == "drawn", draw.failure_reason
    for invitation in draw.invitations.filter(state="invited").select_related("expert__user"):
        respond_to_invitation(invitation=invitation, actor=invitation.expert.user, accept=True)
    clock.move_to(starts)


def chair_of(lot):
    from trading.models import CommitteeMember

    return CommitteeMember.objects.select_related("user").get(lot=lot, is_chair=True).user


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def announced(clock, centre, staff, tenderee):
    """An engineering open tender, registered and announced: documents from 2026-03-02,
    bids until 2026-03-23 09:30 (Beijing time), one lot with a 100,000 yuan security."""
    from catalog.models import Category, TradingMethod
    from trading.services import projects

    project = projects.submit_project(
        actor=tenderee,
        title="漳州市示范路桥维修工程",
        category=Category.objects.get(code="engineering"),
        method=TradingMethod.objects.get(code="open_tender"),
        subject="works",
        funding_source="state_owned",
        centre=centre,
        region=centre.region,
        lots=[
            projects.LotInput(
                name="一标段",
                estimate_amount=Decimal("5000000.00"),
                bid_security_amount=Decimal("100000.00"),
            )
        ],
    )
    projects.register_project(project=project, actor=staff)
    projects.publish_tender_announcement(
        project=project,
        actor=tenderee,
        title="招标公告",
        body="……",
        documents_issued_at=local(2026, 3, 2, 9, 0),
        documents_sale_ends_at=local(2026, 3, 9, 17, 0),
        bid_deadline=local(2026, 3, 23, 9, 30),
        opening_at=local(2026, 3, 23, 9, 30),
    )
    project.refresh_from_db()
    return project


def submit(lot, bidder, key: str, price: str = "4321000.00"):
    from trading.services import bids

    return bids.submit_bid(
        lot=lot,
        actor=bidder,
        price=Decimal(price),
        documents=[(f"bid-{key}.pdf", f"PROPOSAL-{key}".encode() * 50)],
        secret=SECRETS[key],
        security=bids.SecurityInput(form="cash", amount=Decimal("100000.00")),
    )
