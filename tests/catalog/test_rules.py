"""check_schedule: every violation at once, with its numbers and legal source."""

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from catalog.models import StatutoryRule
from catalog.rules import (
    ScheduleValueError,
    check_schedule,
    coerce_schedule,
    describe_value,
    years_estimated,
)
from catalog.selectors import UnknownCatalogCode, check_schedule_for, holiday_calendar, rules_for

BEIJING = ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=9, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=BEIJING)


def codes(violations):
    return {violation.rule for violation in violations}


# --- Intervals ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_twenty_days_from_issuing_the_documents_counts_from_the_day_after():
    issued = at(2026, 3, 1)
    ok = check_schedule_for(
        "engineering",
        "open_tender",
        {"documents_issued_at": issued, "bid_deadline": at(2026, 3, 21, 9, 30)},
    )
    assert ok == []  # 21 March may be the deadline (a Saturday, still 20 days)

    [violation] = check_schedule_for(
        "engineering",
        "open_tender",
        {"documents_issued_at": issued, "bid_deadline": at(2026, 3, 18, 9, 30)},
    )
    assert violation.rule == "engineering.documents_to_deadline"
    assert violation.field == "bid_deadline"
    assert violation.source == "招标投标法 第24条"
    assert violation.message == (
        "From issuing the documents to the bid deadline must be at least 20 days; this "
        "schedule gives 17. The earliest allowed date is 2026-03-21."
    )


@pytest.mark.django_db
def test_dates_are_taken_in_beijing_time():
    # 23:30 on 1 March in Beijing is 15:30 UTC; 00:30 on 21 March in Beijing is 16:30 UTC on
    # the 20th. In Beijing dates that is 20 days: allowed.
    schedule = {
        "documents_issued_at": datetime(2026, 3, 1, 15, 30, tzinfo=UTC),
        "bid_deadline": datetime(2026, 3, 20, 16, 30, tzinfo=UTC),
    }
    assert check_schedule_for("engineering", "open_tender", schedule) == []
    # A naive datetime is Beijing time.
    schedule["bid_deadline"] = datetime(2026, 3, 20, 23, 59)
    assert codes(check_schedule_for("engineering", "open_tender", schedule)) == {
        "engineering.documents_to_deadline"
    }


@pytest.mark.django_db
def test_a_working_day_rule_across_the_spring_festival():
    # Single-source publicity: at least 5 working days. From Thu 12 Feb 2026: Fri 13,
    # Sat 14 (make-up workday), then 15–23 off, Tue 24, Wed 25, Thu 26.
    schedule = {"publicity_starts_at": date(2026, 2, 12), "publicity_ends_at": date(2026, 2, 25)}
    [violation] = check_schedule_for("procurement", "single_source", schedule)
    assert violation.rule == "procurement.single_source.publicity_period"
    assert "at least 5 working days; this schedule gives 4" in violation.message
    assert "The earliest allowed date is 2026-02-26." in violation.message
    assert violation.source == "采购条例 第38条"
    assert not violation.estimated

    schedule["publicity_ends_at"] = date(2026, 2, 26)
    assert check_schedule_for("procurement", "single_source", schedule) == []


@pytest.mark.django_db
def test_a_time_limit_whose_last_day_is_a_holiday_runs_to_the_next_working_day():
    # Contract within 30 days of the award notice: 17 Jan + 30 = Mon 16 Feb 2026, a holiday;
    # the period runs to Tue 24 Feb (民法典 第203条).
    schedule = {"award_notice_issued_at": at(2026, 1, 17), "contract_signed_at": at(2026, 2, 24)}
    assert check_schedule_for("engineering", "open_tender", schedule) == []

    schedule["contract_signed_at"] = at(2026, 2, 25)
    [violation] = check_schedule_for("engineering", "open_tender", schedule)
    assert violation.rule == "engineering.contract_signing"
    assert violation.field == "contract_signed_at"
    assert "must be at most 30 days; this schedule gives 39" in violation.message
    assert "The latest allowed date is 2026-02-24." in violation.message
    assert "2026-02-16, is not a working day" in violation.message
    assert violation.source == "招标投标法 第46条"


@pytest.mark.django_db
def test_every_violation_is_returned_at_once_each_with_its_source():
    schedule = {
        "documents_issued_at": at(2026, 3, 2),
        "bid_deadline": at(2026, 3, 19, 9, 30),  # 17 days, 20 required
        "clarification_issued_at": at(2026, 3, 10),  # 9 days before the deadline, 15 required
        "estimate_amount": Decimal("5000000"),
        "bid_security_amount": Decimal("150000"),  # 3 %, 2 % allowed
        "bids_received": 2,  # 3 required
        "committee_size": 4,  # 5 and odd required
        "committee_experts": 2,  # 2/3 of 4 → 3 required
    }
    violations = check_schedule_for("engineering", "open_tender", schedule)
    assert codes(violations) == {
        "engineering.documents_to_deadline",
        "engineering.clarification_before_deadline",
        "engineering.bid_security_cap",
        "engineering.min_bidders",
        "engineering.committee_size",
        "engineering.committee_expert_share",
    }
    sources = {violation.rule: violation.source for violation in violations}
    assert sources["engineering.clarification_before_deadline"] == (
        "招标投标法 第23条; 实施条例 第21条"
    )
    assert sources["engineering.bid_security_cap"] == "实施条例 第26条"
    assert sources["engineering.committee_size"] == "招标投标法 第37条"
    assert all(violation.message and violation.field for violation in violations)


# --- Ratios, counts, committees --------------------------------------------------------------


@pytest.mark.django_db
def test_bid_security_may_not_exceed_two_percent_of_the_estimate():
    schedule = {"estimate_amount": Decimal("5000000"), "bid_security_amount": Decimal("100000")}
    assert check_schedule_for("engineering", "open_tender", schedule) == []

    schedule["bid_security_amount"] = Decimal("100000.01")
    [violation] = check_schedule_for("engineering", "open_tender", schedule)
    assert violation.rule == "engineering.bid_security_cap"
    assert violation.field == "bid_security_amount"
    assert violation.message == (
        "The bid security must be at most 2% of the estimated contract price, that is "
        "100,000; this schedule gives 100,000.01."
    )


@pytest.mark.django_db
def test_procurement_bid_security_is_measured_against_the_budget():
    schedule = {"budget_amount": 1_000_000, "bid_security_amount": 25_000}
    [violation] = check_schedule_for("procurement", "open_tender", schedule)
    assert violation.rule == "procurement.bid_security_cap"
    assert "that is 20,000; this schedule gives 25,000" in violation.message
    assert violation.source == "采购条例 第33条"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("size", "experts", "expected"),
    [
        (5, 4, set()),
        (7, 5, set()),
        (9, 6, set()),  # exactly 2/3
        (5, 3, {"engineering.committee_expert_share"}),
        (9, 5, {"engineering.committee_expert_share"}),
        (4, 4, {"engineering.committee_size"}),
        (6, 4, {"engineering.committee_size"}),  # 4/6 is 2/3, but 6 is even
        (3, 3, {"engineering.committee_size"}),
    ],
)
def test_evaluation_committee_at_least_five_odd_with_two_thirds_experts(size, experts, expected):
    schedule = {"committee_size": size, "committee_experts": experts}
    assert codes(check_schedule_for("engineering", "open_tender", schedule)) == expected


@pytest.mark.django_db
def test_committee_messages_name_the_numbers():
    violations = check_schedule_for(
        "engineering", "open_tender", {"committee_size": 6, "committee_experts": 3}
    )
    messages = {violation.rule: violation.message for violation in violations}
    assert messages["engineering.committee_size"] == (
        "The committee size must be an odd number of at least 5; this schedule gives 6."
    )
    assert messages["engineering.committee_expert_share"] == (
        "The experts on the committee must be at least 2/3 of the committee size, that is 4; "
        "this schedule gives 3."
    )


@pytest.mark.django_db
def test_a_large_procurement_needs_a_committee_of_seven():
    schedule = {"committee_size": 5, "committee_experts": 4, "budget_amount": 12_000_000}
    [violation] = check_schedule_for("procurement", "open_tender", schedule)
    assert violation.rule == "procurement.open_tender.committee_size_large"
    assert "at least 7" in violation.message
    assert "the budget is at least 10,000,000" in violation.message
    schedule["budget_amount"] = 9_999_999
    assert check_schedule_for("procurement", "open_tender", schedule) == []
    del schedule["budget_amount"]
    assert check_schedule_for("procurement", "open_tender", schedule) == []


@pytest.mark.django_db
def test_a_negotiation_panel_of_three_is_enough_for_a_small_budget():
    schedule = {"committee_size": 3, "budget_amount": 800_000}
    assert check_schedule_for("procurement", "competitive_negotiation", schedule) == []
    violations = check_schedule_for("procurement", "open_tender", schedule)
    assert "procurement.open_tender.committee_size" in codes(violations)


@pytest.mark.django_db
def test_price_weight_and_candidates_and_invitations():
    violations = check_schedule_for(
        "procurement", "open_tender", {"goods_price_weight_percent": 25}
    )
    assert [v.message for v in violations] == [
        "The price weight for goods must be at least 30%; this schedule gives 25%."
    ]
    assert codes(
        check_schedule_for(
            "engineering", "invited_tender", {"invited_count": 2, "candidates_count": 4}
        )
    ) == {"engineering.invited_tender.min_invitations", "engineering.max_candidates"}
    # Invitations are an invited-tender rule only.
    assert check_schedule_for("engineering", "open_tender", {"invited_count": 2}) == []


@pytest.mark.django_db
def test_land_listing_and_equity_disclosure():
    listing = {
        "announcement_published_at": date(2026, 4, 1),
        "listing_starts_at": date(2026, 4, 15),  # 14 days, 20 required
        "listing_ends_at": date(2026, 4, 22),  # 7 days, 10 required
    }
    assert codes(check_schedule_for("land", "listing", listing)) == {
        "land.listing.announcement_before_start",
        "land.listing.listing_period",
    }
    # Disclosure of 20 working days from Mon 2 Feb 2026 crosses the festival.
    disclosure = {"disclosure_starts_at": date(2026, 2, 2), "disclosure_ends_at": date(2026, 3, 2)}
    [violation] = check_schedule_for("equity", "listing", disclosure)
    assert violation.rule == "equity.disclosure_period"
    assert "this schedule gives 16" in violation.message
    assert "The earliest allowed date is 2026-03-06." in violation.message


@pytest.mark.django_db
def test_month_limits():
    schedule = {
        "first_disclosure_at": date(2025, 3, 31),
        "qualified_buyer_found_at": date(2026, 4, 1),
    }
    [violation] = check_schedule_for("equity", None, schedule)
    assert violation.rule == "equity.restart_after_twelve_months"
    assert "at most 12 months; this schedule gives 2026-04-01" in violation.message
    assert "The latest allowed date is 2026-03-31." in violation.message
    assert violation.needs_confirmation
    schedule["qualified_buyer_found_at"] = date(2026, 3, 31)
    assert check_schedule_for("equity", None, schedule) == []


# --- Estimates, skipping, bad values -------------------------------------------------------


@pytest.mark.django_db
def test_a_check_reaching_into_2027_is_flagged_estimated():
    schedule = {
        "disclosure_starts_at": date(2026, 12, 14),
        "disclosure_ends_at": date(2027, 1, 8),
    }
    rules = rules_for("equity", "listing")
    calendar = holiday_calendar()
    [violation] = check_schedule(rules=rules, schedule=schedule, calendar=calendar)
    assert violation.estimated
    assert "Estimated: the holiday arrangement for 2027 is not entered" in violation.message
    assert years_estimated(rules=rules, schedule=schedule, calendar=calendar) == (2027,)

    schedule["disclosure_ends_at"] = date(2027, 2, 1)
    assert check_schedule(rules=rules, schedule=schedule, calendar=calendar) == []
    # No violation, but the answer still rests on weekends only: callers warn.
    assert years_estimated(rules=rules, schedule=schedule, calendar=calendar) == (2027,)

    inside_2026 = {
        "disclosure_starts_at": date(2026, 3, 2),
        "disclosure_ends_at": date(2026, 4, 30),
    }
    assert years_estimated(rules=rules, schedule=inside_2026, calendar=calendar) == ()


def test_rules_whose_fields_are_absent_are_skipped(make_rule, calendar):
    rules = [
        make_rule("t.interval", "min_interval", "a_at", "b_at", 5),
        make_rule("t.ratio", "max_ratio", "x", "y", 2, "percent"),
        make_rule("t.count", "min_count", "n", value=3, unit="count"),
    ]
    assert check_schedule(rules=rules, schedule={}, calendar=calendar) == []
    assert (
        check_schedule(rules=rules, schedule={"a_at": date(2026, 3, 2), "x": 5}, calendar=calendar)
        == []
    )
    assert check_schedule(rules=rules, schedule={"n": None}, calendar=calendar) == []


def test_thresholds_are_not_schedule_checks(make_rule, calendar):
    rules = [make_rule("t.threshold", "threshold", "estimate_amount", value=4000000, unit="yuan")]
    assert check_schedule(rules=rules, schedule={"estimate_amount": 1}, calendar=calendar) == []


def test_values_of_the_wrong_type_are_named_all_at_once(make_rule, calendar):
    rules = [
        make_rule("t.interval", "min_interval", "a_at", "b_at", 5),
        make_rule("t.count", "min_count", "n", value=3, unit="count"),
    ]
    with pytest.raises(ScheduleValueError) as raised:
        check_schedule(
            rules=rules,
            schedule={"a_at": "2026-03-01", "b_at": date(2026, 3, 9), "n": True},
            calendar=calendar,
        )
    assert set(raised.value.errors) == {"a_at", "n"}


def test_unknown_kinds_are_an_error(make_rule, calendar):
    with pytest.raises(ValueError, match="unknown rule kind"):
        check_schedule(
            rules=[make_rule("t.odd", "max_moon_phase", "a")], schedule={"a": 1}, calendar=calendar
        )


def test_coerce_schedule_reads_json_values():
    schedule = coerce_schedule(
        {
            "documents_issued_at": "2026-03-01T09:00:00+08:00",
            "bid_deadline": "2026-03-21",
            "estimate_amount": "5000000.50",
            "committee_size": 5,
            "committee_experts": 4.0,
            "opening_at": None,
        }
    )
    assert schedule == {
        "documents_issued_at": at(2026, 3, 1),
        "bid_deadline": date(2026, 3, 21),
        "estimate_amount": Decimal("5000000.50"),
        "committee_size": Decimal(5),
        "committee_experts": Decimal("4.0"),
    }
    with pytest.raises(ScheduleValueError) as raised:
        coerce_schedule({"bid_deadline": "next Friday", "ok": True, "Bad Name": 1, "x": "NaN"})
    assert set(raised.value.errors) == {"bid_deadline", "ok", "Bad Name", "x"}


# --- Selecting the rules ---------------------------------------------------------------------


@pytest.mark.django_db
def test_rules_for_includes_category_wide_and_excludes_other_methods():
    open_tender = {rule.code for rule in rules_for("engineering", "open_tender")}
    assert "engineering.documents_to_deadline" in open_tender  # method null: every method
    assert "engineering.invited_tender.min_invitations" not in open_tender
    assert "experts.min_experience_years" in open_tender  # category null: every category
    all_methods = {rule.code for rule in rules_for("engineering")}
    assert "engineering.invited_tender.min_invitations" in all_methods
    assert not any(code.startswith("procurement.") for code in all_methods)


@pytest.mark.django_db
def test_a_subtype_takes_its_parents_methods_and_its_own_rules():
    codes_ = {rule.code for rule in rules_for("land", "listing")}
    assert {
        "land.listing.listing_period",
        "land.listing.announcement_before_start",
        "land.result_publication",
    } <= codes_
    assert "land.auction.announcement_before_start" not in codes_


@pytest.mark.django_db
def test_rules_for_refuses_unknown_codes_naming_the_parameter():
    with pytest.raises(UnknownCatalogCode) as raised:
        rules_for("forests")
    assert raised.value.fields == {"category": ["Unknown category: forests."]}
    with pytest.raises(UnknownCatalogCode) as raised:
        rules_for("engineering", "sealed_envelope")
    assert list(raised.value.fields) == ["method"]
    with pytest.raises(UnknownCatalogCode) as raised:
        rules_for("engineering", "auction")  # a method, but not of engineering
    assert raised.value.fields == {"method": ["auction is not a trading method of engineering."]}


@pytest.mark.django_db
def test_rules_for_honours_validity_dates():
    assert "experts.min_experience_years" not in {
        rule.code for rule in rules_for("engineering", on=date(2024, 12, 31))
    }
    StatutoryRule.objects.filter(code="engineering.committee_size").update(
        valid_to=date(2026, 1, 31)
    )
    assert "engineering.committee_size" not in {
        rule.code for rule in rules_for("engineering", on=date(2026, 2, 1))
    }
    assert "engineering.committee_size" in {
        rule.code for rule in rules_for("engineering", on=date(2026, 1, 31))
    }


@pytest.mark.django_db
def test_describe_value():
    described = {rule.code: describe_value(rule) for rule in StatutoryRule.objects.all()}
    assert described["engineering.documents_to_deadline"] == "at least 20 days"
    assert described["engineering.bid_security_cap"] == "at most 2%"
    assert described["engineering.committee_expert_share"] == "at least 2/3"
    assert described["engineering.committee_size"] == "at least 5, odd"
    assert described["procurement.question_answer"] == "within 7 working days"
    assert described["procurement.open_tender.result_publicity_period"] == (
        "at least 1 working day"
    )
    assert described["equity.instalment_term"] == "within 1 year"
    assert described["equity.first_listing_price"] == "at least 100%"
    assert described["engineering.must_tender.construction"] == "4,000,000 yuan"
    assert described["procurement.open_tender.committee_size_large"] == (
        "at least 7, odd (when the budget ≥ 10,000,000)"
    )
