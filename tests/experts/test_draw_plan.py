"""The draw's randomness and sequence, pure: the DRBG against NIST's vector, uniform integers
without modulo bias, uniform draws over the eligible set (chi-square, fixed seed), and the
audit record re-running to the same experts."""

import hashlib
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from experts import draw_plan
from experts.drbg import HmacDrbg

SEED = hashlib.sha256(b"fixed test seed").digest()

# Upper 0.1 % points of the chi-square distribution (standard tables).
CHI2_999 = {2: 13.816, 3: 16.266, 4: 18.467, 9: 27.877, 19: 43.820}


def chi_square(counts: list[int], expected: float) -> float:
    return sum((observed - expected) ** 2 / expected for observed in counts)


def test_hmac_drbg_matches_the_nist_cavp_vector():
    """SP 800-90A HMAC_DRBG, SHA-256, no prediction resistance, no reseed, COUNT = 0
    (CAVP HMAC_DRBG.rsp): instantiate, generate 1024 bits twice, compare the second."""
    drbg = HmacDrbg(
        entropy=bytes.fromhex("ca851911349384bffe89de1cbdc46e6831e44d34a4fb935ee285dd14b71a7488"),
        nonce=bytes.fromhex("659ba96c601dc69fc902940805ec0ca8"),
    )
    drbg.generate(128)
    assert drbg.generate(128).hex() == (
        "e528e9abf2dece54d47c7e75e5fe302149f817ea9fb4bee6f4199697d04d5b89d54fbb978a15b5c443c9ec21"
        "036d2460b6f73ebad0dc2aba6e624abf07745bc107694bb7547bb0995f70de25d6b29e2d3011bb19d27676c0"
        "7162c8b5ccde0668961df86803482cb37ed6d5c0bb8d50cf1f50d476aa0458bdaba806f48be9dcb8"
    )


def test_the_drbg_refuses_a_short_seed():
    with pytest.raises(ValueError):
        HmacDrbg(entropy=b"short", nonce=b"")


@pytest.mark.parametrize("n", [3, 5, 10, 20])
def test_randbelow_is_uniform(n):
    drbg = HmacDrbg(entropy=SEED, nonce=b"randbelow", personalization=str(n).encode())
    samples = 20_000
    counts = Counter(drbg.randbelow(n) for _ in range(samples))
    assert set(counts) == set(range(n))
    assert chi_square([counts[i] for i in range(n)], samples / n) < CHI2_999[n - 1]


def test_the_chi_square_test_catches_modulo_bias():
    """The statistic has the power to see what rejection sampling avoids: one byte taken
    modulo 192 makes 0–63 twice as likely as 64–191."""
    drbg = HmacDrbg(entropy=SEED, nonce=b"biased")
    samples = 20_000
    counts = Counter(drbg.generate(1)[0] % 192 // 48 for _ in range(samples))  # 4 bins
    assert chi_square([counts[i] for i in range(4)], samples / 4) > CHI2_999[3]


def _one_group(eligible, count, backups=0):
    return [draw_plan.GroupSpec("A0201", count, backups, tuple(eligible))]


def test_draws_are_uniform_over_the_eligible_set():
    """10,000 draws of one expert among ten eligible, each with its own public value (as
    each real draw has): every expert is drawn about as often (chi-square, 9 d.f.)."""
    eligible = list(range(100, 110))
    counts = Counter()
    draws = 10_000
    for draw_id in range(draws):
        public = hashlib.sha256(f"public {draw_id}".encode()).digest()
        sequence = draw_plan.DrawSequence(
            seed=SEED, public_value=public, draw_id=draw_id, groups=_one_group(eligible, 1)
        )
        sequence.start()
        counts[sequence.members()[0][0]] += 1
    assert set(counts) == set(eligible)
    assert chi_square([counts[e] for e in eligible], draws / len(eligible)) < CHI2_999[9]


def test_every_expert_has_the_same_chance_of_a_seat():
    """Five seats among twenty eligible over 4,000 draws: each expert is seated in about a
    quarter of them, and each is first as often as any other."""
    eligible = list(range(1, 21))
    seated, first = Counter(), Counter()
    draws = 4_000
    for draw_id in range(draws):
        public = hashlib.sha256(f"public {draw_id}".encode()).digest()
        sequence = draw_plan.DrawSequence(
            seed=SEED, public_value=public, draw_id=draw_id, groups=_one_group(eligible, 5)
        )
        sequence.start()
        members = sequence.members()[0]
        assert len(set(members)) == 5
        seated.update(members)
        first[members[0]] += 1
    # Seat counts are slightly less variable than multinomial counts (5 distinct per draw),
    # so the chi-square bound is conservative.
    assert chi_square([seated[e] for e in eligible], draws * 5 / 20) < CHI2_999[19]
    assert chi_square([first[e] for e in eligible], draws / 20) < CHI2_999[19]


def test_the_sequence_is_deterministic_and_bound_to_its_inputs():
    eligible = list(range(1, 200))
    groups = _one_group(eligible, 5, backups=2)

    def members(seed=SEED, public=b"p" * 32, draw_id=7):
        sequence = draw_plan.DrawSequence(
            seed=seed, public_value=public, draw_id=draw_id, groups=groups
        )
        sequence.start()
        return sequence.members()

    assert members() == members()
    assert members() != members(public=b"q" * 32)
    assert members() != members(seed=hashlib.sha256(b"other").digest())
    assert members() != members(draw_id=8)


def test_an_expert_with_two_specialties_is_invited_once():
    groups = [
        draw_plan.GroupSpec("A0201", 3, 0, (1, 2, 3, 4)),
        draw_plan.GroupSpec("C0104", 3, 0, (1, 2, 3, 4, 5, 6)),
    ]
    sequence = draw_plan.DrawSequence(seed=SEED, public_value=b"x", draw_id=1, groups=groups)
    invited = sequence.start()
    experts = [invite.expert_id for invite in invited]
    assert len(experts) == len(set(experts)) == 6


def test_a_vacancy_is_filled_from_the_same_groups_order():
    eligible = tuple(range(1, 30))
    sequence = draw_plan.DrawSequence(
        seed=SEED, public_value=b"x", draw_id=1, groups=_one_group(eligible, 5, backups=1)
    )
    first = [invite.expert_id for invite in sequence.start()]
    declined = sequence.members()[0][1]
    replacement = sequence.vacate(declined)
    assert len(replacement) == 1 and replacement[0].expert_id in eligible
    assert replacement[0].expert_id not in first
    members = sequence.members()[0]
    assert declined not in members
    # The reserve moved up; the new expert is the reserve now.
    assert members == [e for e in first if e != declined][:5]
    assert sequence.reserves()[0] == [replacement[0].expert_id]


def test_a_group_that_runs_out_reports_its_shortfall():
    sequence = draw_plan.DrawSequence(
        seed=SEED, public_value=b"x", draw_id=1, groups=_one_group((1, 2, 3), 3)
    )
    sequence.start()
    assert sequence.shortfall() == {}
    sequence.vacate(2)
    assert sequence.shortfall() == {0: 1}


def _record(eligible, count, backups, vacancies_from=()):
    groups = _one_group(eligible, count, backups)
    public = hashlib.sha256(b"trade log entry").hexdigest()
    sequence = draw_plan.DrawSequence(
        seed=SEED, public_value=bytes.fromhex(public), draw_id=42, groups=groups
    )
    sequence.start()
    vacancies = []
    for index in vacancies_from:
        expert = sequence.members()[0][index]
        vacancies.append(expert)
        sequence.vacate(expert)
    return (
        {
            "draw": 42,
            "algorithm": draw_plan.ALGORITHM,
            "commitment": draw_plan.commitment_of(SEED),
            "public_value": public,
            "seed": SEED.hex(),
            "eligible_digest": draw_plan.eligible_digest(groups),
            "groups": [
                {
                    "specialty": g.code,
                    "count": g.count,
                    "backups": g.backups,
                    "eligible": list(g.eligible),
                    "eligible_digest": draw_plan.group_digest(g.eligible),
                }
                for g in groups
            ],
            "vacancies": vacancies,
            "invitations": [{"group": i.group, "expert": i.expert_id} for i in sequence.invited],
        },
        [e for members in sequence.members() for e in members],
    )


def test_the_audit_record_re_runs_to_the_same_experts():
    record, members = _record(list(range(1, 60)), 5, 2, vacancies_from=(0, 3))
    assert draw_plan.verify_draw(record) == members


@pytest.mark.parametrize(
    "tamper",
    [
        lambda r: r.update(seed=hashlib.sha256(b"another seed").hexdigest()),
        lambda r: r["groups"][0]["eligible"].remove(r["groups"][0]["eligible"][-1]),
        lambda r: r.update(public_value="00" * 32),
        lambda r: r["vacancies"].pop(),
        lambda r: r.update(seed=None),
    ],
    ids=["seed", "eligible set", "public value", "vacancy", "sealed"],
)
def test_a_tampered_audit_record_does_not_verify(tamper):
    record, _members = _record(list(range(1, 60)), 5, 2, vacancies_from=(1,))
    tamper(record)
    with pytest.raises(draw_plan.AuditMismatch):
        draw_plan.verify_draw(record)


@settings(max_examples=60, deadline=None)
@given(
    size=st.integers(min_value=5, max_value=80),
    count=st.integers(min_value=1, max_value=5),
    backups=st.integers(min_value=0, max_value=3),
    declines=st.lists(st.integers(min_value=0, max_value=10), max_size=8),
)
def test_any_sequence_of_declines_replays(size, count, backups, declines):
    eligible = list(range(1000, 1000 + size))
    groups = _one_group(eligible, min(count, size), backups)
    live = draw_plan.DrawSequence(seed=SEED, public_value=b"v", draw_id=3, groups=groups)
    live.start()
    vacancies = []
    for pick in declines:
        holders = live.holders(0)
        if not holders:
            break
        expert = holders[pick % len(holders)]
        vacancies.append(expert)
        live.vacate(expert)
    again = draw_plan.replay(
        seed=SEED, public_value=b"v", draw_id=3, groups=groups, vacancies=vacancies
    )
    assert again.invited == live.invited
    assert again.members() == live.members()
    assert not set(again.members()[0]) & set(vacancies)


@settings(max_examples=300)
@given(st.lists(st.integers(min_value=-(2**63), max_value=2**63 - 1), max_size=60))
def test_a_group_digest_is_sha256_of_the_ids_in_decimal_joined_by_commas(ids):
    """The published format (`expert-draw/v1|eligible|` and the ids, ascending, in decimal,
    comma-separated), whichever way the ids are printed: old draws keep verifying."""
    text = "expert-draw/v1|eligible|" + ",".join(str(expert) for expert in ids)
    assert draw_plan.group_digest(ids) == hashlib.sha256(text.encode()).hexdigest()
    assert draw_plan.group_digest(tuple(ids)) == draw_plan.group_digest(ids)
    assert (
        draw_plan.group_digest([1, 2, 30])
        == hashlib.sha256(b"expert-draw/v1|eligible|1,2,30").hexdigest()
    )
