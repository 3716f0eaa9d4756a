from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CentresConfig(AppConfig):
    """Regions, trading centres and venues (区域、交易中心与场地)."""

    name = "portal.centres"
    label = "centres"
    verbose_name = _("regions, centres and venues")
