import threading

from django.apps import AppConfig
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _

#: Seconds a commit's kick may spend reaching the broker before giving up to the sweep.
KICK_CONNECT_TIMEOUT = 0.5


_local = threading.local()


def _broker_connection():
    """This thread's connection for kicks, opened once: one attempt with a short timeout and
    no retry (kombu's default is to retry a lost connection forever)."""
    from portal.celery import app

    url = app.conf.broker_write_url or app.conf.broker_url
    if getattr(_local, "connection", None) is None or _local.url != url:
        _local.connection = app.connection_for_write(
            url, connect_timeout=KICK_CONNECT_TIMEOUT, transport_options={"max_retries": 0}
        )
        _local.url = url
    return _local.connection


def _kick_evaluation() -> None:
    """After the commit: ask a worker to evaluate now. Never hangs a request on a dead broker;
    if Redis or the worker is down, the beat sweep catches up from the cursor, so nothing is
    lost either way."""
    from django.conf import settings

    from supervision.tasks import evaluate_trade_log

    connection = _broker_connection()
    try:
        evaluate_trade_log.apply_async(
            retry=False, queue=settings.SUPERVISION_TASK_QUEUE or None, connection=connection
        )
    except Exception:
        _local.connection = None  # reconnect next time
        connection.release()
        raise


def _on_trade_log_append(sender, instance, created, using=DEFAULT_DB_ALIAS, **kwargs):
    if not created:
        return
    connection = connections[using]
    # One kick per transaction, however many entries it appended.
    if any(callback is _kick_evaluation for _sids, callback, _robust in connection.run_on_commit):
        return
    transaction.on_commit(_kick_evaluation, using=using, robust=True)


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
