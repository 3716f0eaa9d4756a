from django.apps import AppConfig


class NoticesConfig(AppConfig):
    """Notices (政策告知与服务公开)."""

    name = "portal.notices"
    label = "notices"
