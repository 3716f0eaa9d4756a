# ruff: noqa: F811  (fixtures imported from tests.auctions.conftest are used by name)
"""The platform's own land, mining and equity transfers (the auctions app) reach the portal
like every other source: the list and its filters, the transfer export, the change feed —
with the public starting price while for sale and the deal price once sold, never the
secret reserve price."""

import json

import pytest
from django.test import Client

from auctions.models import Listing
from auctions.services import listings
from auctions.services.bidding import place_bid
from auctions.services.settlement import run_due_events
from tests.auctions.conftest import (  # noqa: F401  (fixtures)
    bidders,
    clock,
    land_listing,
    local,
    register_and_pay,
    transferor,
)

pytestmark = pytest.mark.django_db

RESERVE = "10500000"


def get(url, **params) -> dict:
    response = Client().get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


def changes() -> list[dict]:
    return get("/api/v1/changes/", limit=500)["results"]


def test_a_land_listing_shows_on_the_portal_without_its_reserve_then_its_deal(
    clock, staff, centre, transferor, bidders
):
    listing = land_listing(staff, centre, transferor)
    listings.announce_listing(actor=staff, listing=listing)

    page = get("/api/v1/announcements/", category="land_mining")
    (item,) = page["results"]
    assert (item["source"], item["category"], item["status"]) == ("auctions", "land", "bidding")
    assert item["project_title"] == listing.title
    assert item["amount"] == "10000000.00"  # the starting price, public
    assert get("/api/v1/announcements/", category="engineering")["results"] == []
    # Its own kind (a transfer announcement, not a tender) is a filter of the list.
    assert [r["id"] for r in get("/api/v1/announcements/", kind=item["kind"])["results"]] == [
        item["id"]
    ]
    assert get("/api/v1/announcements/", q="芗城")["results"][0]["id"] == item["id"]
    transfers = get("/api/v1/open-data/transfers/")
    (transfer,) = transfers["transfers"]
    assert transfer["value"] == {"amount": 10000000.0, "currency": "CNY"}
    feed = [c for c in changes() if c["object_type"] == "publication"]
    assert [c["data"]["kind"] for c in feed] == [item["kind"]]
    published = json.dumps([page, transfers, feed])
    assert RESERVE not in published and "10500000.0" not in published

    register_and_pay(listing, bidders["a"], staff)
    register_and_pay(listing, bidders["b"], staff)
    clock.move_to(local(2026, 3, 24, 9, 0))
    place_bid(actor=bidders["a"], listing=listing, amount=RESERVE)
    clock.move_to(local(2026, 4, 3, 15, 0))
    run_due_events()
    listing.refresh_from_db()
    assert listing.state == Listing.State.SOLD

    results = get("/api/v1/announcements/", category="land", kind="result")["results"]
    (result,) = results
    assert result["amount"] == "10500000.00" and result["status"] == "awarded"
    # The whole transfer moved on: its listing announcement is now under `awarded` too.
    assert {r["kind"] for r in get("/api/v1/announcements/", status="awarded")["results"]} == {
        item["kind"],
        "result",
    }
    assert [c["data"]["kind"] for c in changes() if c["object_type"] == "publication"][-1] == (
        "result"
    )
