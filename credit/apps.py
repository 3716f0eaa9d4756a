from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditConfig(AppConfig):
    """The credit registry (信用)."""

    name = "credit"
    label = "credit"
    verbose_name = _("credit registry")
