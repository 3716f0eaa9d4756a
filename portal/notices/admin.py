"""Notices in the admin: policies, service list, fee standards, rule clean-up, complaints."""

from django.contrib import admin

from portal.notices.models import Notice
from portal.notices.services import publish_notice


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "centre", "published_at", "published_by"]
    list_filter = ["kind", "centre"]
    list_select_related = ["centre", "published_by"]
    search_fields = ["title", "source"]
    readonly_fields = ["published_by"]
    date_hierarchy = "published_at"

    def save_model(self, request, obj, form, change):
        # Publishing (a publication time set for the first time) goes through the service,
        # which records the publisher in the trade log.
        if obj.published_at and obj.published_by_id is None:
            publish_notice(notice=obj, actor=request.user, at=obj.published_at)
        else:
            super().save_model(request, obj, form, change)
