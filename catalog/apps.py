from django.apps import AppConfig


class CatalogConfig(AppConfig):
    """The trading catalog (公共资源交易目录)."""

    name = "catalog"
    label = "catalog"
