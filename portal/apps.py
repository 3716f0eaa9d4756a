from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PortalConfig(AppConfig):
    """The project package as an app: shared templates, static files and commands."""

    default = True

    name = "portal"
    label = "portal"


class PlatformAdminConfig(admin_apps.AdminConfig):
    """The admin site, restricted to platform administrators (see portal.admin_site)."""

    default = False
    default_site = "portal.admin_site.PlatformAdminSite"
