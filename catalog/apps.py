from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    """The trading catalog (公共资源交易目录)."""

    name = "catalog"
    label = "catalog"
    verbose_name = _("trading catalog")
