"""The trade log in the admin: readable, never added to, changed or deleted (the database
refuses UPDATE and DELETE as well)."""

from django.contrib import admin

from portal.entities.admin import ReadOnlyAdminMixin
from portal.tradelog.models import TradeLogEntry


@admin.register(TradeLogEntry)
class TradeLogEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["seq", "occurred_at", "action", "object_type", "object_id", "actor"]
    list_filter = ["action", "category"]
    list_select_related = ["actor"]
    search_fields = ["action", "object_type", "object_id"]
    ordering = ["-seq"]
    show_full_result_count = False  # the log grows without end: no COUNT(*) on every page
    actions = None
