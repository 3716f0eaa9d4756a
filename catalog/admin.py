"""The catalog is administered data (A2, A3): the platform administrator edits categories,
rules, fee standards and the holiday calendar here, with the change history kept.

The admin site itself is restricted to platform administrators (portal.admin_site), which
is the same rule as `portal.accounts.policies.can_edit_catalog`.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from catalog.models import (
    CatalogEntry,
    Category,
    FeeStandard,
    HolidayCalendarDay,
    HolidayCalendarYear,
    StatutoryRule,
    TradingMethod,
    TransactionCodeCounter,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "parent",
        "transaction_code_letter",
        "alternative_code_letters",
        "supervising_department",
        "is_active",
        "ordering",
    ]
    list_filter = ["is_active", "supervising_department"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]


@admin.register(TradingMethod)
class TradingMethodAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "is_active", "ordering"]
    list_filter = ["is_active", "categories"]
    search_fields = ["code", "name_zh"]
    filter_horizontal = ["categories"]


@admin.register(CatalogEntry)
class CatalogEntryAdmin(SimpleHistoryAdmin):
    list_display = [
        "code",
        "category",
        "subject_kind",
        "funding_source",
        "minimum_amount",
        "mandatory",
        "required_method",
        "source",
        "is_active",
    ]
    list_filter = ["category", "mandatory", "funding_source", "is_active", "needs_confirmation"]
    search_fields = ["code", "subject", "source"]
    list_select_related = ["category", "required_method"]


@admin.register(StatutoryRule)
class StatutoryRuleAdmin(SimpleHistoryAdmin):
    list_display = [
        "code",
        "category",
        "method",
        "kind",
        "value_display",
        "source",
        "needs_confirmation",
        "valid_from",
        "valid_to",
    ]
    list_filter = ["category", "kind", "unit", "needs_confirmation", "method"]
    search_fields = ["code", "description", "source", "start_field", "end_field"]
    list_select_related = ["category", "method"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "code",
                    "category",
                    "method",
                    "description",
                    "source",
                    "needs_confirmation",
                ]
            },
        ),
        (
            _("What is checked"),
            {
                "fields": [
                    "kind",
                    "start_field",
                    "end_field",
                    "value",
                    "value_denominator",
                    "unit",
                    "condition_field",
                    "condition_min_value",
                ]
            },
        ),
        (_("Validity"), {"fields": ["valid_from", "valid_to"]}),
    ]

    @admin.display(description=_("value"))
    def value_display(self, obj):
        return obj.value_display


@admin.register(HolidayCalendarYear)
class HolidayCalendarYearAdmin(SimpleHistoryAdmin):
    list_display = ["year", "complete", "source"]
    list_filter = ["complete"]


@admin.register(HolidayCalendarDay)
class HolidayCalendarDayAdmin(SimpleHistoryAdmin):
    list_display = ["date", "weekday", "is_working_day", "name"]
    list_filter = ["is_working_day"]
    search_fields = ["name"]
    date_hierarchy = "date"

    @admin.display(description=_("weekday"))
    def weekday(self, obj):
        return obj.date.isoweekday()


@admin.register(FeeStandard)
class FeeStandardAdmin(SimpleHistoryAdmin):
    list_display = [
        "code",
        "category",
        "name",
        "minimum_fee",
        "maximum_fee",
        "is_example",
        "is_active",
        "source",
    ]
    list_filter = ["category", "is_active", "is_example"]
    search_fields = ["code", "name", "source"]
    list_select_related = ["category"]


@admin.register(TransactionCodeCounter)
class TransactionCodeCounterAdmin(admin.ModelAdmin):
    """Read-only: a counter moved by hand would give a code twice or leave a gap."""

    list_display = ["letter", "region", "year", "last"]
    list_filter = ["letter", "year"]
    list_select_related = ["region"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
