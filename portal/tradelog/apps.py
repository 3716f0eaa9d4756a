from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _grant_supervision_access(sender, using="default", **kwargs):
    if sender.name != "portal.tradelog":  # post_migrate is sent once per app; act once
        return
    from portal.tradelog.supervision_role import ensure_supervision_role

    ensure_supervision_role(using)


class TradelogConfig(AppConfig):
    """The trade log (交易日志)."""

    name = "portal.tradelog"
    label = "tradelog"
    verbose_name = _("trade log")

    def ready(self) -> None:
        # After every migrate, newly created tables become readable by supervision.
        post_migrate.connect(_grant_supervision_access, dispatch_uid="grant_supervision_access")
