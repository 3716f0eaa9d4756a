"""Supervision's fixtures: the alert-rule catalog put back after a flush, regulators of two
departments, and helpers to run the evaluation as the worker would."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection

from portal.accounts.models import Department, Role
from tests import factories


@pytest.fixture(autouse=True)
def alert_rule_catalog(request, catalog_reference_data):
    """The rule catalog is seeded by a data migration; a transaction=True test flushes it."""
    marker = request.node.get_closest_marker("django_db")
    if not marker and "db" not in request.fixturenames:
        return
    from supervision.models import AlertRule

    # One rule of each seeding migration.
    seeded = ["process.announcement_period", "auction.single_bidder"]
    seeded += ["collusion.shared_authoring_metadata", "process.contract_not_signed"]
    if AlertRule.objects.filter(code__in=seeded, category="").count() < len(seeded):
        for name in (
            "0002_seed_alert_rules",
            "0003_seed_auction_rules",
            "0004_seed_shared_authoring_metadata",
            "0005_seed_overdue_step_rules",
        ):
            importlib.import_module(f"supervision.migrations.{name}").seed(
                django_apps, SimpleNamespace(connection=connection)
            )


@pytest.fixture
def regulator_dr(db, centre):
    """A regulator of the development and reform commission for the centre's city."""
    return factories.UserFactory(
        role=Role.REGULATOR,
        username="regulator_dr",
        department=Department.DEVELOPMENT_REFORM,
        region=centre.region,
    )


@pytest.fixture
def regulator_finance(db, centre):
    return factories.UserFactory(
        role=Role.REGULATOR,
        username="regulator_fin",
        department=Department.FINANCE,
        region=centre.region,
    )


# The trading personas and the clock, shared with the trading tests.
from tests.trading.conftest import clock, experts, media, tenderee  # noqa: E402, F401


@pytest.fixture
def bidders(db):
    """Three independent bidders: distinct representatives, phones, addresses, accounts."""
    people = {
        "a": ("甲建设有限公司", "陈一"),
        "b": ("乙工程有限公司", "林二"),
        "c": ("丙建工集团", "黄三"),
    }
    return {
        key: factories.BidderFactory(
            username=f"bidder_{key}",
            entity__name=name,
            entity__legal_representative=person,
            entity__contact_phone=f"0596-200000{i}",
            entity__address=f"漳州市芗城区{i}号路{i}号",
            entity__bank_account_number=f"622202000000000{i}",
        )
        for i, (key, (name, person)) in enumerate(people.items())
    }
