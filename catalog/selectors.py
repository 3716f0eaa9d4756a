"""Reads of the catalog: categories, the rules that apply, the holiday calendar, the catalog
entry a project falls under. Other apps call these; the domain logic they feed is pure
(`catalog.rules`, `catalog.working_days`, `catalog.obligations`, `catalog.fees`).
"""

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import (
    CatalogEntry,
    Category,
    FeeStandard,
    HolidayCalendarDay,
    HolidayCalendarYear,
    StatutoryRule,
    TradingMethod,
)
from catalog.obligations import find_catalog_entry
from catalog.rules import Violation, check_schedule
from catalog.working_days import HolidayCalendar
from portal.errors import ApplicationError


class UnknownCatalogCode(ApplicationError):
    """A category or method code that the catalog does not know (or not for this category)."""


def _unknown(parameter: str, message: str) -> UnknownCatalogCode:
    return UnknownCatalogCode(message, code=f"unknown_{parameter}", fields={parameter: [message]})


def _valid_on(on: date) -> Q:
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=on)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=on)
    )


def categories_with_methods() -> QuerySet[Category]:
    """Active top-level categories with their methods and active subtypes (3 queries)."""
    methods = TradingMethod.objects.filter(is_active=True).order_by("ordering", "code")
    return (
        Category.objects.filter(is_active=True, parent__isnull=True)
        .prefetch_related(
            Prefetch("methods", queryset=methods),
            Prefetch(
                "subtypes",
                queryset=Category.objects.filter(is_active=True).prefetch_related(
                    Prefetch("methods", queryset=methods)
                ),
            ),
        )
        .order_by("ordering", "code")
    )


def category_lineage(category_code: str) -> list[Category]:
    """The category and its ancestors, nearest first. Raises UnknownCatalogCode."""
    category = Category.objects.select_related("parent__parent").filter(code=category_code).first()
    if category is None:
        raise _unknown("category", _("Unknown category: %(code)s.") % {"code": category_code})
    lineage = [category]
    while lineage[-1].parent_id is not None:
        parent = lineage[-1].parent
        if parent in lineage:  # a cycle entered by hand; the check constraint stops a self-loop
            break
        lineage.append(parent)
    return lineage


def methods_of(lineage: list[Category]) -> QuerySet[TradingMethod]:
    """Methods of the category or of one of its ancestors (a subtype inherits its parent's)."""
    return TradingMethod.objects.filter(categories__in=lineage, is_active=True).distinct()


def rules_for(
    category_code: str, method_code: str | None = None, *, on: date | None = None
) -> list[StatutoryRule]:
    """The statutory rules in force on `on` (default today) for a category and method.

    Included: rules of the category, of its ancestors and of every category (category
    empty); with `method_code`, those of that method and those of every method (method
    empty); without it, the rules of all methods. Raises UnknownCatalogCode for a category
    or method that does not exist, or a method not used for that category.
    """
    on = on or timezone.localdate()
    lineage = category_lineage(category_code)
    rules = StatutoryRule.objects.filter(
        Q(category__in=lineage) | Q(category__isnull=True), _valid_on(on)
    )
    if method_code is not None:
        if not methods_of(lineage).filter(code=method_code).exists():
            if TradingMethod.objects.filter(code=method_code).exists():
                message = _("%(method)s is not a trading method of %(category)s.") % {
                    "method": method_code,
                    "category": category_code,
                }
            else:
                message = _("Unknown trading method: %(code)s.") % {"code": method_code}
            raise _unknown("method", message)
        rules = rules.filter(Q(method__isnull=True) | Q(method__code=method_code))
    return list(rules.select_related("category", "method").order_by("category__ordering", "code"))


def all_rules_in_force(*, on: date | None = None) -> list[StatutoryRule]:
    """Every rule in force on `on` (default today), for the public list."""
    on = on or timezone.localdate()
    return list(
        StatutoryRule.objects.filter(_valid_on(on))
        .select_related("category", "method")
        .order_by("category__ordering", "code")
    )


def rule_by_code(code: str, *, on: date | None = None) -> StatutoryRule | None:
    """One rule by its code, if in force on `on` (e.g. ``procurement.question_answer``)."""
    on = on or timezone.localdate()
    return StatutoryRule.objects.filter(_valid_on(on), code=code).first()


def holiday_calendar() -> HolidayCalendar:
    """The holiday calendar as a value (2 queries; a few hundred rows at most)."""
    exceptions = dict(HolidayCalendarDay.objects.values_list("date", "is_working_day"))
    complete = HolidayCalendarYear.objects.filter(complete=True).values_list("year", flat=True)
    return HolidayCalendar(exceptions=exceptions, complete_years=frozenset(complete))


def check_schedule_for(
    category_code: str,
    method_code: str | None,
    schedule: Mapping[str, Any],
    *,
    on: date | None = None,
) -> list[Violation]:
    """`catalog.rules.check_schedule` with the rules and calendar loaded from the database."""
    return check_schedule(
        rules=rules_for(category_code, method_code, on=on),
        schedule=schedule,
        calendar=holiday_calendar(),
    )


def active_catalog_entries(*, on: date | None = None) -> QuerySet[CatalogEntry]:
    on = on or timezone.localdate()
    return (
        CatalogEntry.objects.filter(_valid_on(on), is_active=True)
        .select_related("category", "required_method")
        .order_by("category__ordering", "ordering", "code")
    )


def catalog_entry_for_project(
    *,
    category_code: str,
    subject_kind: str = "",
    funding_source: str,
    amount: Decimal | None,
    on: date | None = None,
) -> CatalogEntry | None:
    """The catalog entry a project falls under (A3–A4): a mandatory one when any matches
    (it must trade on the platform), else an opt-in one, else None (not catalogued).
    """
    lineage = category_lineage(category_code)
    # A project filed under a parent category (land_mining) may match its subtypes' entries.
    subtypes = Category.objects.filter(parent=lineage[0]).values_list("code", flat=True)
    return find_catalog_entry(
        active_catalog_entries(on=on),
        category_codes={category.code for category in lineage} | set(subtypes),
        subject_kind=subject_kind,
        funding_source=funding_source,
        amount=amount,
    )


def active_fee_standards() -> QuerySet[FeeStandard]:
    return FeeStandard.objects.filter(is_active=True).select_related("category")
