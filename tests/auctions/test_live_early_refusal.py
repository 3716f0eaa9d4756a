"""A too-low bid is answered before DRF's machinery (auctions/api/early_refusal.py) with the
full path's answer byte for byte, and only when the full path would give it: a revoked
token, a deactivated user, a non-bidder, a malformed body are still the full path's to
answer. Real commits on PostgreSQL and Redis."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.test import APIClient

from auctions.services.bidding import place_bid
from tests.auctions.conftest import local, register_and_pay
from tests.auctions.test_live_fast_path import auction, url  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def outbid(auction, bidders, staff, clock):  # noqa: F811 - the fixture imported above
    """Live, bidder B leading at 3,000,000: 3,000,000 is too low for A (minimum 3,050,000)."""
    for key in "ab":
        register_and_pay(auction, bidders[key], staff)
    clock.move_to(local(2026, 3, 25, 9, 30))
    place_bid(actor=bidders["b"], listing=auction.pk, amount="3000000")
    return auction


def token_client(user, **headers) -> APIClient:
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}", **headers
    )
    return client


def bid(client, listing, body, **extra):
    return client.post(
        url("bids", listing),
        body if isinstance(body, str) else json.dumps(body),
        content_type="application/json",
        **extra,
    )


def answer(response) -> tuple:
    return response.status_code, response.content, sorted(response.items())


def test_a_too_low_bid_gets_the_full_paths_answer_with_one_query(outbid, bidders, settings):
    client = token_client(bidders["a"], HTTP_ACCEPT="application/json")
    with CaptureQueriesContext(connection) as queries:
        early = bid(client, outbid, {"amount": "3000000"})
    assert not isinstance(early, Response)  # answered before DRF
    assert len(queries) == 1, [q["sql"] for q in queries]  # the token with its user
    assert early.status_code == 409
    assert early.json()["code"] == "too_low" and early.json()["minimum"] == ["3050000.00"]

    settings.AUCTIONS_LIVE_SNAPSHOT = False  # the full path, reading the row
    full = bid(client, outbid, {"amount": "3000000"})
    assert isinstance(full, Response)
    assert answer(early) == answer(full)


@pytest.mark.parametrize("accept", [None, "*/*"])
def test_the_early_answer_is_the_same_for_any_json_accept(outbid, bidders, settings, accept):
    client = token_client(bidders["a"], **({"HTTP_ACCEPT": accept} if accept else {}))
    early = bid(client, outbid, {"amount": " 3000000.00 "})
    settings.AUCTIONS_LIVE_SNAPSHOT = False
    assert answer(early) == answer(bid(client, outbid, {"amount": " 3000000.00 "}))
    assert not isinstance(early, Response)


def test_a_revoked_token_or_deactivated_user_is_refused_at_once(outbid, bidders):
    client = token_client(bidders["a"])
    assert bid(client, outbid, {"amount": "3000000"}).status_code == 409

    bidders["a"].is_active = False
    bidders["a"].save(update_fields=["is_active"])
    refused = bid(client, outbid, {"amount": "3000000"})
    assert refused.status_code == 401 and isinstance(refused, Response)
    bidders["a"].is_active = True
    bidders["a"].save(update_fields=["is_active"])
    assert bid(client, outbid, {"amount": "3000000"}).status_code == 409

    Token.objects.filter(user=bidders["a"]).delete()
    assert bid(client, outbid, {"amount": "3000000"}).status_code == 401


def test_only_a_bidder_gets_the_too_low_answer(outbid, staff):
    refused = bid(token_client(staff), outbid, {"amount": "3000000"})
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"


@pytest.mark.parametrize(
    ("body", "extra", "status"),
    [
        ({"amount": 3000000}, {}, 409),  # a number: DRF's CharField takes it, the full path
        ({}, {}, 400),  # no amount
        ({"amount": ""}, {}, 400),
        ({"amount": "3" * 25}, {}, 400),  # over 24 characters
        ({"amount": "three million"}, {}, 400),
        ('{"amount": "3000000", "x": NaN}', {}, 400),  # DRF's strict JSON refuses NaN
        ("[1, 2]", {}, 400),
        ({"amount": "3000000"}, {"HTTP_ACCEPT": "text/html"}, 409),  # the browsable API
    ],
)
def test_anything_else_is_the_full_paths_to_answer(outbid, bidders, body, extra, status):
    response = bid(token_client(bidders["a"]), outbid, body, **extra)
    assert response.status_code == status
    assert isinstance(response, Response)


def test_a_bid_at_the_minimum_goes_on_to_the_row_lock_and_is_accepted(outbid, bidders):
    accepted = bid(token_client(bidders["a"]), outbid, {"amount": "3050000"})
    assert accepted.status_code == 201 and accepted.json()["bid"]["amount"] == "3050000.00"
