from django.apps import AppConfig


class CentresConfig(AppConfig):
    """Regions, trading centres and venues (区域、交易中心与场地)."""

    name = "portal.centres"
    label = "centres"
