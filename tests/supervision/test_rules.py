"""The detectors as pure functions: each fires on facts built to trigger it and stays quiet on
a clean trade. The statutory twins read real catalog rows (the numbers are data)."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.working_days import HolidayCalendar
from supervision.rules import screens
from supervision.rules.facts import (
    AwardFacts,
    BidFacts,
    ClarificationFacts,
    EntityFacts,
    EntryFacts,
    GroupMeeting,
    ListingFacts,
    LotFacts,
    MemberFacts,
    SecurityFacts,
)
from supervision.rules.registry import DETECTORS, applicable

SH = ZoneInfo("Asia/Shanghai")
CALENDAR = HolidayCalendar(exceptions={}, complete_years=frozenset({2026}))


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def bid(i, uscc, price=None, **kw):
    defaults = dict(
        id=i,
        uscc=uscc,
        state="decrypted" if price else "submitted",
        received_at=at(2026, 3, 20, 10, i),
        client_ip=f"10.0.0.{i}",
        device_fingerprint=f"device-{i}",
        price=Decimal(price) if price else None,
        qualified=True if price else None,
        document_digests=(f"digest-{i}",),
    )
    defaults.update(kw)
    return BidFacts(**defaults)


def clean_lot(**kw) -> LotFacts:
    """An ordinary, competitive, lawful tender: three independent bidders."""
    facts = LotFacts(
        project_id=1,
        project_title="示范工程",
        lot_id=10,
        lot_number=1,
        category="engineering",
        method="open_tender",
        department="development_reform",
        region_id=None,
        centre_id=None,
        tenderee_uscc="T" * 18,
        funding_source="state_owned",
        state="awarded",
        estimate_amount=Decimal("5000000"),
        bid_security_amount=Decimal("100000"),
        documents_issued_at=at(2026, 3, 2, 9),
        documents_sale_ends_at=at(2026, 3, 9, 17),
        bid_deadline=at(2026, 3, 23, 9, 30),
        bids=[
            bid(1, "A" * 18, "4321000.00"),
            bid(2, "B" * 18, "4198000.00"),
            bid(3, "C" * 18, "4560000.00"),
        ],
        entities={
            u * 18: EntityFacts(u * 18, f"{u} 公司", f"法人{u}", f"1380000000{i}", f"{u}路{i}号")
            for i, u in enumerate("ABC")
        },
        securities=[
            SecurityFacts(u * 18, Decimal("100000"), f"62220{i}", "held", Decimal("100000"), 0)
            for i, u in enumerate("ABC")
        ],
        committee=[MemberFacts(user_id=i, name=f"专家{i}", is_expert=True) for i in range(5)],
        ranking=[2, 1, 3],
        evaluation_completed_at=at(2026, 3, 24, 17),
        candidates_published_at=at(2026, 3, 25, 9),
        candidates_publicity_ends_at=at(2026, 3, 28, 9),
        award=AwardFacts(bid_id=2, candidate_rank=1, reason="", awarded_at=at(2026, 3, 29, 9)),
        calendar=CALENDAR,
    )
    for key, value in kw.items():
        setattr(facts, key, value)
    return facts


@pytest.fixture
def statutory(db):
    from catalog.selectors import rules_for

    return rules_for("engineering", "open_tender", on=date(2026, 3, 2))


def fire(detector: str, facts, params=None):
    return DETECTORS[detector].function(facts, params or {})


LOT_DETECTORS = [name for name, d in DETECTORS.items() if d.scope == "lot"]


@pytest.mark.django_db
def test_a_clean_trade_raises_nothing(statutory):
    from supervision.models import AlertRule

    facts = clean_lot(statutory_rules=statutory)
    rules = applicable(AlertRule.objects.all(), "engineering", "open_tender")
    fired = {
        rule.code: DETECTORS[rule.detector].function(facts, rule.params)
        for rule in rules
        if rule.detector in LOT_DETECTORS
    }
    assert {code: hits for code, hits in fired.items() if hits} == {}
    assert len(fired) >= 20


# --- Process compliance ----------------------------------------------------------------


def test_short_bid_period_fires_with_the_catalogs_number_and_source(statutory):
    facts = clean_lot(statutory_rules=statutory, bid_deadline=at(2026, 3, 12, 9, 30))
    hits = fire("statutory_twin", facts, {"statutory_rules": ["documents_to_deadline"]})
    assert [h.evidence["statutory_rule"] for h in hits] == ["engineering.documents_to_deadline"]
    assert hits[0].source == "招标投标法 第24条"
    assert hits[0].evidence["values"]["bid_deadline"] == at(2026, 3, 12, 9, 30)


def test_bid_security_above_the_cap(statutory):
    facts = clean_lot(statutory_rules=statutory, bid_security_amount=Decimal("100001"))
    assert fire("statutory_twin", facts, {"statutory_rules": ["bid_security_cap"]})
    facts = clean_lot(statutory_rules=statutory, bid_security_amount=Decimal("100000"))
    assert not fire("statutory_twin", facts, {"statutory_rules": ["bid_security_cap"]})


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        ([True] * 4, {"engineering.committee_size"}),
        ([True] * 6, {"engineering.committee_size"}),
        ([True, True, True, False, False], {"engineering.committee_expert_share"}),
        ([True] * 5, set()),
    ],
)
def test_committee_size_and_composition(statutory, members, expected):
    committee = [MemberFacts(user_id=i, name="x", is_expert=e) for i, e in enumerate(members)]
    facts = clean_lot(statutory_rules=statutory, committee=committee)
    params = {"statutory_rules": ["committee_size", "committee_expert_share"]}
    assert {h.evidence["statutory_rule"] for h in fire("statutory_twin", facts, params)} == expected


def test_late_clarification_without_moving_the_deadline(statutory):
    late = ClarificationFacts(7, at(2026, 3, 16, 9), True, at(2026, 3, 23, 9, 30), False)
    facts = clean_lot(statutory_rules=statutory, clarifications=[late])
    hits = fire("late_clarification", facts)
    assert [h.subject for h in hits] == ["announcement:7"]
    moved = ClarificationFacts(7, at(2026, 3, 16, 9), True, at(2026, 3, 31, 9, 30), True)
    minor = ClarificationFacts(8, at(2026, 3, 20, 9), False, at(2026, 3, 23, 9, 30), False)
    assert not fire(
        "late_clarification", clean_lot(statutory_rules=statutory, clarifications=[moved, minor])
    )


def test_an_expert_who_should_have_been_avoided():
    related = MemberFacts(
        user_id=9, name="王专家", is_expert=True, relations=(("B" * 18, date(2024, 6, 1)),)
    )
    employed = MemberFacts(user_id=8, name="李专家", is_expert=True, employer_uscc="T" * 18)
    long_ago = MemberFacts(
        user_id=7, name="赵专家", is_expert=True, relations=(("C" * 18, date(2020, 1, 1)),)
    )
    facts = clean_lot(committee=[related, employed, long_ago])
    hits = fire("avoidance_breach", facts, {"lookback_years": 3})
    assert {h.evidence["expert"] for h in hits} == {8, 9}
    assert not fire("avoidance_breach", clean_lot())


def test_award_not_to_the_first_candidate_without_a_reason():
    facts = clean_lot(award=AwardFacts(1, 1, "", at(2026, 3, 29, 9)))
    assert fire("award_not_first", facts)[0].evidence["first_candidate_bid"] == 2
    facts = clean_lot(award=AwardFacts(1, 2, "第一候选人放弃中标", at(2026, 3, 29, 9)))
    assert not fire("award_not_first", facts)


def test_publicity_cut_short(statutory):
    short = clean_lot(statutory_rules=statutory, candidates_publicity_ends_at=at(2026, 3, 26, 9))
    assert fire("publicity_cut_short", short)
    early = clean_lot(award=AwardFacts(2, 1, "", at(2026, 3, 27, 9)))
    assert [h.subject for h in fire("publicity_cut_short", early)] == [
        "lot:10:award_before_publicity_end"
    ]


def test_contract_signed_late(statutory):
    params = {"statutory_rules": ["contract_signing"]}
    late = clean_lot(statutory_rules=statutory, contract_signed_at=at(2026, 5, 20, 9))
    assert fire("statutory_twin", late, params)
    on_time = clean_lot(statutory_rules=statutory, contract_signed_at=at(2026, 4, 20, 9))
    assert not fire("statutory_twin", on_time, params)


def test_deposits_returned_late_or_short(statutory):
    params = {"statutory_rules": ["bid_security_return"]}
    refunded = [
        SecurityFacts(
            "A" * 18,
            Decimal("100000"),
            "1",
            "refunded",
            Decimal("100000"),
            Decimal("100000"),
            refunded_at=at(2026, 4, 30, 9),
        ),
        SecurityFacts(
            "B" * 18,
            Decimal("100000"),
            "2",
            "refunded",
            Decimal("100000"),
            Decimal("99950"),
            refunded_at=at(2026, 4, 21, 9),
        ),
    ]
    facts = clean_lot(
        statutory_rules=statutory, contract_signed_at=at(2026, 4, 20, 9), securities=refunded
    )
    subjects = {h.subject for h in fire("deposit_refund", facts, params)}
    assert subjects == {"lot:10:engineering.bid_security_return", f"lot:10:short:{'B' * 18}"}


# --- Overdue steps (the sweep sets the clock, `as_of`) --------------------------------------


def test_a_contract_never_signed_is_overdue_after_the_catalogs_period(statutory):
    """Award notice 2026-03-29, 30 days (招标投标法 第46条, the catalog's number): due by
    2026-04-28; nothing is overdue before, or once the contract exists, or without a clock."""
    params = {"statutory_rules": ["contract_signing"]}
    lot = clean_lot(statutory_rules=statutory, as_of=at(2026, 4, 29, 9))
    (hit,) = fire("overdue_step", lot, params)
    assert hit.subject == "lot:10:overdue:engineering.contract_signing"
    assert hit.evidence["missing"] == "contract_signed_at"
    assert hit.evidence["due_by"] == date(2026, 4, 28)
    assert hit.source == "招标投标法 第46条"
    assert not fire(
        "overdue_step", clean_lot(statutory_rules=statutory, as_of=at(2026, 4, 28, 20)), params
    )
    assert not fire("overdue_step", clean_lot(statutory_rules=statutory), params)
    signed = clean_lot(
        statutory_rules=statutory, as_of=at(2026, 6, 1, 9), contract_signed_at=at(2026, 5, 20, 9)
    )
    assert not fire("overdue_step", signed, params)  # late, but the twin says so


def _security(uscc, state):
    return SecurityFacts(uscc, Decimal("100000"), uscc[:1], state, Decimal("100000"), 0)


def test_securities_never_returned(db):
    from catalog.selectors import rules_for

    params = {
        "statutory_rules": [
            "bid_security_return",
            "bid_security_return_unsuccessful",
            "bid_security_return_winner",
        ]
    }
    engineering = rules_for("engineering", "open_tender", on=date(2026, 3, 2))
    held = [_security("A" * 18, "held"), _security("B" * 18, "applied")]
    lot = clean_lot(
        statutory_rules=engineering,
        contract_signed_at=at(2026, 4, 20, 9),
        securities=held,
        # 5 days after signing end on Saturday 2026-04-25: due by Monday 2026-04-27.
        as_of=at(2026, 4, 28, 9),
    )
    (hit,) = fire("overdue_step", lot, params)
    assert hit.evidence["statutory_rule"] == "engineering.bid_security_return"
    assert hit.entities == ("A" * 18,) and hit.evidence["securities_held"] == ["A" * 18]
    assert hit.evidence["due_by"] == date(2026, 4, 27)
    assert not fire(
        "overdue_step", clean_lot(**{**lot.__dict__, "as_of": at(2026, 4, 27, 20)}), params
    )
    returned = [_security("A" * 18, "refunded"), _security("B" * 18, "applied")]
    assert not fire("overdue_step", clean_lot(**{**lot.__dict__, "securities": returned}), params)

    # Government procurement: the unsuccessful suppliers' securities are due 5 working days
    # after the award notice, contract or not (采购条例 第33条).
    procurement = rules_for("procurement", "open_tender", on=date(2026, 3, 2))
    lot = clean_lot(
        category="procurement",
        statutory_rules=procurement,
        securities=[_security("A" * 18, "held"), _security("B" * 18, "held")],
        as_of=at(2026, 4, 6, 9),  # award 2026-03-29 (Sunday) + 5 working days = 2026-04-03
    )
    codes = {h.evidence["statutory_rule"] for h in fire("overdue_step", lot, params)}
    assert codes == {"procurement.bid_security_return_unsuccessful"}
    winner_only = clean_lot(**{**lot.__dict__, "securities": [_security("B" * 18, "held")]})
    assert not fire("overdue_step", winner_only, params)  # B won: its security awaits the contract


def test_auction_deposits_never_returned(db):
    from catalog.selectors import rules_for

    listing = ListingFacts(
        listing_id=7,
        title="地块",
        category="land",
        method="auction",
        department="natural_resources",
        region_id=None,
        centre_id=None,
        state="sold",
        starting_price=Decimal("1000"),
        increment=Decimal("10"),
        reserve_price=None,
        final_price=Decimal("1200"),
        winner_uscc="A" * 18,
        result_at=at(2026, 3, 2, 10),  # Monday: 5 working days → due by 2026-03-09
        deposits_held=("A" * 18, "B" * 18),
        statutory_rules=rules_for("land", "auction", on=date(2026, 3, 2)),
        calendar=CALENDAR,
        as_of=at(2026, 3, 10, 9),
    )
    params = {"statutory_rules": ["deposit_refund"]}
    (hit,) = fire("auction_deposit_overdue", listing, params)
    assert hit.entities == ("B" * 18,) and hit.evidence["due_by"] == date(2026, 3, 9)
    listing.as_of = at(2026, 3, 9, 20)
    assert not fire("auction_deposit_overdue", listing, params)
    listing.as_of, listing.deposits_held = at(2026, 4, 1), ("A" * 18,)  # the winner's: applied
    assert not fire("auction_deposit_overdue", listing, params)


def test_a_step_outside_its_state_or_during_a_hold():
    def entry(**kw):
        base = dict(
            seq=5,
            action="lot.award",
            object_type="trading.lot",
            object_id="10",
            occurred_at=at(2026, 3, 29, 9),
            payload={"project": 1, "lot": 10, "from": "publicity", "to": "awarded"},
        )
        return EntryFacts(**{**base, **kw})

    assert not fire("step_outside_state", entry())
    skipped = entry(payload={"project": 1, "lot": 10, "from": "opened", "to": "awarded"})
    assert fire("step_outside_state", skipped)[0].evidence["allowed_from"] == ["publicity"]
    held = fire("step_outside_state", entry(hold_in_force=(3, "投诉处理中")))
    assert [h.severity for h in held] == ["critical"]


# --- Competition -------------------------------------------------------------------------


def test_single_bid_only_once_the_bids_are_known():
    one = [bid(1, "A" * 18, "4000000")]
    assert fire("single_bid", clean_lot(bids=one))
    assert not fire("single_bid", clean_lot(bids=one, state="bidding"))


def test_all_but_the_winner_disqualified_and_lowest_disqualified():
    bids = [
        bid(1, "A" * 18, "4321000.00", qualified=False, disqualification_reason="资质不符"),
        bid(2, "B" * 18, "4698000.00"),
        bid(3, "C" * 18, "4160000.00", qualified=False, disqualification_reason="业绩不符"),
    ]
    facts = clean_lot(bids=bids)
    assert fire("all_but_winner_disqualified", facts, {"threshold": 1})
    assert fire("lowest_bid_disqualified", facts)[0].evidence["bid"] == 3


def test_a_late_bid_won():
    bids = [bid(1, "A" * 18, "1"), bid(2, "B" * 18, "2", received_at=at(2026, 3, 23, 9, 31))]
    assert fire("late_bid_won", clean_lot(bids=bids))


# --- Collusion ---------------------------------------------------------------------------


def test_two_entities_bidding_from_one_ip_with_identical_documents():
    bids = [
        bid(1, "A" * 18, "4321000.00", client_ip="203.0.113.7", document_digests=("d1", "same")),
        bid(2, "B" * 18, "4198000.00", client_ip="203.0.113.7", document_digests=("same",)),
        bid(3, "C" * 18, "4560000.00"),
    ]
    facts = clean_lot(bids=bids)
    ip = fire("shared_ip", facts)
    docs = fire("identical_documents", facts)
    assert [h.entities for h in ip] == [("A" * 18, "B" * 18)]
    assert ip[0].evidence["client_ip"] == "203.0.113.7"
    assert [h.evidence["digest"] for h in docs] == ["same"]
    assert not fire("shared_ip", facts, {"ignore": ["203.0.113.7"]})


def test_documents_sharing_an_author_across_bidders():
    params = {"fields": ["creator", "last_modified_by", "company"], "ignore": ["Administrator"]}
    bids = [
        bid(1, "A" * 18, "4321000.00", document_authorship=(("a.docx", "creator", "王 五"),)),
        bid(
            2, "B" * 18, "4198000.00", document_authorship=(("b.docx", "last_modified_by", "王五"),)
        ),
        bid(3, "C" * 18, "4560000.00", document_authorship=(("c.docx", "creator", "黄三"),)),
    ]
    hits = fire("shared_authoring_metadata", clean_lot(bids=bids), params)
    assert [h.entities for h in hits] == [("A" * 18, "B" * 18)]
    assert [(d["bidder"], d["field"]) for d in hits[0].evidence["documents"]] == [
        ("A" * 18, "creator"),
        ("B" * 18, "last_modified_by"),
    ]
    # Generic values (any case), fields not compared, and one bidder's own documents: quiet.
    generic = [
        bid(1, "A" * 18, "1.00", document_authorship=(("a.docx", "creator", "administrator"),)),
        bid(2, "B" * 18, "2.00", document_authorship=(("b.docx", "creator", "Administrator"),)),
        bid(3, "C" * 18, "3.00", document_authorship=(("c.pdf", "producer", "WPS"),)),
        bid(4, "D" * 18, "4.00", document_authorship=(("d.pdf", "producer", "WPS"),)),
        bid(
            5,
            "E" * 18,
            "5.00",
            document_authorship=(("e1", "creator", "X"), ("e2", "creator", "X")),
        ),
    ]
    assert not fire("shared_authoring_metadata", clean_lot(bids=generic), params)
    withdrawn = [*bids[:1], BidFacts(**{**bids[1].__dict__, "state": "withdrawn"})]
    assert not fire("shared_authoring_metadata", clean_lot(bids=withdrawn), params)


def test_same_device_same_account_same_contact():
    bids = [bid(1, "A" * 18, device_fingerprint="dev"), bid(2, "B" * 18, device_fingerprint="dev")]
    assert fire("shared_device", clean_lot(bids=bids))
    securities = [
        SecurityFacts("A" * 18, Decimal(1), "6222", "held", Decimal(1), 0),
        SecurityFacts("B" * 18, Decimal(1), "6222", "held", Decimal(1), 0),
    ]
    assert fire("shared_security_account", clean_lot(securities=securities))
    entities = {
        "A" * 18: EntityFacts("A" * 18, "甲", "张三", "13800000001", "甲路1号"),
        "B" * 18: EntityFacts("B" * 18, "乙", "李四", "138 0000 0001", "乙路2号"),
        "C" * 18: EntityFacts("C" * 18, "丙", "王五", "13800000003", "丙路3号"),
    }
    hits = fire("shared_contact", clean_lot(entities=entities))
    assert [h.evidence["shared"] for h in hits] == [{"contact_phone": "13800000001"}]


def test_price_screens():
    identical = [bid(1, "A" * 18, "100"), bid(2, "B" * 18, "100"), bid(3, "C" * 18, "120")]
    assert fire("identical_prices", clean_lot(bids=identical))
    tight = [
        bid(1, "A" * 18, "1000"),
        bid(2, "B" * 18, "1040"),
        bid(3, "C" * 18, "1045"),
        bid(4, "D" * 18, "1050"),
    ]
    swiss = {"max_cv": "0.06", "min_rd": "1", "min_bids": 3}
    assert fire("low_price_variation", clean_lot(bids=tight), swiss)
    assert not fire("low_price_variation", clean_lot(), swiss)  # CV 0.042 but RD 0.73
    spaced = [bid(i, u * 18, str(1000 + 30 * i)) for i, u in enumerate("ABCD", 1)]
    assert fire("equal_spacing", clean_lot(bids=spaced), {"max_deviation": "0.02"})
    cover = [
        bid(1, "A" * 18, "800"),
        bid(2, "B" * 18, "1000"),
        bid(3, "C" * 18, "1010"),
        bid(4, "D" * 18, "1005"),
    ]
    assert fire("price_gap", clean_lot(bids=cover), {"min_rd": "1", "min_bids": 4})
    assert not fire("price_gap", clean_lot(), {"min_rd": "1", "min_bids": 4})


def test_bid_rotation():
    meetings = [GroupMeeting(20, "A" * 18), GroupMeeting(30, "C" * 18)]
    facts = clean_lot(group_meetings=meetings)
    hits = fire("bid_rotation", facts, {"min_meetings": 3, "min_distinct_winners": 2})
    assert hits[0].evidence["meetings"][-1] == {"lot": 10, "winner": "B" * 18}
    assert not fire("bid_rotation", clean_lot(group_meetings=meetings[:1]), {"min_meetings": 3})


@given(
    st.lists(st.decimals(min_value=1, max_value=10**9, places=2), min_size=3, max_size=12),
    st.decimals(min_value=Decimal("0.01"), max_value=100, places=2),
)
def test_screens_are_scale_free(prices, factor):
    """CV, RD and the spacing deviation are ratios: scaling every price changes none."""
    scaled = [p * factor for p in prices]
    for screen in (
        screens.coefficient_of_variation,
        screens.relative_distance,
        screens.spacing_deviation,
    ):
        a, b = screen(prices), screen(scaled)
        assert (a is None) == (b is None)
        if a is not None:
            assert abs(a - b) <= Decimal("1e-6") * max(1, abs(a))


def test_the_most_specific_rule_row_applies():
    from supervision.models import AlertRule

    general = AlertRule(code="competition.single_bid", category="", method="", enabled=True)
    procurement = AlertRule(
        code="competition.single_bid",
        category="procurement",
        method="single_source",
        enabled=False,
    )
    assert applicable([general, procurement], "procurement", "single_source") == []
    assert applicable([general, procurement], "procurement", "open_tender") == [general]


def test_every_seeded_rule_has_a_detector_and_a_source(db):
    from supervision.models import AlertRule

    rows = list(AlertRule.objects.all())
    assert len({r.code for r in rows}) >= 24
    for row in rows:
        assert row.source
        assert row.detector in DETECTORS or row.detector == "chain_verification", row.code
