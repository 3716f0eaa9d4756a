"""The kick after a commit is coalesced: at most one is pending at a time, and still every
entry is evaluated without waiting for the beat sweep (a real Redis, a real Celery worker)."""

import contextlib
import threading
import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun, task_prerun
from django.db import close_old_connections, transaction

from portal.celery import app
from portal.tradelog.models import TradeLogHead
from portal.tradelog.services import append_entry
from supervision.kicks import KICK_PENDING_MS, pending_key
from supervision.models import EvaluationCursor
from supervision.tasks import evaluate_trade_log

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "supervision"]),
    pytest.mark.slow,
]


@pytest.fixture
def queue(settings):
    """A queue (and so a pending marker) of this test's own: no other test's kicks."""
    settings.SUPERVISION_TASK_QUEUE = f"supervision-test-{uuid.uuid4().hex[:8]}"
    yield settings.SUPERVISION_TASK_QUEUE
    with app.connection_for_write() as connection:
        connection.default_channel.queue_delete(settings.SUPERVISION_TASK_QUEUE)
        connection.default_channel.client.delete(pending_key())


def _redis():
    connection = app.connection_for_write()
    return connection, connection.default_channel.client


def _waiting(queue: str) -> int:
    connection, client = _redis()
    with connection:
        return client.llen(queue)


def _marker_ttl_ms() -> int:
    connection, client = _redis()
    with connection:
        return client.pttl(pending_key())


def _commit_entry(n: int = 0) -> None:
    with transaction.atomic():
        append_entry(action="test.kick", object_type="test", object_id=n, payload={"n": n})


def _head() -> int:
    head = TradeLogHead.objects.filter(id=1).first()
    return head.seq if head else 0


def _cursor() -> int:
    cursor = EvaluationCursor.objects.filter(id=1).first()
    return cursor.last_seq if cursor else 0


def _wait_for(predicate, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@contextlib.contextmanager
def _one_commit_on(signal):
    """While inside: the first time `signal` fires for the evaluation task, a trade-log entry
    is committed from the worker's thread. Yields the list that receives the head after it."""
    committed: list[int] = []

    def commit_once(**kwargs):
        if not committed:
            _commit_entry(99)
            committed.append(_head())
            close_old_connections()

    signal.connect(commit_once, sender=evaluate_trade_log, weak=False)
    try:
        yield committed
    finally:
        signal.disconnect(commit_once, sender=evaluate_trade_log)


class _Runs:
    """The evaluation task's runs in the test's worker, counted from Celery's own signals."""

    def __init__(self):
        self.started = self.finished = 0

    def __enter__(self):
        task_prerun.connect(self._started, sender=evaluate_trade_log, weak=False)
        task_postrun.connect(self._finished, sender=evaluate_trade_log, weak=False)
        return self

    def __exit__(self, *exc):
        task_prerun.disconnect(self._started, sender=evaluate_trade_log)
        task_postrun.disconnect(self._finished, sender=evaluate_trade_log)

    def _started(self, **kwargs):
        self.started += 1

    def _finished(self, **kwargs):
        self.finished += 1


def test_many_commits_while_a_kick_is_pending_send_one_task(queue):
    for n in range(20):
        _commit_entry(n)
    assert _waiting(queue) == 1
    assert 0 < _marker_ttl_ms() <= KICK_PENDING_MS  # a lost task holds kicks back 10 s at most


def test_the_task_clears_the_marker_first_so_the_next_commit_kicks_again(queue):
    _commit_entry(1)
    assert _waiting(queue) == 1
    _commit_entry(2)
    assert _waiting(queue) == 1  # coalesced into the pending kick

    # The pending task runs (here, in this process): it clears the marker and reads both.
    evaluate_trade_log.apply()
    assert _marker_ttl_ms() == -2  # no marker
    assert _cursor() == _head()

    _commit_entry(3)
    assert _waiting(queue) == 2  # a commit after the task started sends another


def test_a_commit_before_the_tasks_read_is_read_by_that_run(queue):
    """A commit that finds the marker set sends nothing: the run that set it reads it. Here
    the commit lands between the task's start and its read (Celery's task_prerun, in the
    worker's thread, before the task body clears the marker)."""
    _commit_entry(1)
    with (
        _one_commit_on(task_prerun) as committed,
        _Runs() as runs,
        start_worker(app, pool="solo", perform_ping_check=False, queues=[queue]),
    ):
        assert _wait_for(lambda: runs.finished >= 1)
        assert _wait_for(lambda: _cursor() == _head())
    assert committed and _cursor() >= committed[0]
    assert runs.started == 1  # the commit inside found the marker set: no second task
    assert _waiting(queue) == 0


def test_a_commit_after_the_task_started_is_kicked_and_evaluated(queue):
    _commit_entry(1)
    with (
        _one_commit_on(task_postrun) as committed,
        _Runs() as runs,
        start_worker(app, pool="solo", perform_ping_check=False, queues=[queue]),
    ):
        assert _wait_for(lambda: runs.finished >= 2)
        assert _wait_for(lambda: committed and _cursor() >= committed[0])
    assert runs.started == 2  # the first run, then the kick of the commit after it


def test_every_entry_is_evaluated_by_the_kicks_under_concurrent_commits(queue):
    """Four threads commit 100 entries while a worker evaluates: no beat sweep runs, yet
    the cursor reaches the head, with far fewer runs than commits."""
    threads_count, per_thread = 4, 25

    def commit_many(offset: int):
        try:
            for n in range(per_thread):
                _commit_entry(offset + n)
        finally:
            close_old_connections()

    with _Runs() as runs, start_worker(app, pool="solo", perform_ping_check=False, queues=[queue]):
        start = _head()
        threads = [
            threading.Thread(target=commit_many, args=(i * per_thread,))
            for i in range(threads_count)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert _head() == start + threads_count * per_thread
        assert _wait_for(lambda: _cursor() == _head())
        assert _wait_for(lambda: _waiting(queue) == 0)
    assert 1 <= runs.started < threads_count * per_thread
