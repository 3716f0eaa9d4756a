from django.apps import AppConfig
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _

from supervision.kicks import kick_evaluation


def _on_trade_log_append(sender, instance, created, using=DEFAULT_DB_ALIAS, **kwargs):
    """After the commit, kick the evaluation (`supervision.kicks`: coalesced, never hangs the
    request on a dead broker; the beat sweep catches up whatever a kick missed)."""
    if not created:
        return
    connection = connections[using]
    # One kick per transaction, however many entries it appended.
    if any(callback is kick_evaluation for _sids, callback, _robust in connection.run_on_commit):
        return
    transaction.on_commit(kick_evaluation, using=using, robust=True)


class SupervisionConfig(AppConfig):
    """Supervision (监督)."""

    name = "supervision"
    label = "supervision"
    verbose_name = _("supervision")

    def ready(self) -> None:
        # The core does not know supervision exists: supervision listens to the trade log.
        from portal.tradelog.models import TradeLogEntry

        post_save.connect(
            _on_trade_log_append, sender=TradeLogEntry, dispatch_uid="supervision_kick"
        )
