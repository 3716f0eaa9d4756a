"""Many threads bidding at once on one lot, on PostgreSQL: bids are serialised by the
listing's row lock, so the invariants hold — checked from the bid log afterwards:
strictly increasing by at least one increment, no duplicate price, no accepted bid lost."""

import itertools
import random
import threading
import time
from decimal import Decimal

import pytest
import time_machine
from django.db import connection, connections, transaction

from auctions.models import Bid, Listing
from auctions.services import listings
from auctions.services.bidding import place_bid
from portal.errors import ApplicationError
from portal.tradelog.models import TradeLogEntry
from tests import factories
from tests.auctions.conftest import local, mining_auction, register_and_pay

THREADS = 12
ATTEMPTS = 15

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks on PostgreSQL"),
]


def test_concurrent_bids_keep_the_invariants(staff, centre, transferor):
    with time_machine.travel(local(2026, 3, 2, 9, 0), tick=False):
        listing = mining_auction(staff, centre, transferor, ends_at=local(2026, 3, 25, 12, 0))
        listings.announce_listing(actor=staff, listing=listing)
        users = [factories.BidderFactory(username=f"racer{i}") for i in range(THREADS)]
        for user in users:
            register_and_pay(listing, user, staff)

    accepted: list[tuple[int, Decimal]] = []
    refusals: list[str] = []
    too_low: list[tuple[Decimal, Decimal]] = []  # (amount, the minimum the refusal named)
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def bidder(user, seed):
        rng = random.Random(seed)
        try:
            start.wait()
            for _ in range(ATTEMPTS):
                current = Listing.objects.values_list("current_price", flat=True).get(pk=listing.pk)
                base = current + listing.increment if current else listing.starting_price
                amount = base + listing.increment * rng.choice([0, 0, 0, 1, 2])
                try:
                    result = place_bid(actor=user, listing=listing.pk, amount=amount)
                except ApplicationError as refusal:
                    with lock:
                        refusals.append(refusal.code)
                        too_low.append((amount, Decimal(refusal.fields["minimum"][0])))
                else:
                    with lock:
                        accepted.append((result.bid.sequence, result.bid.amount))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    with time_machine.travel(local(2026, 3, 25, 9, 30), tick=True):
        threads = [threading.Thread(target=bidder, args=(u, i)) for i, u in enumerate(users)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert not errors, errors
    assert set(refusals) <= {"too_low"}, set(refusals)
    log = list(Bid.objects.filter(listing=listing).order_by("sequence"))
    # No accepted (answered) bid lost, nothing in the log that was not answered.
    assert sorted(accepted) == [(bid.sequence, bid.amount) for bid in log]
    assert [bid.sequence for bid in log] == list(range(1, len(log) + 1))
    assert len(log) > THREADS  # the race really happened
    # Strictly increasing by at least one increment; no duplicate price.
    assert log[0].amount >= listing.starting_price
    for previous, bid in itertools.pairwise(log):
        assert bid.amount >= previous.amount + listing.increment
        assert bid.placed_at >= previous.placed_at
    assert len({bid.amount for bid in log}) == len(log)
    listing.refresh_from_db()
    assert listing.bid_count == len(log) and listing.current_price == log[-1].amount
    assert TradeLogEntry.objects.filter(action="auction.bid").count() == len(log)
    # Every refusal (most of them from the live snapshot, without the lock) named a minimum
    # that a committed state had, and the amount was below it: never a made-up minimum.
    committed_minimums = {listing.starting_price} | {b.amount + listing.increment for b in log}
    assert too_low and all(
        minimum in committed_minimums and amount < minimum for amount, minimum in too_low
    )


def test_concurrent_bids_over_http_every_201_is_in_the_log(live_server, staff, centre, transferor):
    """The same race through the front door: threads POST to …/bids/ on a live server; every
    bid answered 201 is in the bid log, and nothing else is."""
    import json
    import urllib.error
    import urllib.request

    from rest_framework.authtoken.models import Token

    with time_machine.travel(local(2026, 3, 2, 9, 0), tick=False):
        listing = mining_auction(staff, centre, transferor, ends_at=local(2026, 3, 25, 12, 0))
        listings.announce_listing(actor=staff, listing=listing)
        users = [factories.BidderFactory(username=f"http{i}") for i in range(8)]
        for user in users:
            register_and_pay(listing, user, staff)
    tokens = [Token.objects.create(user=user).key for user in users]
    base = f"{live_server.url}/api/v1/auctions/{listing.pk}"
    answered: list[tuple[int, str]] = []
    statuses: list[int] = []
    lock = threading.Lock()

    def call(method, path, token, body=None):
        request = urllib.request.Request(  # noqa: S310 - the live server's http URL
            base + path,
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def bidder(token, seed):
        rng = random.Random(seed)
        try:
            for _ in range(8):
                _status, state = call("GET", "/state/", token)
                amount = Decimal(state["minimum_next_bid"]) + listing.increment * rng.choice(
                    [0, 0, 1]
                )
                status, body = call("POST", "/bids/", token, {"amount": str(amount)})
                with lock:
                    statuses.append(status)
                    if status == 201:
                        answered.append((body["bid"]["sequence"], body["bid"]["amount"]))
        finally:
            connections.close_all()

    with time_machine.travel(local(2026, 3, 25, 9, 30), tick=True):
        threads = [threading.Thread(target=bidder, args=(t, i)) for i, t in enumerate(tokens)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert set(statuses) <= {201, 409}, statuses
    log = [
        (bid.sequence, str(bid.amount))
        for bid in Bid.objects.filter(listing=listing).order_by("sequence")
    ]
    assert sorted(answered) == log and len(log) >= len(users)
    amounts = [Decimal(amount) for _sequence, amount in log]
    assert all(b >= a + listing.increment for a, b in itertools.pairwise(amounts))


def test_a_bid_already_too_low_is_refused_without_waiting_for_the_lot_lock(
    staff, centre, transferor
):
    """The price only rises while bidding: a bid under the committed minimum is refused at
    once (with the minimum), not after queueing behind the bid that holds the lot's lock."""
    with time_machine.travel(local(2026, 3, 2, 9, 0), tick=False):
        listing = mining_auction(staff, centre, transferor)
        listings.announce_listing(actor=staff, listing=listing)
        first, second = (factories.BidderFactory(username=f"early{i}") for i in range(2))
        for user in (first, second):
            register_and_pay(listing, user, staff)
    with time_machine.travel(local(2026, 3, 25, 9, 30), tick=False):
        place_bid(actor=first, listing=listing.pk, amount="3100000")
        held, release = threading.Event(), threading.Event()

        def holder():
            with transaction.atomic():
                Listing.objects.select_for_update().get(pk=listing.pk)
                held.set()
                release.wait(10)
            connection.close()

        thread = threading.Thread(target=holder)
        thread.start()
        try:
            assert held.wait(5)
            began = time.monotonic()
            with pytest.raises(ApplicationError) as refused:
                place_bid(actor=second, listing=listing.pk, amount="3100000")
            assert time.monotonic() - began < 2  # not the 10 s the lock is held
            assert refused.value.code == "too_low"
            assert refused.value.fields["minimum"] == ["3150000.00"]
        finally:
            release.set()
            thread.join()
