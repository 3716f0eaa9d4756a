from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    """Supervision (监督)."""

    name = "supervision"
    label = "supervision"
    verbose_name = _("supervision")
