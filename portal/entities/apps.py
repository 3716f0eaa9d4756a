from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EntitiesConfig(AppConfig):
    """Market entities (市场主体)."""

    name = "portal.entities"
    label = "entities"
    verbose_name = _("market entities")
