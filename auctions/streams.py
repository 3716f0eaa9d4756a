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
import random
from datetime import datetime

from asgiref.sync import sync_to_async
from django.contrib.auth.models import AnonymousUser
from django.db import close_old_connections
from django.http import Http404
from django.utils import timezone

from auctions import live, selectors

POLL_SECONDS = 0.1
FINAL_STATES = frozenset({"sold", "failed", "voided"})
#: A stream lasts between this share of its configured lifetime and all of it.
LIFETIME_SPREAD = 0.75


def lifetime(longest: float) -> float:
    """One stream's lifetime, drawn from [LIFETIME_SPREAD × longest, longest]. The bidders of
    an auction connect together at its opening; with one fixed lifetime all of them would
    reconnect in the same second, again and again (200 openings at once, each with its
    queries: the benchmark's slowest bids were in that second). Spread, they reconnect over
    a quarter of the lifetime."""
    return random.uniform(LIFETIME_SPREAD * longest, longest)  # noqa: S311 - not a secret


def _rebuild(listing_id: int) -> dict | None:
    """The snapshot from the database (a due move made first), or None if not public."""
    try:
        return live.build(selectors.listing_for_reader(AnonymousUser(), listing_id))
    except Http404:
        return None
    finally:
        close_old_connections()


class Frame:
    """One snapshot as an event, its public part serialised once for all the watchers of a
    process; each watcher adds only its own fields (number, standing, deposit) and the
    server time. The event is the one `selectors.state_from_snapshot(…).as_dict()` would
    give, serialised by `json.dumps(…, default=str)`, byte for byte (tests/auctions)."""

    __slots__ = ("ends", "ends_at", "head", "middle", "numbers", "snapshot", "tail", "version")

    def __init__(self, snapshot: dict):
        dumps = json.dumps
        self.snapshot = snapshot
        self.version = snapshot["version"]
        self.ends_at = datetime.fromisoformat(snapshot["ends_at"]) if snapshot["ends_at"] else None
        self.numbers = frozenset(snapshot["bid_numbers"] or ())
        self.head = (
            f"event: state\nid: {self.version}\ndata: "
            f'{{"listing_id": {dumps(snapshot["listing_id"])}, "state": {dumps(snapshot["state"])},'
            f' "version": {dumps(self.version)}, "server_time": '
        )
        self.ends = dumps(str(self.ends_at)) if self.ends_at else "null"
        self.middle = "".join(
            f", {dumps(name)}: {dumps(snapshot[name])}"
            for name in (
                "current_price",
                "minimum_next_bid",
                "increment",
                "increment_rule",
                "bid_count",
                "leader_number",
            )
        )
        self.tail = (
            "".join(
                f", {dumps(name)}: {dumps(snapshot[name])}"
                for name in ("final_price", "winner_number", "reserve_price")
            )
            + "}\n\n"
        )

    def standing(self, user, own: selectors.OwnRegistration | None) -> str:
        return selectors.own_standing(
            user, self.snapshot, own, has_bid=lambda: own.number in self.numbers
        )

    def render(self, now: datetime, own: tuple[str, str], standing: str) -> str:
        """`own`: the watcher's number and deposit state, serialised when it joined."""
        if self.ends_at is None:
            seconds = "null"
        else:
            seconds = str(max(0, int((self.ends_at - now).total_seconds())))
        return (
            f'{self.head}"{now}", "ends_at": {self.ends}, "seconds_left": {seconds}'
            f'{self.middle}, "own_number": {own[0]}, "own_standing": "{standing}", '
            f'"deposit_state": {own[1]}{self.tail}'
        )


class ListingWatch:
    """One per listing and process: polls the snapshot, and on a change replaces its frame
    and wakes every watcher at once (an `asyncio.Event` swapped for a fresh one; no lock for
    200 watchers to take in turn, no task per wait)."""

    def __init__(self, listing_id: int):
        self.listing_id = listing_id
        self.frame: Frame | None = None
        self.changed = asyncio.Event()
        self.watchers = 0
        self.task: asyncio.Task | None = None

    async def _poll(self) -> None:
        while self.watchers:
            snapshot = await live.aget(self.listing_id)
            if snapshot is None or live.is_stale(snapshot, timezone.now()):
                snapshot = await sync_to_async(_rebuild, thread_sensitive=False)(self.listing_id)
            if snapshot is not None and (self.frame is None or snapshot != self.frame.snapshot):
                self.frame = Frame(snapshot)
                changed, self.changed = self.changed, asyncio.Event()
                changed.set()
            await asyncio.sleep(POLL_SECONDS)

    async def next(self, after_version: int | None, timeout: float) -> Frame | None:
        """The frame once its version differs from `after_version`, or after `timeout`."""
        if self.frame is not None and self.frame.version != after_version:
            return self.frame
        changed = self.changed
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                while not (self.frame is not None and self.frame.version != after_version):
                    await changed.wait()
                    changed = self.changed
        return self.frame

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
    own_fields = (
        json.dumps(own.number if own else None),
        json.dumps(own.deposit_state if own else None),
    )
    watch = _watch(listing_id)
    watch.join()
    try:
        sent_version = None
        next_tick = loop.time()
        while True:
            frame = await watch.next(sent_version, max(0.0, next_tick - loop.time()))
            if frame is None:  # not built yet: wait for the watch
                next_tick = loop.time() + POLL_SECONDS
                continue
            standing = frame.standing(user, own)
            sent_version = frame.version
            next_tick = loop.time() + interval
            yield frame.render(timezone.now(), own_fields, standing)
            if frame.snapshot["state"] in FINAL_STATES or loop.time() >= deadline:
                return
    finally:
        watch.leave()
