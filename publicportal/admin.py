"""Administration of the portal: connected trading systems (registered here or through
`POST /api/v1/exchange/systems/`) and a read-only view of the publication index."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from publicportal import exchange
from publicportal.models import Publication, SourceSystem


@admin.register(SourceSystem)
class SourceSystemAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "operator", "centre", "is_active", "registered_at"]
    list_filter = ["is_active", "centre"]
    search_fields = ["code", "name", "operator"]
    readonly_fields = ["token_hint", "registered_at", "registered_by"]

    def get_readonly_fields(self, request, obj=None):
        # Code and centre define the credential's scope: fixed once registered.
        return [*self.readonly_fields, "code", "centre"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        system, credential = exchange.register_system(
            actor=request.user,
            code=obj.code,
            name=obj.name,
            operator=obj.operator,
            centre=obj.centre,
        )
        obj.pk = system.pk
        messages.warning(
            request,
            _("The system's credential, shown this once only: %(credential)s")
            % {"credential": credential},
        )


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "source", "system", "category", "region", "published_at"]
    list_filter = ["source", "kind", "status", "category"]
    search_fields = ["title", "project_title", "source_key"]
    date_hierarchy = "published_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
