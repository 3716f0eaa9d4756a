"""Accounts in the admin: one role per account, and the scope that role needs."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Role, User
from portal.centres.services import assign_centre_staff


@admin.register(User)
class PlatformUserAdmin(UserAdmin):
    list_display = ["username", "display_name", "role", "entity", "centre", "is_active"]
    list_filter = ["role", "department", "is_active", "is_staff"]
    list_select_related = ["entity", "centre"]
    search_fields = ["username", "display_name", "email", "entity__name", "entity__uscc"]
    autocomplete_fields = ["entity", "centre", "region"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Person"), {"fields": ["display_name", "first_name", "last_name", "email", "phone"]}),
        (
            _("Role and scope"),
            {
                "fields": ["role", "entity", "is_entity_admin", "centre", "department", "region"],
                "description": _(
                    "One role per account. Entity roles need an entity; centre staff a centre; "
                    "regulators a department and a region."
                ),
            },
        ),
        (_("Access"), {"fields": ["is_active", "is_staff", "is_superuser"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "role", "usable_password", "password1", "password2"],
            },
        ),
    ]
    readonly_fields = ["last_login", "date_joined"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.role == Role.CENTRE_STAFF and obj.centre_id:
            # The object permission on the centre is what lets staff manage it.
            assign_centre_staff(user=obj, centre=obj.centre)
