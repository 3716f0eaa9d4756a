"""Must this project trade on the platform? (A3–A4)"""

from decimal import Decimal

import pytest

from catalog.selectors import UnknownCatalogCode, catalog_entry_for_project

pytestmark = pytest.mark.django_db


def entry(**project):
    found = catalog_entry_for_project(**project)
    return (found.code, found.mandatory) if found else None


def test_state_funded_construction_at_the_threshold_must_trade_on_the_platform():
    assert entry(
        category_code="engineering",
        subject_kind="construction",
        funding_source="state_owned",
        amount=Decimal("4000000"),
    ) == ("engineering.construction.state_owned", True)
    assert entry(
        category_code="engineering",
        subject_kind="construction",
        funding_source="state_financing",
        amount=Decimal("4500000"),
    ) == ("engineering.construction.state_financing", True)


def test_below_the_threshold_or_privately_funded_it_may_opt_in():
    assert entry(
        category_code="engineering",
        subject_kind="construction",
        funding_source="state_owned",
        amount=Decimal("3999999.99"),
    ) == ("engineering.voluntary", False)
    assert entry(
        category_code="engineering",
        subject_kind="construction",
        funding_source="private",
        amount=Decimal("90000000"),
    ) == ("engineering.voluntary", False)


@pytest.mark.parametrize(
    ("subject_kind", "amount", "code"),
    [
        ("equipment_materials", "2000000", "engineering.equipment_materials.state_owned"),
        (
            "survey_design_supervision",
            "1000000",
            "engineering.survey_design_supervision.state_owned",
        ),
    ],
)
def test_goods_and_services_thresholds(subject_kind, amount, code):
    assert entry(
        category_code="engineering",
        subject_kind=subject_kind,
        funding_source="state_owned",
        amount=Decimal(amount),
    ) == (code, True)


def test_an_unknown_amount_does_not_meet_a_threshold():
    assert entry(
        category_code="engineering",
        subject_kind="construction",
        funding_source="state_owned",
        amount=None,
    ) == ("engineering.voluntary", False)


def test_procurement_above_the_open_tender_threshold():
    found = catalog_entry_for_project(
        category_code="procurement",
        subject_kind="goods_services",
        funding_source="fiscal",
        amount=Decimal("2000000"),
    )
    assert found.mandatory
    assert found.required_method.code == "open_tender"


def test_every_state_land_and_mining_right_and_state_equity_transfer():
    assert entry(
        category_code="land", subject_kind="land_use_right", funding_source="any", amount=None
    ) == ("land.state_land_use_right", True)
    # Filed under the parent category, the subtype's entry still applies.
    assert entry(
        category_code="land_mining",
        subject_kind="mining_right",
        funding_source="any",
        amount=Decimal(1),
    ) == ("mining.mining_right", True)
    assert entry(
        category_code="equity",
        subject_kind="state_equity",
        funding_source="state_owned",
        amount=None,
    ) == ("equity.state_equity", True)
    assert entry(
        category_code="equity",
        subject_kind="state_equity",
        funding_source="private",
        amount=None,
    ) == ("equity.voluntary", False)


def test_an_uncatalogued_item_has_no_entry():
    assert (
        entry(
            category_code="land", subject_kind="emission_right", funding_source="any", amount=None
        )
        is None
    )


def test_an_unknown_category_is_refused():
    with pytest.raises(UnknownCatalogCode):
        catalog_entry_for_project(category_code="forest_rights", funding_source="any", amount=None)
