"""The credit registry in the admin: the rules as data (measure types, competence) are edited
by platform administrators with their history; records, measures and repairs are read-only
there — they are written by the services, which check competence and write the trade log."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from credit.models import (
    CompetenceRule,
    CreditImport,
    CreditRecord,
    CreditRepair,
    Measure,
    MeasureType,
)


@admin.register(MeasureType)
class MeasureTypeAdmin(SimpleHistoryAdmin):
    list_display = [
        "code",
        "name",
        "effect",
        "security_percent",
        "max_months",
        "published_list",
        "source",
        "needs_confirmation",
        "is_active",
    ]
    list_filter = ["effect", "published_list", "needs_confirmation", "is_active"]
    search_fields = ["code", "name", "source"]


@admin.register(CompetenceRule)
class CompetenceRuleAdmin(SimpleHistoryAdmin):
    list_display = ["category", "department", "source", "needs_confirmation"]
    list_filter = ["department", "needs_confirmation"]
    list_select_related = ["category"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CreditRecord)
class CreditRecordAdmin(ReadOnlyAdmin):
    list_display = [
        "decision_no",
        "entity_name",
        "uscc",
        "kind",
        "severity",
        "authority",
        "valid_from",
        "valid_to",
        "public",
        "source",
    ]
    list_filter = ["kind", "severity", "public", "source", "category"]
    search_fields = ["uscc", "entity_name", "decision_no", "authority", "external_id"]
    list_select_related = ["category"]


@admin.register(Measure)
class MeasureAdmin(ReadOnlyAdmin):
    list_display = ["record", "measure_type", "uscc", "region", "valid_from", "valid_to"]
    list_filter = ["measure_type", "effect"]
    search_fields = ["uscc", "record__decision_no"]
    list_select_related = ["record", "measure_type", "region"]


@admin.register(CreditRepair)
class CreditRepairAdmin(ReadOnlyAdmin):
    list_display = ["decision_no", "authority", "decided_on", "measure", "new_valid_to"]
    search_fields = ["decision_no", "authority"]
    list_select_related = ["measure__record", "measure__measure_type"]


@admin.register(CreditImport)
class CreditImportAdmin(ReadOnlyAdmin):
    list_display = [
        "imported_at",
        "file_name",
        "imported_by",
        "rows",
        "created",
        "unchanged",
        "rejected",
    ]
    list_select_related = ["imported_by"]
