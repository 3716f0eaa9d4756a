"""Notices in the admin: policies, service list, fee standards, rule clean-up, complaints."""

from django.contrib import admin

from portal.notices.models import Notice


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "centre", "published_at", "published_by"]
    list_filter = ["kind", "centre"]
    list_select_related = ["centre", "published_by"]
    search_fields = ["title", "source"]
    readonly_fields = ["published_by"]
    date_hierarchy = "published_at"

    def save_model(self, request, obj, form, change):
        if obj.published_at and obj.published_by_id is None:
            obj.published_by = request.user
        super().save_model(request, obj, form, change)
