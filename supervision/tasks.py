"""Supervision's Celery tasks: a few lines each that call a service; all idempotent.

Beat (portal/settings.py): `supervision.evaluate_trade_log` every few seconds as the sweep that
catches up after an outage, `supervision.verify_trade_log` every few minutes,
`supervision.sweep_overdue_steps` every hour (statutory steps that never happened:
`services.overdue`). The same evaluation task is also kicked after every commit that
appended to the trade log (`supervision.kicks`, coalesced: at most one kick pending at a
time), which is what makes alerts appear within seconds.
"""

from celery import shared_task

from supervision.kicks import clear_pending_kick
from supervision.services import evaluation, integrity, overdue


@shared_task(name="supervision.evaluate_trade_log", ignore_result=True)
def evaluate_trade_log() -> int:
    # First, before reading the log: a commit after this kicks again, one before is read.
    clear_pending_kick()
    return evaluation.evaluate_pending().entries


@shared_task(name="supervision.verify_trade_log", ignore_result=True)
def verify_trade_log() -> int:
    return integrity.verify_chain_and_alert()


@shared_task(name="supervision.sweep_overdue_steps", ignore_result=True)
def sweep_overdue_steps() -> int:
    return overdue.sweep_overdue_steps().alerts
