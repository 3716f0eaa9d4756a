"""Shared fixtures: the personas (bidder A, bidder B, staff of this centre, staff of another
centre, regulator, platform administrator, the public)."""

import pytest
from rest_framework.test import APIClient

from tests import factories

PASSWORD = "correct-horse-battery"


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
