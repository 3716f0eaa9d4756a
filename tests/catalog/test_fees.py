"""Service fees per lot: cumulative differential rates (差额定率累进), minimum and maximum."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from catalog.fees import FeeTier, FeeTierError, compute_fee, fee_for_lot, parse_tiers
from catalog.models import FeeStandard

TIERS = [
    {"up_to": "1000000", "rate": "0.01"},
    {"up_to": "5000000", "rate": "0.005"},
    {"up_to": None, "rate": "0.002"},
]


@pytest.mark.parametrize(
    ("amount", "fee"),
    [
        ("0", "0"),
        ("500000", "5000"),  # 500,000 × 1 %
        ("1000000", "10000"),
        ("3000000", "20000"),  # 1,000,000 × 1 % + 2,000,000 × 0.5 %
        ("5000000", "30000"),
        ("8000000", "36000"),  # + 3,000,000 × 0.2 %
        ("1000050", "10000"),  # 10,000.25 rounds down
        ("1000100", "10001"),  # 10,000.50 rounds half up
    ],
)
def test_cumulative_differential_rates(amount, fee):
    assert compute_fee(amount=Decimal(amount), tiers=TIERS) == Decimal(fee)


def test_minimum_and_maximum_per_lot():
    assert compute_fee(amount=Decimal("10000"), tiers=TIERS, minimum=Decimal("500")) == 500
    assert compute_fee(amount=Decimal("8000000"), tiers=TIERS, maximum=Decimal("30000")) == 30000
    assert (
        compute_fee(
            amount=Decimal("3000000"), tiers=TIERS, minimum=Decimal("500"), maximum=Decimal("30000")
        )
        == 20000
    )


def test_negative_amounts_are_refused():
    with pytest.raises(ValueError):
        compute_fee(amount=Decimal("-1"), tiers=TIERS)


@pytest.mark.parametrize(
    "tiers",
    [
        [],
        "0.01",
        [{"rate": "0.01"}],
        [{"up_to": "100", "rate": "0.01"}],  # the last band must be open-ended
        [{"up_to": None, "rate": "0.01"}, {"up_to": None, "rate": "0.01"}],
        [
            {"up_to": "100", "rate": "0.01"},
            {"up_to": "50", "rate": "0.01"},
            {"up_to": None, "rate": "0"},
        ],
        [{"up_to": None, "rate": "1.5"}],
        [{"up_to": None, "rate": "abc"}],
        [{"up_to": "-5", "rate": "0.01"}, {"up_to": None, "rate": "0"}],
    ],
)
def test_malformed_tiers_are_refused(tiers):
    with pytest.raises(FeeTierError):
        parse_tiers(tiers)


def test_parsed_tiers():
    assert parse_tiers(TIERS) == (
        FeeTier(Decimal("1000000"), Decimal("0.01")),
        FeeTier(Decimal("5000000"), Decimal("0.005")),
        FeeTier(None, Decimal("0.002")),
    )
    assert parse_tiers(TIERS)[1].rate_percent == "0.5"


@given(
    a=st.decimals(min_value=0, max_value=10**10, places=2),
    b=st.decimals(min_value=0, max_value=10**10, places=2),
)
def test_the_fee_never_falls_as_the_amount_rises_and_never_exceeds_the_top_rate(a, b):
    low, high = sorted((a, b))
    assert compute_fee(amount=low, tiers=TIERS) <= compute_fee(amount=high, tiers=TIERS)
    assert compute_fee(amount=high, tiers=TIERS) <= (high * Decimal("0.01")).to_integral_value() + 1


@pytest.mark.django_db
def test_the_seeded_engineering_standard():
    standard = FeeStandard.objects.get(code="engineering-service-fee")
    # 1,000,000 × 0.15 % + 2,000,000 × 0.08 % = 1,500 + 1,600
    assert fee_for_lot(standard, Decimal("3000000")) == 3100
    assert fee_for_lot(standard, Decimal("100000")) == 1000  # the minimum
    assert fee_for_lot(standard, Decimal("900000000")) == 50000  # the maximum


@pytest.mark.django_db
def test_a_fee_standard_with_bad_tiers_does_not_validate(engineering):
    standard = FeeStandard(
        code="bad",
        category=engineering,
        name="x",
        tiers=[{"up_to": "10", "rate": "0.1"}],
        source="test",
    )
    with pytest.raises(ValidationError) as raised:
        standard.full_clean(validate_constraints=False)
    assert "tiers" in raised.value.message_dict
