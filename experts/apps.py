from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExpertsConfig(AppConfig):
    """The expert pool (专家库)."""

    name = "experts"
    label = "experts"
    verbose_name = _("expert pool")
