"""The Django admin, for platform administrators only (not for every `is_staff` account)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.accounts.policies import can_use_admin_site


class PlatformAdminSite(admin.AdminSite):
    site_header = _("Public resource trading platform — administration")
    site_title = _("Platform administration")

    def has_permission(self, request):
        return can_use_admin_site(request.user)
