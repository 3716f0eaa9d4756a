"""The bid path's shortcuts keep the answers: a too-low bid refused from the snapshot (never
from a minimum the committed row does not have), the snapshot of an accepted bid built from
the locked row (the same as one rebuilt from the database), the token lookup compiled once
(revocation still immediate), the stream's events byte for byte those of the state's
serialisation. Real commits on PostgreSQL and Redis."""

import functools
import json
import logging
import re
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from auctions import live, selectors, streams
from auctions.models import Listing
from auctions.services import listings
from auctions.services.bidding import place_bid
from portal.errors import ApplicationError
from tests.auctions.conftest import client_for, local, mining_auction, register_and_pay

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def auction(clock, staff, centre, transferor):
    listing = mining_auction(staff, centre, transferor)
    listings.announce_listing(actor=staff, listing=listing)
    return listing


@pytest.fixture
def live_auction(auction, bidders, staff, clock):
    """Bidders A, B and C registered with deposits paid; the auction live (9:30)."""
    numbers = {key: register_and_pay(auction, bidders[key], staff).number for key in "abc"}
    clock.move_to(local(2026, 3, 25, 9, 30))
    client_for(bidders["a"]).get(url("state", auction))  # the start is made, the snapshot built
    return auction, numbers


def url(name, listing):
    return reverse(f"api:auction-{name}", args=[listing.pk])


def stored(listing) -> dict:
    return live._store().get(listing.pk)


def test_a_too_low_bid_is_refused_from_the_snapshot_without_a_query(live_auction, bidders):
    auction, _numbers = live_auction
    place_bid(actor=bidders["b"], listing=auction.pk, amount="3000000")
    with CaptureQueriesContext(connection) as queries, pytest.raises(ApplicationError) as refused:
        place_bid(actor=bidders["a"], listing=auction.pk, amount="3000000")
    assert refused.value.code == "too_low" and refused.value.fields["minimum"] == ["3050000.00"]
    assert len(queries) == 0, [q["sql"] for q in queries]


def test_a_bid_overtaken_while_it_waited_for_the_lock_is_refused_without_the_credit_query(
    live_auction, bidders
):
    """Without a snapshot to refuse it early, a too-low bid reaches the row lock: it is
    refused there by the rule alone, holding the lot's lock for as little as possible."""
    auction, _numbers = live_auction
    place_bid(actor=bidders["b"], listing=auction.pk, amount="3000000")
    live._store().forget(auction.pk)
    with CaptureQueriesContext(connection) as queries, pytest.raises(ApplicationError) as refused:
        place_bid(actor=bidders["a"], listing=auction.pk, amount="3000000")
    assert refused.value.code == "too_low" and refused.value.fields["minimum"] == ["3050000.00"]
    statements = [q["sql"] for q in queries]
    assert any("FOR UPDATE" in sql for sql in statements), statements  # it took the lock
    assert not any("credit_" in sql for sql in statements), statements


def test_a_lagging_snapshot_never_refuses_a_bid_the_committed_row_accepts(live_auction, bidders):
    """The snapshot is written after the commit: when it lags (its refresh lost or not yet
    run) it shows an older, lower minimum, so the early refusal refuses less, never more."""
    auction, numbers = live_auction
    before = stored(auction)  # no bid yet: minimum 3,000,000
    place_bid(actor=bidders["b"], listing=auction.pk, amount="3100000")
    live._store().forget(auction.pk)
    live._store().put(before)  # the snapshot lags one bid behind the row

    # Below the lagging minimum: refused early, with the lagging (lower) minimum.
    with pytest.raises(ApplicationError) as early:
        place_bid(actor=bidders["a"], listing=auction.pk, amount="2950000")
    assert early.value.fields["minimum"] == ["3000000.00"]
    # Above it but below the committed one: the locked path refuses with the row's minimum.
    with pytest.raises(ApplicationError) as locked:
        place_bid(actor=bidders["a"], listing=auction.pk, amount="3100000")
    assert locked.value.code == "too_low" and locked.value.fields["minimum"] == ["3150000.00"]
    # At the committed minimum: accepted.
    accepted = place_bid(actor=bidders["a"], listing=auction.pk, amount="3150000")
    assert accepted.bid.amount == Decimal("3150000.00")
    assert stored(auction)["leader_number"] == numbers["a"]


def test_a_snapshot_whose_phase_has_ended_refuses_nothing(live_auction, bidders, clock):
    auction, _numbers = live_auction
    place_bid(actor=bidders["b"], listing=auction.pk, amount="3300000")
    snapshot = stored(auction)
    assert live.minimum_refusal(auction.pk, Decimal("3000000"), timezone.now()) is not None
    ended = datetime.fromisoformat(snapshot["ends_at"]) + timedelta(seconds=1)
    assert live.minimum_refusal(auction.pk, Decimal("3000000"), ended) is None
    suspended = {**snapshot, "state": Listing.State.SUSPENDED, "version": snapshot["version"] + 1}
    live._store().put(suspended)
    assert live.minimum_refusal(auction.pk, Decimal("3000000"), timezone.now()) is None


def test_the_snapshot_of_a_bid_is_the_one_rebuilt_from_the_database(live_auction, bidders):
    auction, numbers = live_auction
    for key, amount in [("b", "3000000"), ("a", "3050000"), ("b", "3200000")]:
        place_bid(actor=bidders[key], listing=auction.pk, amount=amount)
        published = stored(auction)
        live.refresh(auction.pk)
        assert published == stored(auction)
    assert published["bid_numbers"] == sorted([numbers["a"], numbers["b"]])  # each once

    # The snapshot just before missing: the numbers are read from the bid log.
    live._store().forget(auction.pk)
    place_bid(actor=bidders["c"], listing=auction.pk, amount="3300000")
    assert stored(auction)["bid_numbers"] == sorted(numbers.values())


def test_the_token_lookup_is_one_query_and_revocation_is_immediate(live_auction, bidders):
    auction, numbers = live_auction
    token = Token.objects.create(user=bidders["a"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    with CaptureQueriesContext(connection) as queries:
        state = client.get(url("state", auction)).json()
    assert state["own_number"] == numbers["a"]
    assert len(queries) == 2, [q["sql"] for q in queries]  # the token and user; own number
    assert client.post(url("bids", auction), {"amount": "3000000"}).status_code == 201

    bidders["a"].is_active = False
    bidders["a"].save(update_fields=["is_active"])
    assert client.post(url("bids", auction), {"amount": "3100000"}).status_code == 401
    bidders["a"].is_active = True
    bidders["a"].save(update_fields=["is_active"])
    assert client.get(url("state", auction)).json()["own_standing"] == "leading"

    token.delete()
    assert client.post(url("bids", auction), {"amount": "3100000"}).status_code == 401
    assert client.get(url("state", auction)).status_code == 401


def test_a_refused_bid_is_answered_but_not_logged_as_a_warning(live_auction, bidders, caplog):
    auction, _numbers = live_auction
    client = client_for(bidders["a"])
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.post(url("bids", auction), {"amount": "1"})
    assert response.status_code == 409 and response.json()["code"] == "too_low"
    assert not [r for r in caplog.records if r.name == "django.request"]


def _reference_event(user, snapshot, own, now) -> str:
    """The event as the stream used to build it: the state's dict, json.dumps(default=str)."""
    state = selectors.state_from_snapshot(user, snapshot, own, now=now).as_dict()
    return f"event: state\nid: {snapshot['version']}\ndata: {json.dumps(state, default=str)}\n\n"


def test_the_stream_frame_is_the_state_serialised(live_auction, bidders, staff, clock):
    auction, numbers = live_auction
    snapshots = [stored(auction)]
    place_bid(actor=bidders["b"], listing=auction.pk, amount="3000000")
    snapshots.append(stored(auction))
    place_bid(actor=bidders["a"], listing=auction.pk, amount="3250000")
    snapshots.append(stored(auction))
    clock.move_to(local(2026, 3, 25, 10, 6))
    client_for(bidders["a"]).get(url("state", auction))  # sold: the result and the reserve
    snapshots.append(stored(auction))
    assert snapshots[-1]["state"] == "sold" and snapshots[-1]["reserve_price"] is not None

    readers = [
        (bidders["a"], selectors.OwnRegistration(numbers["a"], "confirmed")),
        (bidders["b"], selectors.OwnRegistration(numbers["b"], "confirmed")),
        (bidders["c"], selectors.OwnRegistration(numbers["c"], "confirmed")),
        (staff, None),
    ]
    now = local(2026, 3, 25, 9, 31, 7, 123456)
    for snapshot in snapshots:
        frame = streams.Frame(snapshot)
        for user, own in readers:
            fields = (
                json.dumps(own.number if own else None),
                json.dumps(own.deposit_state if own else None),
            )
            event = frame.render(now, fields, frame.standing(user, own))
            assert event == _reference_event(user, snapshot, own, now)


def test_the_live_panel_is_served_from_the_snapshot(live_auction, bidders, client):
    auction, numbers = live_auction
    place_bid(actor=bidders["b"], listing=auction.pk, amount="3000000")
    place_bid(actor=bidders["a"], listing=auction.pk, amount="3050000")
    client.force_login(bidders["b"])
    panel_url = reverse("auctions:live_state", args=[auction.pk])
    with CaptureQueriesContext(connection) as queries:
        panel = client.get(panel_url).content.decode()
    # The session and its user, then only the reader's registration: no listing, no bids.
    tables = " ".join(q["sql"] for q in queries)
    assert "auctions_listing" not in tables and "auctions_bid" not in tables, tables
    assert 'data-standing="outbid"' in panel and "3050000.00" in panel
    assert numbers["a"] in panel and numbers["b"] in panel  # the latest bids, by number
    assert bidders["a"].entity.name not in panel and "3200000" not in panel

    # The same panel from the database when the snapshot is missing (the clock is frozen;
    # the CSRF token is masked anew in each response).
    live._store().forget(auction.pk)
    unmasked = functools.partial(re.sub, r'name="csrfmiddlewaretoken" value="[^"]+"', "")
    assert unmasked(client.get(panel_url).content.decode()) == unmasked(panel)
