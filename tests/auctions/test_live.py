"""The live state served from the per-listing snapshot (auctions/live.py), with real commits
on PostgreSQL and Redis: replaced on commit of each accepted bid (no stale read after a
commit), one query per read, rebuilt from the database when missing or due, never carrying
an identity or the reserve before the result, and never put back over a newer version."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from auctions import live
from auctions.services import listings
from tests.auctions.conftest import client_for, local, mining_auction, register_and_pay

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def auction(clock, staff, centre, transferor):
    listing = mining_auction(staff, centre, transferor)
    listings.announce_listing(actor=staff, listing=listing)
    return listing


def url(name, listing):
    return reverse(f"api:auction-{name}", args=[listing.pk])


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
