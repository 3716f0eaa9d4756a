"""The live state as server-sent events (竞价实时推送) without a worker per watcher.

Under ASGI (gunicorn with uvicorn workers, `deploy/`), every stream of a listing in one
process shares one watch: a task that reads the listing's snapshot (auctions/live.py) from
Redis every POLL_SECONDS and wakes the streams when its version changes; each stream then
sends its reader's state (the snapshot and the reader's own number, looked up once when the
stream opens), and otherwise one event per second for the countdown. A missing or due
snapshot is rebuilt from the database by the watch alone (in a thread), so the database
sees one read per listing and process, not one per watcher. 200 watchers cost one
coroutine each, not 200 sync workers.

Under WSGI the view keeps the plain generator (a sync worker per stream, for a bounded
lifetime); the stream for a draft (the centre's staff only) does too.
"""

from __future__ import annotations

import asyncio
import contextlib
import json

from asgiref.sync import sync_to_async
from django.contrib.auth.models import AnonymousUser
from django.db import close_old_connections
from django.http import Http404
from django.utils import timezone

from auctions import live, selectors

POLL_SECONDS = 0.1
FINAL_STATES = frozenset({"sold", "failed", "voided"})


def _rebuild(listing_id: int) -> dict | None:
    """The snapshot from the database (a due move made first), or None if not public."""
    try:
        return live.build(selectors.listing_for_reader(AnonymousUser(), listing_id))
    except Http404:
        return None
    finally:
        close_old_connections()


class ListingWatch:
    def __init__(self, listing_id: int):
        self.listing_id = listing_id
        self.snapshot: dict | None = None
        self.changed = asyncio.Condition()
        self.watchers = 0
        self.task: asyncio.Task | None = None

    async def _poll(self) -> None:
        while self.watchers:
            snapshot = await live.aget(self.listing_id)
            if snapshot is None or live.is_stale(snapshot, timezone.now()):
                snapshot = await sync_to_async(_rebuild, thread_sensitive=False)(self.listing_id)
            if snapshot is not None and snapshot != self.snapshot:
                self.snapshot = snapshot
                async with self.changed:
                    self.changed.notify_all()
            await asyncio.sleep(POLL_SECONDS)

    async def next(self, after_version: int | None, timeout: float) -> dict | None:
        """The snapshot once its version differs from `after_version`, or after `timeout`."""

        def moved() -> bool:
            return self.snapshot is not None and self.snapshot["version"] != after_version

        async with self.changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait_for(moved), timeout)
        return self.snapshot

    def join(self) -> None:
        self.watchers += 1
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._poll())

    def leave(self) -> None:
        self.watchers -= 1


_watches: dict[int, ListingWatch] = {}


def _watch(listing_id: int) -> ListingWatch:
    if listing_id not in _watches:
        _watches[listing_id] = ListingWatch(listing_id)
    return _watches[listing_id]


async def state_events(user, own, listing_id: int, *, lifetime: float, interval: float = 1.0):
    """`retry`, then a `state` event on each change of the listing and at least once per
    `interval` seconds, for at most `lifetime` seconds or until the result."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + lifetime
    yield "retry: 1000\n\n"
    watch = _watch(listing_id)
    watch.join()
    try:
        sent_version = None
        next_tick = loop.time()
        while True:
            snapshot = await watch.next(sent_version, max(0.0, next_tick - loop.time()))
            if snapshot is None:  # not built yet: wait for the watch
                next_tick = loop.time() + POLL_SECONDS
                continue
            state = selectors.state_from_snapshot(user, snapshot, own).as_dict()
            sent_version = snapshot["version"]
            next_tick = loop.time() + interval
            yield f"event: state\nid: {sent_version}\ndata: {json.dumps(state, default=str)}\n\n"
            if state["state"] in FINAL_STATES or loop.time() >= deadline:
                return
    finally:
        watch.leave()
