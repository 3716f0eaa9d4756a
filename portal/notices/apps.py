from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    """Notices (政策告知与服务公开)."""

    name = "portal.notices"
    label = "notices"
    verbose_name = _("notices")
