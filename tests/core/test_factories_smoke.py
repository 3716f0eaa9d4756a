from portal.entities.uscc import validate_uscc
from tests.factories import make_uscc


def test_generated_codes_are_valid_and_distinct():
    codes = {make_uscc(n) for n in range(1, 500)}
    assert len(codes) == 499
    assert all(validate_uscc(code) is None for code in codes)


def test_personas_build(staff, centre, other_centre, bidder_a, regulator):
    assert staff.has_perm("centres.manage_centre", centre)
    assert not staff.has_perm("centres.manage_centre", other_centre)
    assert bidder_a.entity is not None
