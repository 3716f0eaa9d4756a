"""The kick after a commit that appended to the trade log: ask a worker to evaluate now,
coalesced so that at most one kick is pending at a time.

A kick was a Celery `apply_async` after every such commit (≈ 17–19 % of an accepted
auction bid's CPU), and in a busy auction the worker then ran one evaluation per commit,
nearly all of them finding nothing new. Now the kick first sets a marker in the broker's
Redis, `SET supervision:kick-pending:<queue> 1 NX PX 10000`, and sends the task only when
that SET succeeded. The task deletes the marker as its first step, before it reads the log
(`supervision.tasks.evaluate_trade_log`). So for any committed entry:

- its kick set the marker → a task was sent, and it reads the log after the commit;
- its kick found the marker set → the task that set it has not yet deleted it, so that task
  reads the log after this commit (the entries are committed in `seq` order and read from
  the cursor, `services.evaluation`);
- a commit after the delete sets the marker again and sends another task.

A lost task or a flushed marker costs at most the marker's lifetime (10 s) of kicks; the
beat sweep (every 5 s) evaluates from the cursor whatever any kick missed, as before. A dead
broker never hangs a request: one connection attempt with a short timeout, no retry, and the
commit's callback is robust (`supervision.apps`).

The embedded default (memory broker, tasks run eagerly) has no Redis: every kick is sent.
"""

import functools
import logging
import threading

logger = logging.getLogger(__name__)

#: Seconds a commit's kick may spend reaching the broker before giving up to the sweep.
KICK_CONNECT_TIMEOUT = 0.5
#: Seconds a command on the broker's Redis may take before the kick gives up.
KICK_SOCKET_TIMEOUT = 1.0
#: The pending marker's lifetime: how long a lost task can hold back the next kicks.
KICK_PENDING_MS = 10_000

_local = threading.local()


def pending_key() -> str:
    """The marker of a pending kick, one per queue the kicks go to."""
    from django.conf import settings

    return f"supervision:kick-pending:{settings.SUPERVISION_TASK_QUEUE or _default_queue()}"


@functools.cache
def _default_queue() -> str:
    from portal.celery import app

    return app.conf.task_default_queue


def _broker_connection():
    """This thread's connection for kicks, opened once: one attempt with a short timeout and
    no retry (kombu's default is to retry a lost connection forever)."""
    from portal.celery import app

    url = app.conf.broker_write_url or app.conf.broker_url
    if getattr(_local, "connection", None) is None or _local.url != url:
        _local.connection = app.connection_for_write(
            url,
            connect_timeout=KICK_CONNECT_TIMEOUT,
            transport_options={
                "max_retries": 0,
                "socket_connect_timeout": KICK_CONNECT_TIMEOUT,
                "socket_timeout": KICK_SOCKET_TIMEOUT,
            },
        )
        _local.url = url
    return _local.connection


def _forget(connection) -> None:
    _local.connection = None  # reconnect next time
    connection.release()


def _redis(connection):
    """The broker's Redis client, or None when the broker is not Redis (the memory broker)."""
    if connection.transport.driver_type != "redis":
        return None
    return connection.default_channel.client


def kick_evaluation() -> None:
    """After the commit: ask a worker to evaluate now, unless a kick is already pending."""
    from django.conf import settings

    from supervision.tasks import evaluate_trade_log

    connection = _broker_connection()
    try:
        client = _redis(connection)
        key = pending_key()
        if client is not None and not client.set(key, b"1", nx=True, px=KICK_PENDING_MS):
            return  # the pending kick's task reads the log after this commit
        try:
            evaluate_trade_log.apply_async(
                retry=False, queue=settings.SUPERVISION_TASK_QUEUE or None, connection=connection
            )
        except Exception:
            if client is not None:
                client.delete(key)  # not sent: the next commit kicks again
            raise
    except Exception:
        _forget(connection)
        raise


def clear_pending_kick() -> None:
    """The evaluation task's first step, before it reads the log: a commit after this kicks
    again. If Redis is unreachable the marker expires by itself; the evaluation goes on."""
    connection = _broker_connection()
    try:
        client = _redis(connection)
        if client is not None:
            client.delete(pending_key())
    except Exception:
        logger.warning("could not clear the pending supervision kick", exc_info=True)
        _forget(connection)
