from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TradingConfig(AppConfig):
    """Trading (交易)."""

    name = "trading"
    label = "trading"
    verbose_name = _("trading")

    def ready(self) -> None:
        from trading import expert_pool

        expert_pool.register()
