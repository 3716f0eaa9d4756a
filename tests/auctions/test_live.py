"""The live state served from the per-listing snapshot (auctions/live.py), with real commits
on PostgreSQL and Redis: replaced on commit of each accepted bid (no stale read after a
commit), one query per read, rebuilt from the database when missing or due, never carrying
an identity or the reserve before the result, and never put back over a newer version."""

import asyncio
import json

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.db import connection
from django.test import AsyncClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from auctions import live, selectors, streams
from auctions.services import listings
from auctions.services.bidding import place_bid
from tests.auctions.conftest import client_for, local, mining_auction, register_and_pay

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def auction(clock, staff, centre, transferor):
    listing = mining_auction(staff, centre, transferor)
    listings.announce_listing(actor=staff, listing=listing)
    return listing


def url(name, listing):
    return reverse(f"api:auction-{name}", args=[listing.pk])


def open_connections() -> int:
    """Other sessions on this test database (the bench of watchers holds none)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def stored(listing) -> dict:
    return live._store().get(listing.pk)


def test_an_accepted_bid_is_in_the_next_read_served_from_the_snapshot(
    auction, bidders, staff, clock
):
    register_and_pay(auction, bidders["a"], staff)
    b = register_and_pay(auction, bidders["b"], staff)
    clock.move_to(local(2026, 3, 25, 9, 30))
    reader = client_for(bidders["a"])
    assert reader.get(url("state", auction)).json()["state"] == "live"  # the move was made
    for amount, price in [("3000000", "3000000.00"), ("3100000", "3100000.00")]:
        before = stored(auction)
        response = client_for(bidders["b"]).post(url("bids", auction), {"amount": amount})
        assert response.status_code == 201
        # Replaced on commit, before the bidder's answer left: the next read shows the bid.
        assert stored(auction)["version"] > before["version"]
        # Served from the snapshot: only the reader's own registration is queried.
        with CaptureQueriesContext(connection) as queries:
            state = reader.get(url("state", auction)).json()
        assert len(queries) == 1, [q["sql"] for q in queries]
        assert state["current_price"] == price and state["leader_number"] == b.number
        assert state["own_standing"] == "not_bidding"
    assert client_for(bidders["b"]).get(url("state", auction)).json()["own_standing"] == "leading"


def test_the_snapshot_carries_numbers_never_identities_nor_the_reserve(
    auction, bidders, staff, clock, api
):
    register_and_pay(auction, bidders["a"], staff)
    register_and_pay(auction, bidders["b"], staff)
    clock.move_to(local(2026, 3, 25, 9, 58))
    client_for(bidders["a"]).post(url("bids", auction), {"amount": "3100000"})
    client_for(bidders["b"]).post(url("bids", auction), {"amount": "3250000"})
    snapshot = json.dumps(stored(auction), ensure_ascii=False)
    read = json.dumps(client_for(bidders["a"]).get(url("state", auction)).json())
    anonymous = json.dumps(api.get(url("state", auction)).json())
    for text in (snapshot, read, anonymous):
        assert "3200000" not in text  # the reserve
        for user in bidders.values():
            entity = user.entity
            assert entity.name not in text and entity.uscc not in text
            assert str(user.username) not in text
    assert json.loads(read)["own_standing"] == "outbid"
    assert json.loads(anonymous)["own_standing"] == "observer"

    # After the result the reserve is revealed, in the snapshot as in the read.
    clock.move_to(local(2026, 3, 25, 10, 4))
    after = client_for(bidders["b"]).get(url("state", auction)).json()
    assert after["state"] == "sold" and after["own_standing"] == "won"
    assert after["reserve_price"] == "3200000.00"
    assert stored(auction)["reserve_price"] == "3200000.00"


def test_a_missing_or_due_snapshot_is_rebuilt_from_the_database(auction, bidders, staff, clock):
    register_and_pay(auction, bidders["a"], staff)
    clock.move_to(local(2026, 3, 25, 9, 30))
    client = client_for(bidders["a"])
    client.post(url("bids", auction), {"amount": "3000000"})

    live._store().forget(auction.pk)  # evicted, or Redis restarted
    state = client.get(url("state", auction)).json()
    assert state["current_price"] == "3000000.00" and state["own_standing"] == "leading"
    assert stored(auction)["version"] == state["version"]

    # The snapshot still says "live" when the end passes: the read makes the move first.
    assert stored(auction)["state"] == "live"
    clock.move_to(local(2026, 3, 25, 10, 1))
    state = client.get(url("state", auction)).json()
    assert state["state"] == "failed"  # 3,000,000 is below the reserve
    assert state["reserve_price"] == "3200000.00" and stored(auction)["state"] == "failed"


def test_an_older_snapshot_never_replaces_a_newer_one(auction, bidders, staff, clock):
    register_and_pay(auction, bidders["a"], staff)
    clock.move_to(local(2026, 3, 25, 9, 30))
    client_for(bidders["a"]).get(url("state", auction))
    older = stored(auction)
    client_for(bidders["a"]).post(url("bids", auction), {"amount": "3000000"})
    newer = stored(auction)
    assert newer["version"] > older["version"]
    # A reader that loaded the row before the bid puts its snapshot after the bid's refresh.
    assert live._store().put(older) is False
    assert stored(auction) == newer
    # A recreated database reusing the pk is another listing: its snapshot replaces it.
    other = {**older, "identity": "elsewhere", "version": 0}
    assert live._store().put(other) is True


def test_the_asgi_stream_pushes_an_accepted_bid_to_every_watcher(
    auction, bidders, staff, clock, settings
):
    """Under ASGI each watcher is a coroutine sharing one watch of the snapshot: a bid by
    B reaches A's and C's open streams as the next event, each with its own standing."""
    settings.AUCTIONS_ASGI_STREAM_SECONDS = 5
    numbers = {key: register_and_pay(auction, bidders[key], staff).number for key in "abc"}
    clock.move_to(local(2026, 3, 25, 9, 30))

    async def watch(key, bid_placed, events):
        client = AsyncClient()
        await client.aforce_login(bidders[key])
        response = await client.get(url("stream", auction))
        assert response.status_code == 200
        # No database connection is held while the stream is open (one per watcher would
        # exhaust the server's connections).
        assert await sync_to_async(open_connections)() == 0
        async for chunk in response.streaming_content:
            text = chunk.decode() if isinstance(chunk, bytes) else chunk
            if not text.startswith("event: state"):
                continue
            state = json.loads(text.split("data: ", 1)[1])
            events.append(state)
            if len(events) == 1:
                bid_placed.set()  # B bids once every watcher has its first event
            if state["current_price"] is not None:
                return

    async def scenario():
        ready = {key: asyncio.Event() for key in "ac"}
        events = {key: [] for key in "ac"}
        tasks = [asyncio.create_task(watch(k, ready[k], events[k])) for k in "ac"]
        await asyncio.wait_for(asyncio.gather(*(e.wait() for e in ready.values())), 10)
        await sync_to_async(place_bid)(actor=bidders["b"], listing=auction.pk, amount="3000000")
        await asyncio.wait_for(asyncio.gather(*tasks), 10)
        return events

    events = async_to_sync(scenario)()
    assert auction.pk in streams._watches  # served by the shared watch, not the sync generator
    for key, standing in [("a", "not_bidding"), ("c", "not_bidding")]:
        first, last = events[key][0], events[key][-1]
        assert first["state"] == "live" and first["current_price"] is None
        assert last["current_price"] == "3000000.00" and last["leader_number"] == numbers["b"]
        assert last["own_number"] == numbers[key] and last["own_standing"] == standing
        assert "3200000" not in json.dumps(events[key])


def test_streams_opened_together_do_not_all_end_together():
    """Bidders connect together at an opening; each stream's lifetime is drawn from the last
    quarter of its configured lifetime, so their reconnections spread over ≈ 14 s of 55
    instead of 200 arriving in one second."""
    lifetimes = [streams.lifetime(55.0) for _ in range(200)]
    assert all(0.75 * 55.0 <= value <= 55.0 for value in lifetimes)
    assert max(lifetimes) - min(lifetimes) > 10.0
    # No single second holds more than a fifth of them.
    per_second = {}
    for value in lifetimes:
        per_second[int(value)] = per_second.get(int(value), 0) + 1
    assert max(per_second.values()) < 40


def _open_asgi_stream(user, listing) -> tuple[int, list[dict]]:
    """One stream under ASGI (lifetime 0: it ends after its first event)."""

    async def scenario():
        client = AsyncClient()
        await client.aforce_login(user)
        response = await client.get(url("stream", listing))
        if response.status_code != 200:
            return response.status_code, []
        if response.is_async:
            chunks = [chunk async for chunk in response.streaming_content]
        else:  # a draft's stream, for its centre's staff: the plain generator
            chunks = await sync_to_async(list)(response.streaming_content)
        events = []
        for chunk in chunks:
            text = chunk.decode() if isinstance(chunk, bytes) else chunk
            if text.startswith("event: state"):
                events.append(json.loads(text.split("data: ", 1)[1]))
        return response.status_code, events

    return async_to_sync(scenario)()


def test_an_asgi_stream_opening_reads_a_current_snapshot_not_the_listing(
    auction, bidders, staff, clock, settings, monkeypatch
):
    """At an opening 200 bidders connect together: with a current snapshot each opening is
    its token and its registration, not the listing's seven-table join. A due snapshot (the
    auction's start has passed) still sends the opening to the database, which makes the
    move; a draft has no snapshot and stays hidden from all but its centre's staff."""
    settings.AUCTIONS_STREAM_SECONDS = settings.AUCTIONS_ASGI_STREAM_SECONDS = 0
    register_and_pay(auction, bidders["a"], staff)
    calls = []
    real = selectors.listing_for_reader
    monkeypatch.setattr(
        selectors, "listing_for_reader", lambda *a, **k: calls.append(a[1]) or real(*a, **k)
    )

    clock.move_to(local(2026, 3, 25, 9, 30))  # the start has passed: the snapshot is due
    status, events = _open_asgi_stream(bidders["a"], auction)
    assert status == 200 and events[0]["state"] == "live" and calls == [auction.pk]
    assert stored(auction)["state"] == "live"

    status, events = _open_asgi_stream(bidders["a"], auction)
    assert status == 200 and events[0]["state"] == "live"
    assert events[0]["own_number"] is not None
    assert calls == [auction.pk]  # served from the snapshot

    draft = mining_auction(staff, auction.centre, auction.transferor)
    assert _open_asgi_stream(bidders["a"], draft)[0] == 404
    status, events = _open_asgi_stream(staff, draft)
    assert status == 200 and events[0]["state"] == "draft"
