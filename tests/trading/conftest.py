"""Personas and helpers for trading: a tenderee, bidders of distinct entities, experts, the
centre's staff and a venue, on a controlled clock (Asia/Shanghai)."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.test import APIClient

from portal.accounts.models import Role
from tests import factories

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


@pytest.fixture
def experts(db):
    return [factories.UserFactory(role=Role.EXPERT, username=f"expert{i}") for i in range(5)]


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
