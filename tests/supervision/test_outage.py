"""Alerts are never lost: entries committed while Redis or the worker is down are evaluated
once they are back, from the cursor (a real Redis, a real Celery worker, a real dead port)."""

import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker

from portal.celery import app
from supervision.models import Alert, EvaluationCursor
from supervision.tasks import evaluate_trade_log
from tests.supervision import scenarios

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "supervision"]),
    pytest.mark.slow,
]

DEAD_BROKER = "redis://127.0.0.1:9/0"  # the discard port: connection refused


def _use_broker(url: str) -> None:
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def queue(settings):
    """A queue of this test's own, so the worker sees no other test's tasks."""
    settings.SUPERVISION_TASK_QUEUE = f"supervision-test-{uuid.uuid4().hex[:8]}"
    yield settings.SUPERVISION_TASK_QUEUE
    with app.connection_for_write() as connection:
        connection.default_channel.queue_delete(settings.SUPERVISION_TASK_QUEUE)


def _wait_for(predicate, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def _collusion(clock, centre, staff, tenderee, bidders):
    plans = scenarios.independent_bids()
    plans["b"].ip = plans["a"].ip
    trade = scenarios.announce(clock=clock, centre=centre, staff=staff, tenderee=tenderee)
    scenarios.submit_bids(trade, bidders, plans)
    return trade


def test_committed_while_redis_is_down_then_evaluated_by_the_sweep(
    queue, clock, centre, staff, tenderee, bidders
):
    healthy = app.conf.broker_url
    _use_broker(DEAD_BROKER)
    try:
        # The trade goes on: a dead broker never blocks or fails a commit.
        trade = _collusion(clock, centre, staff, tenderee, bidders)
    finally:
        _use_broker(healthy)
    assert not Alert.objects.exists()
    assert EvaluationCursor.objects.filter(last_seq__gt=0).count() == 0
    with app.connection_for_write() as connection:
        assert connection.default_channel.client.llen(queue) == 0  # no kick got through

    # Redis is back; the worker runs the beat's sweep, which resumes from the cursor.
    with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue]):
        evaluate_trade_log.apply_async(queue=queue)
        assert _wait_for(lambda: Alert.objects.filter(project_id_ref=trade.project.pk).exists())
    alert = Alert.objects.get(project_id_ref=trade.project.pk)
    assert alert.rule_code == "collusion.shared_ip"


def test_committed_while_no_worker_runs_then_evaluated_when_one_starts(
    queue, clock, centre, staff, tenderee, bidders
):
    trade = _collusion(clock, centre, staff, tenderee, bidders)
    with app.connection_for_write() as connection:
        waiting = connection.default_channel.client.llen(queue)
    assert waiting >= 1  # the kicks wait in Redis
    assert not Alert.objects.exists()
    with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue]):
        assert _wait_for(lambda: Alert.objects.filter(project_id_ref=trade.project.pk).exists())
    assert Alert.objects.get(project_id_ref=trade.project.pk).rule_code == "collusion.shared_ip"


def test_with_a_worker_running_an_alert_appears_within_seconds_of_the_commit(
    queue, clock, centre, staff, tenderee, bidders
):
    with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue]):
        started = time.monotonic()
        trade = _collusion(clock, centre, staff, tenderee, bidders)
        committed = time.monotonic()
        assert _wait_for(
            lambda: Alert.objects.filter(project_id_ref=trade.project.pk).exists(), timeout=10
        )
        seen = time.monotonic()
    assert seen - committed < 5, (committed - started, seen - committed)
