"""Bid evaluation: both methods worked by hand, tie-breaks, score errors, the criteria
checks, and properties of the ranking over generated bids and score sheets (no database)."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from trading.evaluation import (
    Criterion,
    EvaluatedBid,
    Outlier,
    RankedBid,
    ScoringError,
    all_but_one_disqualified,
    candidates,
    check_criteria,
    lowest_bid_disqualified,
    rank_comprehensive,
    rank_lowest_evaluated_price,
    score_outliers,
)

BEIJING = ZoneInfo("Asia/Shanghai")
DEADLINE = datetime(2026, 5, 20, 9, 30, tzinfo=BEIJING)


@pytest.fixture(autouse=True, scope="module")
def english():
    """Assert on the English source strings, whatever translations exist by then."""
    with translation.override("en"):
        yield


def received(minutes_before_deadline):
    return DEADLINE - timedelta(minutes=minutes_before_deadline)


def bid(bid_id, price, *, minutes=60, adjustments="0", rejected=""):
    return EvaluatedBid(
        bid_id=bid_id,
        price=Decimal(price),
        received_at=received(minutes),
        qualified=not rejected,
        disqualification_reason=rejected,
        price_adjustments=Decimal(adjustments),
    )


def order(ranked):
    return [(row.bid_id, row.rank) for row in ranked]


PRICE = Criterion("price", "投标报价", "price", Decimal(30))
TECHNICAL = Criterion("technical", "技术方案", "technical", Decimal(50))
BUSINESS = Criterion("business", "商务条款", "business", Decimal(20))
SCHEME = (PRICE, TECHNICAL, BUSINESS)


def sheets(**by_member):
    """sheets(m1={1: ("40", "15")}) -> {1: {1: {"technical": 40, "business": 15}}} for SCHEME."""
    return {
        int(member.removeprefix("m")): {
            bid_id: {"technical": Decimal(technical), "business": Decimal(business)}
            for bid_id, (technical, business) in by_bid.items()
        }
        for member, by_bid in by_member.items()
    }


# --- 经评审的最低投标价法 ------------------------------------------------------------------


def test_lowest_evaluated_price_by_hand():
    bids = [
        bid(1, "1000000", adjustments="30000"),  # evaluated 1,030,000
        bid(2, "1020000"),  # evaluated 1,020,000, offered 1,020,000
        bid(3, "980000", adjustments="60000"),  # evaluated 1,040,000: lowest offer, ranks 4th
        bid(4, "950000", rejected="未按招标文件要求提交投标保证金"),
        bid(5, "1010000", adjustments="10000"),  # evaluated 1,020,000, offered 1,010,000
    ]
    ranked = rank_lowest_evaluated_price(bids)
    # 5 and 2 tie at 1,020,000: 5 offered less. Then 1,030,000 and 1,040,000; 4 unranked.
    assert order(ranked) == [(5, 1), (2, 2), (1, 3), (3, 4), (4, None)]
    assert [row.evaluated_price for row in ranked[:4]] == [
        Decimal("1020000"),
        Decimal("1020000"),
        Decimal("1030000"),
        Decimal("1040000"),
    ]
    rejected = ranked[-1]
    assert rejected == RankedBid(
        bid_id=4,
        rank=None,
        total=None,
        evaluated_price=Decimal("950000"),
        breakdown={},
        qualified=False,
        reason="未按招标文件要求提交投标保证金",
    )


def test_lowest_evaluated_price_ties_fall_to_receipt_then_bid_id():
    bids = [
        bid(30, "500000", minutes=10),
        bid(20, "500000", minutes=90),  # received first
        bid(11, "500000", minutes=10),  # same moment as 30: lower id first
        bid(40, "499000", adjustments="1000", minutes=5),  # same evaluated, lower offer
    ]
    assert order(rank_lowest_evaluated_price(bids)) == [(40, 1), (20, 2), (11, 3), (30, 4)]


def test_rejected_bids_follow_in_the_order_they_were_received():
    bids = [
        bid(1, "100", rejected="报价超过最高投标限价", minutes=10),
        bid(2, "100", rejected="未盖章", minutes=50),
        bid(3, "120"),
    ]
    assert order(rank_lowest_evaluated_price(bids)) == [(3, 1), (2, None), (1, None)]


# --- 综合评分法 ----------------------------------------------------------------------------


def three_bids_three_members():
    bids = [
        bid(1, "1000000"),
        bid(2, "900000", adjustments="50000"),  # evaluated 950,000: the base price
        bid(3, "800000", rejected="投标保证金不足"),  # lowest offer, rejected: not the base
        bid(4, "1200000"),
    ]
    scores = sheets(
        m1={1: ("40", "15"), 2: ("38", "18"), 4: ("45", "19")},
        m2={1: ("42", "16"), 2: ("39", "18"), 4: ("46", "20")},
        m3={1: ("44", "17"), 2: ("40", "18"), 4: ("50", "20")},
    )
    return bids, scores


def test_comprehensive_by_hand():
    bids, scores = three_bids_three_members()
    ranked = rank_comprehensive(bids, SCHEME, scores)
    # Base = 950,000 (bid 2); bid 3's 800,000 is rejected and does not count.
    # Bid 1: price 950000/1000000 × 30 = 28.5; technical (40+42+44)/3 = 42;
    #        business (15+16+17)/3 = 16; total 86.5.
    # Bid 2: price 30; technical (38+39+40)/3 = 39; business 18; total 87.
    # Bid 4: price 950000/1200000 × 30 = 23.75; technical (45+46+50)/3 = 47;
    #        business (19+20+20)/3 = 19.666…; total 90.41666… → 90.42.
    assert order(ranked) == [(4, 1), (2, 2), (1, 3), (3, None)]
    first, second, third, rejected = ranked
    assert first.total == Decimal("90.42")
    assert first.breakdown == {
        "price": Decimal("23.75"),
        "technical": Decimal("47.00"),
        "business": Decimal("19.67"),
    }
    assert list(first.breakdown) == ["price", "technical", "business"]  # the scheme's order
    assert second.total == Decimal("87.00")
    assert second.breakdown["price"] == Decimal("30.00")
    assert third.total == Decimal("86.50")
    assert third.breakdown == {
        "price": Decimal("28.50"),
        "technical": Decimal("42.00"),
        "business": Decimal("16.00"),
    }
    assert third.evaluated_price == Decimal("1000000")
    assert (rejected.rank, rejected.total, rejected.breakdown) == (None, None, {})
    assert rejected.reason == "投标保证金不足"


def test_a_rejected_bids_scores_are_ignored_and_not_required():
    bids, scores = three_bids_three_members()
    with_rejected = {
        member: {**by_bid, 3: {"technical": Decimal(50)}} for member, by_bid in scores.items()
    }
    assert rank_comprehensive(bids, SCHEME, with_rejected) == rank_comprehensive(
        bids, SCHEME, scores
    )


def test_the_total_is_rounded_once_from_exact_scores():
    bids = [bid(1, "100")]
    scores = sheets(m1={1: ("10", "5")}, m2={1: ("10", "5")}, m3={1: ("11", "6")})
    [row] = rank_comprehensive(bids, SCHEME, scores)
    # technical 31/3 = 10.333…, business 16/3 = 5.333…, price 30:
    # exact total 45.666… → 45.67, although the rounded parts add up to 45.66.
    assert row.breakdown == {
        "price": Decimal("30.00"),
        "technical": Decimal("10.33"),
        "business": Decimal("5.33"),
    }
    assert row.total == Decimal("45.67")


def test_halves_round_up():
    bids = [bid(1, "100")]
    scores = sheets(m1={1: ("40.24", "0")}, m2={1: ("40.25", "0")})
    [row] = rank_comprehensive(bids, SCHEME, scores)
    # technical (40.24 + 40.25)/2 = 40.245 → 40.25 (half-even would give 40.24);
    # total 30 + 40.245 + 0 = 70.245 → 70.25.
    assert row.breakdown["technical"] == Decimal("40.25")
    assert row.total == Decimal("70.25")


def test_equal_published_totals_go_to_the_lower_evaluated_price():
    scheme = (
        Criterion("price", "价格", "price", Decimal(30)),
        Criterion("technical", "技术", "technical", Decimal(70)),
    )
    bids = [bid(1, "110", minutes=90), bid(2, "100", minutes=10)]
    scores = {1: {1: {"technical": Decimal("42.73")}, 2: {"technical": Decimal("40")}}}
    ranked = rank_comprehensive(bids, scheme, scores)
    # Bid 1: 100/110 × 30 = 27.2727… + 42.73 = 70.0027… → 70.00. Bid 2: 30 + 40 = 70.00.
    # The published totals tie; the lower evaluated price (bid 2) ranks first, although
    # bid 1's unrounded total is higher and it was received earlier.
    assert [row.total for row in ranked] == [Decimal("70.00"), Decimal("70.00")]
    assert order(ranked) == [(2, 1), (1, 2)]


def test_comprehensive_ties_then_fall_to_receipt_and_bid_id():
    scheme = (
        Criterion("price", "价格", "price", Decimal(40)),
        Criterion("service", "售后服务", "service", Decimal(60)),
    )
    bids = [bid(9, "100", minutes=10), bid(7, "100", minutes=10), bid(8, "100", minutes=30)]
    scores = {1: {bid_id: {"service": Decimal(50)} for bid_id in (7, 8, 9)}}
    assert order(rank_comprehensive(bids, scheme, scores)) == [(8, 1), (7, 2), (9, 3)]


def test_only_price_criterion_needs_no_members():
    scheme = (Criterion("price", "价格", "price", Decimal(100)),)
    ranked = rank_comprehensive([bid(1, "200"), bid(2, "100")], scheme, {})
    # 100/200 × 100 = 50; 100/100 × 100 = 100.
    assert [(row.bid_id, row.total) for row in ranked] == [
        (2, Decimal("100.00")),
        (1, Decimal("50.00")),
    ]


def test_no_qualified_bids_ranks_nobody():
    bids = [bid(1, "100", rejected="未响应实质性要求")]
    assert order(rank_comprehensive(bids, SCHEME, {})) == [(1, None)]


# --- Score errors ------------------------------------------------------------------------


def test_a_missing_score_names_member_bid_and_criteria():
    bids, scores = three_bids_three_members()
    del scores[2][4]["business"]
    del scores[3][1]
    with pytest.raises(ScoringError) as caught:
        rank_comprehensive(bids, SCHEME, scores)
    error = caught.value
    assert error.code == "incomplete_scores"
    assert error.problems == (
        "Member 2 has not scored bid 4 on business.",
        "Member 3 has not scored bid 1 on technical, business.",
    )
    assert "Member 2 has not scored bid 4 on business." in error.message


def test_a_score_out_of_range_names_member_bid_and_criterion():
    bids, scores = three_bids_three_members()
    scores[1][2]["technical"] = Decimal("50.5")
    scores[3][4]["business"] = Decimal("-1")
    with pytest.raises(ScoringError) as caught:
        rank_comprehensive(bids, SCHEME, scores)
    assert caught.value.code == "invalid_scores"
    assert caught.value.problems == (
        "Member 1 gave bid 2 50.5 points on technical (技术方案); the score must lie "
        "between 0 and 50.",
        "Member 3 gave bid 4 -1 points on business (商务条款); the score must lie "
        "between 0 and 20.",
    )


def test_the_bounds_themselves_are_allowed():
    bids = [bid(1, "100")]
    scores = sheets(m1={1: ("0", "20")}, m2={1: ("50", "0")})
    [row] = rank_comprehensive(bids, SCHEME, scores)
    # price 30; technical (0 + 50)/2 = 25; business (20 + 0)/2 = 10.
    assert row.total == Decimal("65.00")


def test_members_may_not_score_price_nor_unknown_criteria_nor_unknown_bids():
    bids, scores = three_bids_three_members()
    scores[1][1]["price"] = Decimal(30)
    scores[2][1]["design"] = Decimal(5)
    scores[3][99] = {"technical": Decimal(1), "business": Decimal(1)}
    with pytest.raises(ScoringError) as caught:
        rank_comprehensive(bids, SCHEME, scores)
    assert caught.value.problems == (
        "Member 1 scored bid 1 on the price criterion price; the platform computes the "
        "price score.",
        "Member 2 scored bid 1 on design, which is not a criterion of this evaluation.",
        "Member 3 scored bid 99, which is not among the bids.",
    )


def test_no_members_at_all():
    with pytest.raises(ScoringError, match=r"No member has scored the bids\."):
        rank_comprehensive([bid(1, "100")], SCHEME, {})


def test_a_bad_scheme_or_bad_bids_refuse_to_rank():
    with pytest.raises(ScoringError) as caught:
        rank_comprehensive([bid(1, "100")], (PRICE, TECHNICAL), {})
    assert caught.value.code == "invalid_criteria"
    assert caught.value.problems == ("The weights add up to 80; they must add up to exactly 100.",)

    with pytest.raises(ScoringError) as caught:
        rank_lowest_evaluated_price([bid(1, "100"), bid(1, "90")])
    assert caught.value.problems == ("Bid 1 is listed more than once.",)

    with pytest.raises(ScoringError) as caught:
        rank_lowest_evaluated_price([bid(1, "100", adjustments="-100")])
    assert caught.value.problems == ("Bid 1 has an evaluated price of 0; it must be positive.",)

    with pytest.raises(ValueError, match="price_method"):
        rank_comprehensive([bid(1, "100")], SCHEME, {}, price_method="average_base")


def test_floats_and_unexplained_rejections_are_refused():
    with pytest.raises(TypeError, match="price must be a Decimal"):
        EvaluatedBid(1, 100.0, DEADLINE, True)
    with pytest.raises(TypeError, match="weight must be a Decimal"):
        Criterion("price", "价格", "price", 30.0)
    with pytest.raises(ValueError, match="without a reason"):
        EvaluatedBid(1, Decimal(100), DEADLINE, False)
    with pytest.raises(ValueError, match="kind"):
        Criterion("x", "x", "design", Decimal(10))
    bids, scores = three_bids_three_members()
    scores[1][1]["technical"] = 40.0
    with pytest.raises(TypeError, match="score of member 1, bid 1, technical"):
        rank_comprehensive(bids, SCHEME, scores)


# --- Criteria checks ---------------------------------------------------------------------


def test_a_sound_scheme_passes():
    assert check_criteria(SCHEME, category="engineering", subject="works") == []
    assert check_criteria(SCHEME, category="procurement", subject="goods") == []


def test_weights_must_add_up_to_100():
    scheme = (PRICE, TECHNICAL, Criterion("business", "商务", "business", Decimal("25.5")))
    assert check_criteria(scheme, category="engineering") == [
        "The weights add up to 105.5; they must add up to exactly 100."
    ]


def test_exactly_one_price_criterion():
    two = (
        Criterion("price", "报价", "price", Decimal(30)),
        Criterion("price_2", "分项报价", "price", Decimal(20)),
        TECHNICAL,
    )
    assert check_criteria(two, category="engineering") == [
        "There are 2 price criteria (price, price_2); exactly one is required."
    ]
    none = (Criterion("technical", "技术", "technical", Decimal(100)),)
    assert check_criteria(none, category="engineering") == [
        "There is no price criterion; exactly one is required."
    ]


def test_procurement_goods_refuse_a_price_weight_of_25():
    scheme = (
        Criterion("price", "价格", "price", Decimal(25)),
        Criterion("technical", "技术", "technical", Decimal(75)),
    )
    assert check_criteria(scheme, category="procurement", subject="goods") == [
        "For goods the price criterion must carry at least 30% of the points (87号令 第55条); "
        "it carries 25%."
    ]
    # Services need only 10 %; engineering has no statutory minimum.
    assert check_criteria(scheme, category="procurement", subject="services") == []
    assert check_criteria(scheme, category="engineering", subject="works") == []


def test_services_refuse_a_price_weight_below_10():
    scheme = (
        Criterion("price", "价格", "price", Decimal("9.5")),
        Criterion("service", "服务", "service", Decimal("90.5")),
    )
    assert check_criteria(scheme, category="procurement", subject="services") == [
        "For services the price criterion must carry at least 10% of the points "
        "(87号令 第55条); it carries 9.5%."
    ]


def test_the_minimum_comes_from_the_catalog_when_given():
    # The catalog's rule value, e.g. a corrected minimum of 40, overrides the default.
    assert check_criteria(
        SCHEME, category="procurement", subject="goods", min_price_weight=Decimal(40)
    ) == [
        "For goods the price criterion must carry at least 40% of the points (87号令 第55条); "
        "it carries 30%."
    ]
    assert check_criteria(
        SCHEME, category="engineering", subject="works", min_price_weight=Decimal(35)
    ) == ["The price criterion must carry at least 35% of the points; it carries 30%."]
    # Zero switches the minimum off.
    low = (
        Criterion("price", "价格", "price", Decimal(5)),
        Criterion("technical", "技术", "technical", Decimal(75)),
        BUSINESS,
    )
    assert (
        check_criteria(low, category="procurement", subject="goods", min_price_weight=Decimal(0))
        == []
    )


def test_codes_and_weights_are_checked_together():
    scheme = (
        Criterion("price", "价格", "price", Decimal(30)),
        Criterion("technical", "技术", "technical", Decimal(70)),
        Criterion("technical", "技术（重复）", "technical", Decimal(0)),
    )
    assert check_criteria(scheme, category="engineering") == [
        "The criterion code technical is used more than once.",
        "Criterion technical has a weight of 0; every weight must be positive.",
    ]
    assert check_criteria((), category="engineering") == ["The scoring scheme has no criteria."]
    with pytest.raises(ValueError, match="category"):
        check_criteria(SCHEME, category="land")


# --- Candidates, outliers, red flags -----------------------------------------------------


def test_at_most_three_candidates_in_rank_order():
    bids = [bid(bid_id, str(100 + bid_id)) for bid_id in range(1, 6)]
    bids.append(bid(6, "50", rejected="资格审查不合格"))
    ranked = rank_lowest_evaluated_price(bids)
    assert [row.bid_id for row in candidates(ranked)] == [1, 2, 3]
    assert [row.bid_id for row in candidates(reversed(ranked), max_candidates=2)] == [1, 2]
    assert [row.bid_id for row in candidates(ranked[:2] + ranked[-1:])] == [1, 2]
    with pytest.raises(ValueError, match="at least 1"):
        candidates(ranked, max_candidates=0)


def test_a_member_out_of_line_with_the_committee():
    # Non-price points 50 + 20 = 70; threshold 0.3 × 70 = 21 points.
    # Bid 1 totals: 48+17 = 65, 47+17 = 64, 20+10 = 30; mean 159/3 = 53;
    # deviations +12, +11, −23: member 3 is out of line.
    # Bid 2 totals: 45+15 = 60, 40+15 = 55, 32+10 = 42; mean 157/3 = 52.333…;
    # deviations +7.67, +2.67, −10.33: nobody.
    scores = sheets(
        m1={1: ("48", "17"), 2: ("45", "15")},
        m2={1: ("47", "17"), 2: ("40", "15")},
        m3={1: ("20", "10"), 2: ("32", "10")},
    )
    assert score_outliers(scores, SCHEME) == [
        Outlier(
            member_id=3,
            bid_id=1,
            member_total=Decimal("30.00"),
            mean=Decimal("53.00"),
            deviation=Decimal("-23.00"),
        )
    ]
    # At 0.16 × 70 = 11.2 points, member 1 (+12) is out of line on bid 1 as well; member 2
    # (+11) and member 3 on bid 2 (−10.33) are not.
    assert [
        (o.member_id, o.bid_id, o.deviation)
        for o in score_outliers(scores, SCHEME, threshold=Decimal("0.16"))
    ] == [(1, 1, Decimal("12.00")), (3, 1, Decimal("-23.00"))]


def test_exactly_at_the_threshold_is_not_out_of_line():
    # Totals 70 and 28: mean 49, deviations ±21 = 0.3 × 70 exactly.
    scores = sheets(m1={1: ("50", "20")}, m2={1: ("18", "10")})
    assert score_outliers(scores, SCHEME) == []
    assert len(score_outliers(scores, SCHEME, threshold=Decimal("0.29"))) == 2


def test_outliers_need_complete_sheets():
    scores = sheets(m1={1: ("50", "20")}, m2={2: ("18", "10")})
    with pytest.raises(ScoringError, match="Member 1 has not scored bid 2"):
        score_outliers(scores, SCHEME)


def test_red_flags():
    lone_survivor = [bid(1, "100"), bid(2, "90", rejected="a"), bid(3, "95", rejected="b")]
    assert all_but_one_disqualified(lone_survivor)
    assert lowest_bid_disqualified(lone_survivor)
    healthy = [bid(1, "90"), bid(2, "100", rejected="a"), bid(3, "95")]
    assert not all_but_one_disqualified(healthy)
    assert not lowest_bid_disqualified(healthy)
    # The offered price counts, not the committee's evaluated price.
    corrected = [bid(1, "90", adjustments="20"), bid(2, "100", rejected="a")]
    assert not lowest_bid_disqualified(corrected)
    assert all_but_one_disqualified(corrected)
    tied = [bid(1, "90"), bid(2, "90", rejected="a"), bid(3, "95")]
    assert lowest_bid_disqualified(tied)
    assert not all_but_one_disqualified([bid(1, "100")])
    assert not all_but_one_disqualified([bid(1, "1", rejected="a"), bid(2, "2", rejected="b")])
    assert not lowest_bid_disqualified([])


# --- Properties ---------------------------------------------------------------------------

SCHEMES = st.sampled_from(
    [
        SCHEME,
        (
            Criterion("price", "价格", "price", Decimal(10)),
            Criterion("service", "服务", "service", Decimal("62.5")),
            Criterion("business", "商务", "business", Decimal("27.5")),
        ),
        (
            Criterion("technical", "技术", "technical", Decimal(40)),
            Criterion("price", "价格", "price", Decimal(60)),
        ),
    ]
)
REASONS = st.sampled_from(["投标保证金不足", "报价超过最高投标限价", "未响应实质性要求"])


@st.composite
def bid_lists(draw, min_size=0):
    ids = draw(st.lists(st.integers(1, 10_000), min_size=min_size, max_size=8, unique=True))
    bids = []
    for bid_id in ids:
        qualified = draw(st.booleans())
        bids.append(
            EvaluatedBid(
                bid_id=bid_id,
                # Prices in cents over a narrow range so that ties happen.
                price=Decimal(draw(st.integers(9_000, 9_010) | st.integers(1, 10**9))) / 100,
                received_at=received(draw(st.integers(0, 3))),
                qualified=qualified,
                disqualification_reason="" if qualified else draw(REASONS),
                price_adjustments=Decimal(draw(st.sampled_from([0, 0, 1, 5, 250]))) / 100,
            )
        )
    return bids


@st.composite
def evaluations(draw):
    """Bids with at least one qualified, a scheme, and complete valid sheets."""
    bids = draw(bid_lists(min_size=1).filter(lambda bids: any(b.qualified for b in bids)))
    scheme = draw(SCHEMES)
    members = draw(st.lists(st.integers(1, 50), min_size=1, max_size=5, unique=True))
    scores = {
        member: {
            b.bid_id: {
                c.code: Decimal(draw(st.integers(0, int(c.weight * 100)))) / 100
                for c in scheme
                if c.kind != "price"
            }
            for b in bids
            if b.qualified
        }
        for member in members
    }
    return bids, scheme, scores


def assert_ranks_without_gaps(ranked, bids):
    qualified = [row for row in ranked if row.qualified]
    assert [row.rank for row in qualified] == list(range(1, len(qualified) + 1))
    assert len(qualified) == sum(b.qualified for b in bids)
    assert all(row.rank is None for row in ranked[len(qualified) :])
    assert sorted(row.bid_id for row in ranked) == sorted(b.bid_id for b in bids)


@given(bid_lists())
def test_lowest_price_ranks_are_1_to_k_without_gaps(bids):
    assert_ranks_without_gaps(rank_lowest_evaluated_price(bids), bids)


@given(evaluations())
def test_comprehensive_ranks_are_1_to_k_without_gaps(evaluation):
    bids, scheme, scores = evaluation
    ranked = rank_comprehensive(bids, scheme, scores)
    assert_ranks_without_gaps(ranked, bids)
    totals = [row.total for row in ranked if row.qualified]
    assert totals == sorted(totals, reverse=True)


@given(bid_lists(), st.randoms(use_true_random=False))
def test_lowest_price_ranking_ignores_input_order(bids, random):
    shuffled = list(bids)
    random.shuffle(shuffled)
    assert rank_lowest_evaluated_price(shuffled) == rank_lowest_evaluated_price(bids)


@given(evaluations(), st.randoms(use_true_random=False))
def test_comprehensive_ranking_ignores_input_order(evaluation, random):
    bids, scheme, scores = evaluation
    shuffled_bids = list(bids)
    random.shuffle(shuffled_bids)
    shuffled_scheme = list(scheme)
    random.shuffle(shuffled_scheme)
    members = list(scores)
    random.shuffle(members)
    shuffled_scores = {}
    for member in members:
        by_bid = list(scores[member].items())
        random.shuffle(by_bid)
        shuffled_scores[member] = dict(by_bid)
    assert rank_comprehensive(shuffled_bids, shuffled_scheme, shuffled_scores) == (
        rank_comprehensive(bids, scheme, scores)
    )


@given(evaluations())
def test_the_lowest_evaluated_price_takes_the_full_price_weight(evaluation):
    bids, scheme, scores = evaluation
    [price] = [c for c in scheme if c.kind == "price"]
    full = price.weight.quantize(Decimal("0.01"))
    ranked = rank_comprehensive(bids, scheme, scores)
    lowest = min(b.evaluated_price for b in bids if b.qualified)
    for row in ranked:
        if not row.qualified:
            continue
        # A price far above the base may round to 0.00, never below.
        assert Decimal(0) <= row.breakdown[price.code] <= full
        if row.evaluated_price == lowest:
            assert row.breakdown[price.code] == full


@given(evaluations(), st.data())
def test_raising_a_bids_scores_never_lowers_its_rank(evaluation, data):
    bids, scheme, scores = evaluation
    non_price = [c for c in scheme if c.kind != "price"]
    target = data.draw(st.sampled_from([b.bid_id for b in bids if b.qualified]))
    raised = {member: {b: dict(s) for b, s in by_bid.items()} for member, by_bid in scores.items()}
    for member in data.draw(st.lists(st.sampled_from(list(scores)), min_size=1, unique=True)):
        for criterion in data.draw(st.lists(st.sampled_from(non_price), min_size=1, unique=True)):
            current = raised[member][target][criterion.code]
            cents = data.draw(st.integers(int(current * 100), int(criterion.weight * 100)))
            raised[member][target][criterion.code] = Decimal(cents) / 100

    def rank_of(sheets_):
        ranked = rank_comprehensive(bids, scheme, sheets_)
        return next(row.rank for row in ranked if row.bid_id == target)

    assert rank_of(raised) <= rank_of(scores)
