"""Personas and helpers for auctions: a transferor, three bidders of distinct entities, the
centre's staff, a natural-resources regulator (for credit measures), on a controlled clock
(Asia/Shanghai): 2026-03-02 09:00 Beijing time to begin with."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models import Sum
from rest_framework.test import APIClient

from auctions.models import DepositMovement
from auctions.services import listings, qualification, registrations
from portal.accounts.models import Department, Role
from portal.errors import ApplicationError
from tests import factories
from tests.credit.conftest import credit_reference_data, record_measure  # noqa: F401

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture(autouse=True)
def live_snapshot_only_with_real_commits(request, settings):
    """The live snapshot (auctions/live.py) is replaced on commit; a test inside a
    rolled-back transaction never commits, so it reads the database. Tests with real
    commits (transaction=True) run with the snapshot, as production does."""
    marker = request.node.get_closest_marker("django_db")
    settings.AUCTIONS_LIVE_SNAPSHOT = bool(
        (marker and marker.kwargs.get("transaction")) or "transactional_db" in request.fixturenames
    )


@pytest.fixture
def clock():
    with time_machine.travel(local(2026, 3, 2, 9, 0), tick=False) as traveller:
        yield traveller


@pytest.fixture
def transferor(db):
    return factories.EntityFactory(name="漳州市自然资源局（出让人）")


@pytest.fixture
def bidders(db):
    names = {"a": "甲置业有限公司", "b": "乙房地产开发有限公司", "c": "丙矿业投资有限公司"}
    return {
        key: factories.BidderFactory(username=f"bidder_{key}", entity__name=name)
        for key, name in names.items()
    }


@pytest.fixture
def land_regulator(db, city):
    return factories.RegulatorFactory(
        username="ziranziyuan_zz", department=Department.NATURAL_RESOURCES, region=city
    )


@pytest.fixture
def outsider(db):
    return factories.UserFactory(role=Role.REGULATOR, username="someone")


def land_listing(staff, centre, transferor, **overrides):
    """A land-use right by listing (挂牌): listing 2026-03-23 09:00 to 2026-04-03 15:00 (12
    days), starting at 10,000,000 yuan, increment 100,000, deposit 2,000,000, reserve
    10,500,000, a five-minute time-limited period for the live auction that may follow."""
    arguments = dict(
        actor=staff,
        centre=centre,
        region=centre.region,
        category_code="land",
        method_code="listing",
        transferor=transferor,
        title="漳州市芗城区2026P01号地块国有建设用地使用权",
        starting_price=Decimal("10000000.00"),
        increment=Decimal("100000.00"),
        deposit_amount=Decimal("2000000.00"),
        reserve_price=Decimal("10500000.00"),
        registration_ends_at=local(2026, 4, 3, 12, 0),
        listing_starts_at=local(2026, 3, 23, 9, 0),
        listing_ends_at=local(2026, 4, 3, 15, 0),
        extension_minutes=5,
        location="芗城区金峰路以东",
        area_sqm=Decimal("35210.50"),
        land_use="住宅用地",
        term_years=70,
        plot_ratio="≤2.5",
    )
    arguments.update(overrides)
    return listings.create_listing(**arguments)


def mining_auction(staff, centre, transferor, **overrides):
    """A mining right by online auction on 2026-03-25 from 09:00, free bidding until 10:00."""
    arguments = dict(
        actor=staff,
        centre=centre,
        region=centre.region,
        category_code="mining",
        method_code="auction",
        transferor=transferor,
        title="漳浦县某花岗岩矿采矿权",
        starting_price=Decimal("3000000.00"),
        increment=Decimal("50000.00"),
        deposit_amount=Decimal("600000.00"),
        reserve_price=Decimal("3200000.00"),
        registration_ends_at=local(2026, 3, 24, 17, 0),
        auction_starts_at=local(2026, 3, 25, 9, 0),
        ends_at=local(2026, 3, 25, 10, 0),
        extension_minutes=5,
        mineral="饰面用花岗岩",
        mining_area_sqkm=Decimal("0.1250"),
        mining_licence_kind="采矿权",
    )
    arguments.update(overrides)
    return listings.create_listing(**arguments)


def equity_listing(staff, centre, transferor, **overrides):
    """30 % of a state-owned company, disclosed 2026-03-02 to 2026-03-31 (21 working days),
    listed at 8,000,000 yuan on an appraisal of 8,000,000."""
    arguments = dict(
        actor=staff,
        centre=centre,
        region=centre.region,
        category_code="equity",
        method_code="listing",
        transferor=transferor,
        title="漳州市某国有控股公司30%股权转让",
        starting_price=Decimal("8000000.00"),
        increment=Decimal("100000.00"),
        deposit_amount=Decimal("800000.00"),
        registration_ends_at=local(2026, 3, 31, 17, 0),
        listing_starts_at=local(2026, 3, 2, 9, 0),
        listing_ends_at=local(2026, 3, 31, 17, 0),
        extension_minutes=5,
        target_company="漳州市某国有控股有限公司",
        share_percent=Decimal("30"),
        appraised_value=Decimal("8000000.00"),
    )
    arguments.update(overrides)
    return listings.create_listing(**arguments)


def register_and_pay(listing, user, staff):
    qualifications = (
        f"{user.entity.name}：依法存续的企业法人，近三年无重大违法记录，具备受让资金实力。"
        if listing.category.code == "equity"
        else ""
    )
    registration = registrations.register(
        actor=user, listing=listing, qualifications=qualifications
    )
    return registrations.confirm_deposit(
        actor=staff,
        registration=registration,
        amount=listing.deposit_amount,
        reference=f"BANK-{registration.number}",
    )


def later(dt: datetime, **delta) -> datetime:
    return dt + timedelta(**delta)


def review(listing, staff, decisions: dict):
    """The staff's qualification review of an equity listing in review: `decisions` maps a
    registration to True (qualified) or a reason (not qualified); then the review is closed."""
    for registration, decision in decisions.items():
        qualification.review_qualification(
            actor=staff,
            registration=registration,
            qualified=decision is True,
            reason="" if decision is True else decision,
        )
    return qualification.close_review(actor=staff, listing=listing)


def refused(code, fn, **kwargs):
    with pytest.raises(ApplicationError) as caught:
        fn(**kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


def deposits_of(registration) -> dict:
    return dict(
        DepositMovement.objects.filter(registration=registration)
        .values_list("kind")
        .annotate(total=Sum("amount"))
    )
