from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HoldsConfig(AppConfig):
    """Holds on trades (暂停): suspensions ordered by the competent department."""

    name = "portal.holds"
    label = "holds"
    verbose_name = _("trade holds")
