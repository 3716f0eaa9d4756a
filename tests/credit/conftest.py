"""Personas and helpers for the credit registry: regulators of several departments and
regions, the regions they govern, and a one-call way to record a measure.

The trading fixtures (an announced engineering tender on a controlled clock, three
bidders) come from tests/trading/conftest.py: pytest loads only the conftest files on a
test's path, so they are imported here explicitly.
"""

import importlib
from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps as django_apps
from django.db import connection

from catalog.models import Category
from credit.models import MeasureType
from credit.services import records
from portal.accounts.models import Department
from portal.centres.models import Region
from tests import factories
from tests.conftest import _uses_database
from tests.trading.conftest import (  # noqa: F401 - fixtures used by the credit tests
    SECRETS,
    announced,
    bidders,
    client_for,
    clock,
    local,
    media,
    submit,
    tenderee,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def credit_reference_data(request):
    """The measure types and competence rules come from a data migration; a transaction=True
    test elsewhere in the process flushes them, so put them back (after the catalog's)."""
    uses_database, transactional = _uses_database(request)
    if not uses_database:
        return
    request.getfixturevalue("transactional_db" if transactional else "db")
    request.getfixturevalue("catalog_reference_data")
    if not MeasureType.objects.exists():
        seed = importlib.import_module("credit.migrations.0002_seed_measures_and_competence")
        seed.seed(django_apps, SimpleNamespace(connection=connection))


@pytest.fixture
def province(db):
    return factories.RegionFactory()


@pytest.fixture
def zhangzhou(db, city):
    """漳州市 (350600), the city of the `centre` and the `announced` project."""
    return city


@pytest.fixture
def zhangpu(db, zhangzhou):
    """漳浦县 (350623), a county under Zhangzhou."""
    return Region.objects.get_or_create(
        code="350623", defaults={"name": "漳浦县", "level": "county", "parent": zhangzhou}
    )[0]


@pytest.fixture
def xiamen(db, province):
    """厦门市 (350200), another city of the province."""
    return Region.objects.get_or_create(
        code="350200", defaults={"name": "厦门市", "level": "city", "parent": province}
    )[0]


def make_regulator(username: str, department: str, region: Region):
    return factories.RegulatorFactory(username=username, department=department, region=region)


@pytest.fixture
def fagai(db, zhangzhou):
    """漳州市发展和改革委员会: engineering, and joint measures across categories."""
    return make_regulator("fagai_zz", Department.DEVELOPMENT_REFORM, zhangzhou)


@pytest.fixture
def housing(db, zhangzhou):
    return make_regulator("zhujian_zz", Department.HOUSING, zhangzhou)


@pytest.fixture
def finance(db, zhangzhou):
    return make_regulator("caizheng_zz", Department.FINANCE, zhangzhou)


@pytest.fixture
def fagai_xiamen(db, xiamen):
    return make_regulator("fagai_xm", Department.DEVELOPMENT_REFORM, xiamen)


@pytest.fixture
def fagai_province(db, province):
    return make_regulator("fagai_fj", Department.DEVELOPMENT_REFORM, province)


@pytest.fixture
def fagai_zhangpu(db, zhangpu):
    return make_regulator("fagai_zp", Department.DEVELOPMENT_REFORM, zhangpu)


def category(code: str) -> Category:
    return Category.objects.get(code=code)


def measure_type(code: str) -> MeasureType:
    return MeasureType.objects.get(code=code)


_decisions = iter(range(1, 10**6))


def record_measure(
    actor,
    uscc: str,
    *,
    measure: str | None = "market_ban",
    valid_from: datetime,
    valid_to: datetime | None,
    category_code: str = "engineering",
    decision_no: str | None = None,
    **extra,
):
    """Record a penalty (with a measure) through the service, as `actor`."""
    kind = extra.pop("kind", "administrative_penalty")
    arguments = {
        "uscc": uscc,
        "kind": kind,
        "severity": extra.pop("severity", None),
        "category": category(category_code),
        "authority": extra.pop("authority", "漳州市发展和改革委员会"),
        "legal_basis": extra.pop("legal_basis", "招标投标法 第54条"),
        "decision_no": decision_no or f"漳发改罚〔2026〕{next(_decisions)}号",
        "reason": extra.pop("reason", "以他人名义投标，骗取中标。"),
        "valid_from": valid_from,
        "valid_to": valid_to,
        "measure_type": measure_type(measure) if measure else None,
        **extra,
    }
    return records.add_record(actor=actor, **arguments)
