"""The unified social credit code validator (GB 32100-2015)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.entities.uscc import CHARSET, check_character, normalise_uscc, validate_uscc

# Codes of real, well-known enterprises (published on their business licences).
REAL_CODES = ["914403001922038216", "9144030071526726XG", "91110000100017643K"]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_valid(code):
    assert validate_uscc(code) is None


@pytest.mark.parametrize("code", ["91440300192203821", "9144030019220382161", ""])
def test_wrong_length_is_named(code):
    error = validate_uscc(code)
    assert error.rule == "length"
    assert str(len(code)) in error.message


@pytest.mark.parametrize(
    ("code", "position", "char"),
    [
        ("9144030019220382I6", 17, "I"),  # I is not in the character set
        ("91440300O922038216", 9, "O"),
        ("9144030019220382S6", 17, "S"),
        ("914403001922038-16", 15, "-"),
        ("914403001922038z16", 15, "z"),  # lower case is not accepted un-normalised
    ],
)
def test_bad_character_is_named_with_its_position(code, position, char):
    error = validate_uscc(code)
    assert error.rule == "character"
    assert str(position) in error.message
    assert char in error.message


def test_bad_check_digit_names_the_expected_character():
    error = validate_uscc("914403001922038217")
    assert error.rule == "check_digit"
    assert "“6”" in error.message


def test_normalise_strips_and_upper_cases():
    assert normalise_uscc(" 9144030071526726xg ") == "9144030071526726XG"


@given(st.text(alphabet=CHARSET, min_size=17, max_size=17))
def test_any_body_with_its_check_character_is_valid(body):
    assert validate_uscc(body + check_character(body)) is None


@given(
    st.text(alphabet=CHARSET, min_size=17, max_size=17),
    st.integers(min_value=0, max_value=16),
    st.sampled_from(CHARSET),
)
def test_any_single_character_change_is_detected(body, position, replacement):
    """31 is prime and every weight is a unit mod 31: any one changed character is caught."""
    code = body + check_character(body)
    changed = code[:position] + replacement + code[position + 1 :]
    if changed != code:
        assert validate_uscc(changed) is not None
