"""Fixtures of the catalog tests: rules built in memory for the pure checks, the seeded
database for the rest (the seed is restored by `catalog_reference_data` in tests/conftest.py)."""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import translation

from catalog.models import Category
from tests import factories
from tests.catalog.holidays import chinese_calendar_2020_2026


@pytest.fixture(autouse=True)
def english(settings):
    """Assert on the English source strings, whatever translations exist by then."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@dataclass(frozen=True)
class Rule:
    """A statutory rule in memory, shaped like `catalog.models.StatutoryRule`."""

    code: str
    kind: str
    start_field: str
    end_field: str = ""
    value: Decimal = Decimal(0)
    unit: str = "calendar_days"
    value_denominator: int = 1
    condition_field: str = ""
    condition_min_value: Decimal | None = None
    source: str = "test source"
    needs_confirmation: bool = False


@pytest.fixture
def make_rule():
    def make(code, kind, start_field, end_field="", value=0, unit="calendar_days", **extra):
        return Rule(code, kind, start_field, end_field, Decimal(value), unit, **extra)

    return make


@pytest.fixture
def calendar():
    """2020–2026 as the State Council arranged them (no database)."""
    return chinese_calendar_2020_2026()


@pytest.fixture
def engineering(db):
    return Category.objects.get(code="engineering")


@pytest.fixture
def procurement(db):
    return Category.objects.get(code="procurement")


@pytest.fixture
def zhangzhou(db):
    return factories.CityFactory()
