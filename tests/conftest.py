"""Shared fixtures: the personas (bidder A, bidder B, staff of this centre, staff of another
centre, regulator, platform administrator, the public)."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection
from hypothesis import HealthCheck, settings
from rest_framework.test import APIClient

from catalog.models import Category, HolidayCalendarYear
from tests import factories

PASSWORD = "correct-horse-battery"

# Properties are checked on shared two-core machines: a slow example is not a failure.
settings.register_profile("platform", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("platform")


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def city(db):
    return factories.CityFactory()


@pytest.fixture
def centre(db, city):
    return factories.CentreFactory(name="漳州市公共资源交易中心", code="zhangzhou", region=city)


@pytest.fixture
def other_centre(db, city):
    return factories.CentreFactory(name="厦门市公共资源交易中心", code="xiamen", region=city)


@pytest.fixture
def venue(db, centre):
    return factories.VenueFactory(centre=centre, name="第一开标室")


@pytest.fixture
def staff(db, centre):
    return factories.make_centre_staff(centre, username="staff_zz")


@pytest.fixture
def other_staff(db, other_centre):
    return factories.make_centre_staff(other_centre, username="staff_xm")


@pytest.fixture
def bidder_a(db):
    return factories.BidderFactory(username="bidder_a")


@pytest.fixture
def bidder_b(db):
    return factories.BidderFactory(username="bidder_b")


@pytest.fixture
def regulator(db):
    return factories.RegulatorFactory(username="regulator")


@pytest.fixture
def platform_admin(db):
    return factories.PlatformAdminFactory(username="admin")


def _uses_database(request) -> tuple[bool, bool]:
    """(uses the database, transactionally) for the test being set up."""
    marker = request.node.get_closest_marker("django_db")
    names = request.fixturenames
    transactional = "transactional_db" in names or bool(
        marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    )
    return bool(marker) or "db" in names or transactional, transactional


#: The catalog's data migrations, replayed in order after a flush.
SEED_MIGRATIONS = [
    "0002_seed_catalog",
    "0004_seed_procurement_min_bidders",
    "0005_method_public_opening",
    "0006_seed_auction_rules",
]


@pytest.fixture(autouse=True)
def catalog_reference_data(request):
    """The catalog's data migrations seed its reference rows; a transaction=True test run
    earlier in the same process (in any app) flushes every table, so put them back."""
    uses_database, transactional = _uses_database(request)
    if not uses_database:
        return
    request.getfixturevalue("transactional_db" if transactional else "db")
    editor = SimpleNamespace(connection=connection)
    if not Category.objects.exists():
        for migration in SEED_MIGRATIONS:
            importlib.import_module(f"catalog.migrations.{migration}").seed(django_apps, editor)
    if not HolidayCalendarYear.objects.exists():
        importlib.import_module("catalog.migrations.0003_seed_holiday_calendar").seed(
            django_apps, editor
        )
