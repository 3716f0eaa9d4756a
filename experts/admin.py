"""The pool in the admin (platform administrators only).

Reference data — the specialty classification and the pool's rules — is edited here, with
history for the rules. Everything else is read-only: profiles change through the pool
maintainer's services, and draw results can be neither added nor changed by anyone, which
is also why there is no way to designate an expert here (F2).
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from experts.models import (
    BlacklistEntry,
    ConductRecord,
    DrawGroup,
    DrawInvitation,
    ExpertDraw,
    ExpertProfile,
    PoolRule,
    Specialty,
)
from portal.entities.admin import ReadOnlyAdminMixin


@admin.register(Specialty)
class SpecialtyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "is_active", "needs_confirmation"]
    list_filter = ["level", "is_active", "needs_confirmation"]
    search_fields = ["code", "name"]
    ordering = ["code"]

    def has_delete_permission(self, request, obj=None):
        return False  # experts and draws refer to specialties: deactivate instead


@admin.register(PoolRule)
class PoolRuleAdmin(SimpleHistoryAdmin):
    list_display = ["code", "value", "unit", "needs_confirmation"]
    search_fields = ["code", "description", "source"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ExpertProfile)
class ExpertProfileAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["full_name", "status", "region", "employer_name", "admitted_at"]
    list_filter = ["status", "title"]
    search_fields = ["full_name", "employer_name", "employer_uscc"]
    exclude = ["id_number"]


class DrawGroupInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = DrawGroup
    fields = ["position", "specialty_code", "count", "backups", "eligible_digest"]
    extra = 0


@admin.register(ExpertDraw)
class ExpertDrawAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only, and without the invitations while the names are sealed."""

    list_display = ["pk", "project_title", "state", "needed_from", "commitment"]
    list_filter = ["state", "region_scope"]
    exclude = ["seed_sealed", "parties", "exclusions"]
    inlines = [DrawGroupInline]
    actions = None


@admin.register(DrawInvitation)
class DrawInvitationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["draw", "invite_seq", "state", "starts_at"]
    list_filter = ["state"]
    actions = None

    def get_queryset(self, request):
        # Sealed draws' invitations are not shown to anyone, administrators included.
        return (
            super()
            .get_queryset(request)
            .filter(draw__state__in=["revealed", "cancelled", "failed"])
        )


@admin.register(ConductRecord)
class ConductRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["expert", "kind", "serious", "points", "recorded_at"]
    list_filter = ["kind", "serious"]
    actions = None


@admin.register(BlacklistEntry)
class BlacklistEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["expert", "starts_at", "ends_at", "lifted_at"]
    actions = None
