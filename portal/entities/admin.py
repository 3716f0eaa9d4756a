"""Market entities in the admin, read-only.

Profiles change through their own administrator (services.update_entity_profile), which
writes the trade log; the admin shows the entity and its change history.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from portal.entities.models import EntityInvitation, MarketEntity, Qualification


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class QualificationInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Qualification
    fields = ["kind", "grade", "certificate_number", "issuer", "valid_until"]
    extra = 0


@admin.register(MarketEntity)
class MarketEntityAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "uscc", "entity_type", "region", "registered_at"]
    list_filter = ["entity_type", "region"]
    list_select_related = ["region"]
    search_fields = ["name", "uscc"]
    inlines = [QualificationInline]


@admin.register(EntityInvitation)
class EntityInvitationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["entity", "email", "role", "created_at", "expires_at", "accepted_by"]
    list_select_related = ["entity", "accepted_by"]
    search_fields = ["entity__name", "entity__uscc", "email"]
    exclude = ["token"]
