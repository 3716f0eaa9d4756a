"""The data migrations: every numeric rule of the reference, with its source, and the
database constraints that keep administered rows well-formed."""

import importlib
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from catalog.models import (
    CatalogEntry,
    Category,
    FeeStandard,
    HolidayCalendarDay,
    HolidayCalendarYear,
    StatutoryRule,
    TradingMethod,
)
from catalog.rules import SCHEDULE_FIELD_LABELS

pytestmark = pytest.mark.django_db

seed_catalog = importlib.import_module("catalog.migrations.0002_seed_catalog")
seed_holidays = importlib.import_module("catalog.migrations.0003_seed_holiday_calendar")


def test_the_four_categories_with_their_subtypes_letters_and_departments():
    rows = {
        c.code: (c.parent.code if c.parent else None, c.code_letters, c.supervising_department)
        for c in Category.objects.select_related("parent")
    }
    assert rows == {
        "engineering": (None, "A", "development_reform"),
        "land_mining": (None, "E", "natural_resources"),
        "land": ("land_mining", "E", "natural_resources"),
        "mining": ("land_mining", "E", "natural_resources"),
        "equity": (None, "D", "state_assets"),
        "procurement": (None, "BC", "finance"),
    }


def test_methods_per_category():
    def methods(code):
        return set(
            TradingMethod.objects.filter(categories__code=code).values_list("code", flat=True)
        )

    assert methods("engineering") == {"open_tender", "invited_tender"}
    assert methods("procurement") == {
        "open_tender",
        "invited_tender",
        "competitive_negotiation",
        "competitive_consultation",
        "inquiry",
        "single_source",
    }
    assert methods("land_mining") == {"tender", "auction", "listing", "agreement_transfer"}
    assert methods("equity") == {
        "tender",
        "auction",
        "listing",
        "agreement_transfer",
        "online_bidding",
    }


@pytest.mark.parametrize(
    ("code", "value", "unit", "source"),
    [
        ("engineering.documents_sale_period", 5, "calendar_days", "实施条例 第16条"),
        ("engineering.documents_to_deadline", 20, "calendar_days", "招标投标法 第24条"),
        ("engineering.prequalification_application_period", 5, "calendar_days", "实施条例 第17条"),
        (
            "engineering.clarification_before_deadline",
            15,
            "calendar_days",
            "招标投标法 第23条; 实施条例 第21条",
        ),
        (
            "engineering.prequalification_clarification_before_deadline",
            3,
            "calendar_days",
            "实施条例 第21条",
        ),
        ("engineering.documents_objection_before_deadline", 10, "calendar_days", "实施条例 第22条"),
        ("engineering.documents_objection_answer", 3, "calendar_days", "实施条例 第22条"),
        (
            "engineering.prequalification_objection_before_deadline",
            2,
            "calendar_days",
            "实施条例 第22条",
        ),
        ("engineering.invited_tender.min_invitations", 3, "count", "招标投标法 第17条"),
        ("engineering.withdrawn_bid_security_refund", 5, "calendar_days", "实施条例 第35条"),
        ("engineering.bid_security_cap", 2, "percent", "实施条例 第26条"),
        ("engineering.min_bidders", 3, "count", "招标投标法 第28条; 实施条例 第44条"),
        ("engineering.committee_size", 5, "count", "招标投标法 第37条"),
        ("engineering.committee_expert_share", 2, "ratio", "招标投标法 第37条"),
        ("engineering.max_candidates", 3, "count", "实施条例 第53条"),
        ("engineering.candidates_publication", 3, "calendar_days", "实施条例 第54条"),
        ("engineering.candidates_publicity_period", 3, "calendar_days", "实施条例 第54条"),
        ("engineering.evaluation_objection_answer", 3, "calendar_days", "实施条例 第54条"),
        ("engineering.performance_security_cap", 10, "percent", "实施条例 第58条"),
        ("engineering.complaint_filing", 10, "calendar_days", "实施条例 第60条"),
        ("engineering.complaint_acceptance", 3, "working_days", "实施条例 第61条"),
        ("engineering.complaint_decision", 30, "working_days", "实施条例 第61条"),
        ("engineering.contract_signing", 30, "calendar_days", "招标投标法 第46条"),
        ("engineering.bid_security_return", 5, "calendar_days", "实施条例 第57条"),
        ("engineering.tender_report", 15, "calendar_days", "招标投标法 第47条"),
        ("engineering.must_tender.construction", 4000000, "yuan", "16号令 第5条"),
        ("engineering.must_tender.equipment_materials", 2000000, "yuan", "16号令 第5条"),
        ("engineering.must_tender.survey_design_supervision", 1000000, "yuan", "16号令 第5条"),
        (
            "procurement.open_tender.documents_to_deadline",
            20,
            "calendar_days",
            "采购法 第35条; 87号令 第18条",
        ),
        ("procurement.open_tender.documents_available", 5, "working_days", "87号令 第18条"),
        (
            "procurement.open_tender.clarification_before_deadline",
            15,
            "calendar_days",
            "87号令 第27条",
        ),
        (
            "procurement.competitive_negotiation.documents_to_deadline",
            3,
            "working_days",
            "74号令 第10条",
        ),
        ("procurement.inquiry.documents_to_deadline", 3, "working_days", "74号令 第10条"),
        (
            "procurement.competitive_consultation.documents_to_deadline",
            10,
            "calendar_days",
            "214号文 第10条",
        ),
        ("procurement.open_tender.committee_size", 5, "count", "87号令 第47条"),
        ("procurement.open_tender.committee_expert_share", 2, "ratio", "87号令 第47条"),
        ("procurement.open_tender.committee_size_large", 7, "count", "87号令 第47条"),
        ("procurement.inquiry.panel_size", 3, "count", "74号令 第7条"),
        ("procurement.inquiry.panel_size_large", 5, "count", "74号令 第7条"),
        ("procurement.bid_security_cap", 2, "percent", "采购条例 第33条"),
        (
            "procurement.bid_security_return_unsuccessful",
            5,
            "working_days",
            "采购条例 第33条; 87号令 第38条",
        ),
        (
            "procurement.bid_security_return_winner",
            5,
            "working_days",
            "采购条例 第33条; 87号令 第38条",
        ),
        ("procurement.open_tender.announcement_period", 5, "working_days", "87号令 第16条"),
        ("procurement.single_source.publicity_period", 5, "working_days", "采购条例 第38条"),
        ("procurement.open_tender.evaluation_report_delivery", 2, "working_days", "87号令 第68条"),
        ("procurement.open_tender.award_decision", 5, "working_days", "87号令 第68条"),
        ("procurement.open_tender.result_publication", 2, "working_days", "87号令 第69条"),
        ("procurement.open_tender.result_publicity_period", 1, "working_days", "87号令 第69条"),
        ("procurement.contract_publication", 2, "working_days", "采购条例 第50条"),
        ("procurement.contract_filing", 7, "working_days", "采购法 第47条"),
        ("procurement.goods_price_weight", 30, "percent", "87号令 第55条"),
        ("procurement.services_price_weight", 10, "percent", "87号令 第55条"),
        ("procurement.supplier_inquiry_answer", 3, "working_days", "采购条例 第52条"),
        ("procurement.suspension_limit", 30, "calendar_days", "采购法 第57条"),
        ("procurement.records_retention", 15, "years", "采购法 第42条"),
        ("procurement.avoidance_lookback", 3, "years", "采购条例 第9条"),
        ("procurement.contract_signing", 30, "calendar_days", "采购法 第46条"),
        ("procurement.question_filing", 7, "working_days", "采购法 第52条"),
        ("procurement.question_answer", 7, "working_days", "采购法 第53条"),
        ("procurement.complaint_filing", 15, "working_days", "采购法 第55条"),
        ("procurement.complaint_decision", 30, "working_days", "采购法 第56条"),
        ("procurement.open_tender_threshold", 2000000, "yuan", "国办发〔2019〕55号"),
        ("land.listing.announcement_before_start", 20, "calendar_days", "39号令(国土) 第9条"),
        ("land.listing.listing_period", 10, "calendar_days", "39号令(国土) 第19条"),
        ("land.result_publication", 10, "working_days", "39号令(国土) 第22条"),
        ("land.deposit_refund", 5, "working_days", "39号令(国土) 第21条"),
        ("equity.disclosure_period", 20, "working_days", "32号令 第13条"),
        ("equity.pre_disclosure_period", 20, "working_days", "32号令 第13条"),
        ("equity.pre_disclosure_start", 10, "working_days", "32号令 第13条"),
        ("equity.restart_after_twelve_months", 12, "months", "32号令 第18条"),
        ("equity.capital_increase_disclosure", 40, "working_days", "32号令 第40条"),
        ("equity.reserve_below_appraisal", 90, "percent", "32号令 第18条"),
        ("equity.first_listing_price", 100, "percent", "32号令 第12条"),
        ("equity.lump_sum_payment", 5, "working_days", "32号令 第28条"),
        ("equity.first_instalment_share", 30, "percent", "32号令 第28条"),
        ("equity.instalment_term", 1, "years", "32号令 第28条"),
        (
            "experts.min_experience_years",
            8,
            "years",
            "评标专家和评标专家库管理办法（国家发展改革委令第26号）",
        ),
    ],
)
def test_each_statutory_number_is_a_row_with_its_source(code, value, unit, source):
    rule = StatutoryRule.objects.get(code=code)
    assert rule.value == Decimal(value)
    assert rule.unit == unit
    assert rule.source == source
    assert rule.description  # the Chinese text of the rule


def test_rows_the_reference_marks_check_need_confirmation():
    to_confirm = set(
        StatutoryRule.objects.filter(needs_confirmation=True).values_list("code", flat=True)
    )
    assert {
        "procurement.open_tender.documents_to_deadline",
        "procurement.open_tender.documents_available",
        "procurement.competitive_negotiation.documents_to_deadline",
        "procurement.inquiry.panel_size",
        "procurement.contract_filing",
        "procurement.open_tender_threshold",
        "land.listing.listing_period",
        "land.deposit_refund",
        "equity.pre_disclosure_period",
        "equity.first_listing_price",
        "equity.capital_increase_disclosure",
        "experts.min_experience_years",
    } <= to_confirm
    assert "engineering.documents_to_deadline" not in to_confirm
    assert "equity.disclosure_period" not in to_confirm


def test_every_schedule_field_of_the_seeded_rules_has_a_readable_name():
    fields = set()
    for start, end, condition in StatutoryRule.objects.exclude(kind="threshold").values_list(
        "start_field", "end_field", "condition_field"
    ):
        fields |= {start, end, condition}
    fields.discard("")
    assert fields - set(SCHEDULE_FIELD_LABELS) == set()


def test_every_seeded_method_belongs_to_the_rules_category():
    for rule in StatutoryRule.objects.exclude(method=None).select_related("category", "method"):
        rule.full_clean()


def test_catalog_entries_cover_the_reference():
    entries = {entry.code: entry for entry in CatalogEntry.objects.all()}
    assert entries["engineering.construction.state_owned"].minimum_amount == 4_000_000
    assert entries["engineering.equipment_materials.state_financing"].minimum_amount == 2_000_000
    assert entries["engineering.survey_design_supervision.state_owned"].minimum_amount == 1_000_000
    assert entries["procurement.open_tender_threshold"].required_method.code == "open_tender"
    assert entries["land.state_land_use_right"].mandatory
    assert entries["mining.mining_right"].mandatory
    assert entries["equity.state_equity"].mandatory
    assert not entries["engineering.voluntary"].mandatory


def test_fee_standards_are_marked_as_examples():
    standards = FeeStandard.objects.all()
    assert {s.category.code for s in standards} == {
        "engineering",
        "land_mining",
        "equity",
        "procurement",
    }
    for standard in standards:
        assert standard.is_example
        assert "EXAMPLE" in standard.source
        standard.full_clean()


def test_the_2026_spring_festival_is_seeded():
    days = dict(
        HolidayCalendarDay.objects.filter(
            date__range=(date(2026, 2, 14), date(2026, 2, 28))
        ).values_list("date", "is_working_day")
    )
    assert days == {
        date(2026, 2, 14): True,  # Saturday, make-up workday
        date(2026, 2, 16): False,
        date(2026, 2, 17): False,
        date(2026, 2, 18): False,
        date(2026, 2, 19): False,
        date(2026, 2, 20): False,
        date(2026, 2, 23): False,
        date(2026, 2, 28): True,  # Saturday, make-up workday
    }
    assert HolidayCalendarDay.objects.get(date=date(2026, 2, 17)).name == "春节"
    assert HolidayCalendarDay.objects.get(date=date(2026, 2, 28)).name == "春节调休上班"
    assert set(HolidayCalendarYear.objects.values_list("year", flat=True)) == set(range(2020, 2027))
    assert not HolidayCalendarYear.objects.filter(year=2027).exists()


def test_the_seeds_are_idempotent():
    counts = [
        model.objects.count()
        for model in (
            Category,
            TradingMethod,
            CatalogEntry,
            StatutoryRule,
            FeeStandard,
            HolidayCalendarDay,
            HolidayCalendarYear,
        )
    ]

    editor = SimpleNamespace(connection=connection)
    seed_catalog.seed(django_apps, editor)
    seed_holidays.seed(django_apps, editor)
    assert counts == [
        model.objects.count()
        for model in (
            Category,
            TradingMethod,
            CatalogEntry,
            StatutoryRule,
            FeeStandard,
            HolidayCalendarDay,
            HolidayCalendarYear,
        )
    ]


# --- Constraints ---------------------------------------------------------------------------


def _refused(**fields):
    defaults = dict(
        code="test.rule",
        kind="min_interval",
        start_field="a_at",
        end_field="b_at",
        value=Decimal(5),
        unit="calendar_days",
        description="测试",
        source="test",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        StatutoryRule.objects.create(**{**defaults, **fields})


def test_the_database_refuses_malformed_rules(engineering):
    _refused(code="No Dots")
    _refused(unit="percent")  # an interval in percent
    _refused(end_field="")  # an interval without its end
    _refused(kind="max_ratio", unit="calendar_days")
    _refused(kind="min_count", unit="count")  # a count with an end field
    _refused(kind="committee_size", end_field="", unit="percent")
    _refused(kind="phase_of_moon")
    _refused(value=Decimal(-1))
    _refused(value_denominator=0)
    _refused(condition_field="budget_amount")  # a condition without its value
    _refused(valid_from=date(2026, 2, 1), valid_to=date(2026, 1, 1))
    _refused(method=TradingMethod.objects.get(code="open_tender"))  # a method without category


def test_a_rule_of_a_method_outside_its_category_does_not_validate(engineering):
    rule = StatutoryRule(
        code="engineering.auction.test",
        category=engineering,
        method=TradingMethod.objects.get(code="auction"),
        kind="min_count",
        start_field="bids_received",
        value=Decimal(1),
        unit="count",
        description="测试",
        source="test",
    )
    with pytest.raises(ValidationError) as raised:
        rule.full_clean()
    assert "method" in raised.value.message_dict


def test_only_exceptions_are_stored_in_the_holiday_calendar():
    with pytest.raises(IntegrityError), transaction.atomic():
        HolidayCalendarDay.objects.create(date=date(2027, 1, 2), is_working_day=False)  # Sat
    with pytest.raises(IntegrityError), transaction.atomic():
        HolidayCalendarDay.objects.create(date=date(2027, 1, 4), is_working_day=True)  # Mon
    HolidayCalendarDay.objects.create(date=date(2027, 1, 1), is_working_day=False, name="元旦")


def test_one_active_fee_standard_per_category(engineering):
    with pytest.raises(IntegrityError), transaction.atomic():
        FeeStandard.objects.create(
            code="second",
            category=engineering,
            name="x",
            tiers=[{"up_to": None, "rate": "0"}],
            source="test",
        )
