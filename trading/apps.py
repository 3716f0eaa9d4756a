from django.apps import AppConfig


class TradingConfig(AppConfig):
    """Trading (交易)."""

    name = "trading"
    label = "trading"
