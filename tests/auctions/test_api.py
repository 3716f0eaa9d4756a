"""The auction API through the front door: register, deposit (staff or signed bank
callback), bid (201 with the standing, 409 with the reason), state and stream; the reserve
stays secret until the result and competitors appear only as bidder numbers."""

import hashlib
import hmac
import json

import pytest
from django.urls import reverse

from auctions.models import Registration
from auctions.services import listings
from tests.auctions.conftest import (
    client_for,
    local,
    mining_auction,
    record_measure,
    register_and_pay,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def auction(clock, staff, centre, transferor):
    listing = mining_auction(staff, centre, transferor)
    listings.announce_listing(actor=staff, listing=listing)
    return listing


def url(name, listing):
    return reverse(f"api:auction-{name}", args=[listing.pk])


def test_register_then_pay_then_bid(auction, bidders, staff, clock):
    bidder = client_for(bidders["a"])
    response = bidder.post(url("register", auction), {}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["deposit_state"] == "pending" and body["deposit_amount"] == "600000.00"
    assert len(body["number"]) == 4
    again = bidder.post(url("register", auction), {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_registered"

    # Not yet started, then not paid.
    clock.move_to(local(2026, 3, 25, 9, 5))
    refused = bidder.post(url("bids", auction), {"amount": "3000000"}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "deposit_not_confirmed"

    staff_client = client_for(staff)
    confirm = staff_client.post(
        reverse("api:auction-deposit-confirm", args=[body["id"]]),
        {"amount": "600000.00", "reference": "ICBC-0001"},
        format="json",
    )
    assert confirm.status_code == 200 and confirm.json()["deposit_state"] == "confirmed"

    accepted = bidder.post(url("bids", auction), {"amount": "3000000"}, format="json")
    assert accepted.status_code == 201, accepted.json()
    assert accepted.json()["own_standing"] == "leading"
    assert accepted.json()["bid"] == {"sequence": 1, "amount": "3000000.00"}
    too_low = bidder.post(url("bids", auction), {"amount": "3049999.99"}, format="json")
    assert too_low.status_code == 409
    assert too_low.json()["code"] == "too_low" and too_low.json()["minimum"] == ["3050000.00"]
    garbage = bidder.post(url("bids", auction), {"amount": "three million"}, format="json")
    assert garbage.status_code == 400 and "amount" in garbage.json()


def test_bids_refused_for_the_unregistered_and_after_the_end(auction, bidders, staff, clock):
    register_and_pay(auction, bidders["a"], staff)
    clock.move_to(local(2026, 3, 25, 9, 5))
    outsider = client_for(bidders["c"]).post(url("bids", auction), {"amount": "3000000"})
    assert outsider.status_code == 409 and outsider.json()["code"] == "not_registered"
    clock.move_to(local(2026, 3, 25, 10, 0))
    ended = client_for(bidders["a"]).post(url("bids", auction), {"amount": "3000000"})
    assert ended.status_code == 409 and ended.json()["code"] == "ended"


def test_state_hides_the_reserve_and_identities_until_the_result(
    auction, bidders, staff, clock, api
):
    a = register_and_pay(auction, bidders["a"], staff)
    b = register_and_pay(auction, bidders["b"], staff)
    clock.move_to(local(2026, 3, 25, 9, 58))
    client_for(bidders["a"]).post(url("bids", auction), {"amount": "3100000"})
    client_for(bidders["b"]).post(url("bids", auction), {"amount": "3250000"})

    state = client_for(bidders["a"]).get(url("state", auction)).json()
    assert state["state"] == "live" and state["current_price"] == "3250000.00"
    assert state["own_number"] == a.number and state["own_standing"] == "outbid"
    assert state["leader_number"] == b.number
    assert state["minimum_next_bid"] == "3300000.00"
    assert state["server_time"].startswith("2026-03-25T01:58:00")  # UTC
    assert state["seconds_left"] == 300  # the bid at 09:58 moved the end to 10:03
    assert state["reserve_price"] is None
    public = api.get(url("detail", auction)).json()
    assert public["reserve_price"] is None
    serialized = json.dumps([state, public, api.get(url("bids", auction)).json()])
    assert "3200000" not in serialized
    assert bidders["b"].entity.name not in serialized and bidders["b"].entity.uscc not in serialized

    clock.move_to(local(2026, 3, 25, 10, 3))
    after = client_for(bidders["b"]).get(url("state", auction)).json()
    assert after["state"] == "sold" and after["own_standing"] == "won"
    assert after["reserve_price"] == "3200000.00" and after["final_price"] == "3250000.00"
    assert api.get(url("detail", auction)).json()["reserve_price"] == "3200000.00"


def test_the_state_endpoint_is_cheap(auction, bidders, staff, clock, django_assert_max_num_queries):
    register_and_pay(auction, bidders["a"], staff)
    clock.move_to(local(2026, 3, 25, 9, 5))
    client = client_for(bidders["a"])
    client.post(url("bids", auction), {"amount": "3000000"})
    # The listing with its leader and winner; the reader's registration.
    with django_assert_max_num_queries(2):
        assert client.get(url("state", auction)).status_code == 200


def test_the_stream_sends_state_events_and_ends(auction, bidders, staff, clock, settings):
    settings.AUCTIONS_STREAM_SECONDS = 0
    register_and_pay(auction, bidders["a"], staff)
    response = client_for(bidders["a"]).get(url("stream", auction), HTTP_ACCEPT="text/event-stream")
    assert response.status_code == 200 and response["Content-Type"] == "text/event-stream"
    chunks = [
        chunk.decode() if isinstance(chunk, bytes) else chunk
        for chunk in response.streaming_content
    ]
    assert chunks[0].startswith("retry:")
    event = chunks[1]
    assert event.startswith("event: state\n")
    data = json.loads(event.split("data: ", 1)[1])
    assert data["state"] == "announced" and data["deposit_state"] == "confirmed"


def test_a_banned_entity_is_refused_at_registration_with_the_decision_named(
    auction, bidders, land_regulator
):
    record_measure(
        land_regulator,
        bidders["c"].entity.uscc,
        category_code="land_mining",
        valid_from=local(2026, 3, 1, 0, 0),
        valid_to=local(2027, 1, 1, 0, 0),
        decision_no="漳自然资罚〔2026〕21号",
        authority="漳州市自然资源局",
        legal_basis="矿产资源法",
    )
    response = client_for(bidders["c"]).post(url("register", auction), {}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "not_eligible"
    assert "漳自然资罚〔2026〕21号" in response.json()["credit"][0]


def test_the_bank_callback_must_be_signed(auction, bidders, api, settings):
    settings.AUCTIONS_BANK_CALLBACK_SECRET = "bank-shared-secret-for-tests"
    registration = client_for(bidders["a"]).post(url("register", auction), {}).json()
    body = json.dumps(
        {
            "transaction_code": auction.transaction_code,
            "bidder_number": registration["number"],
            "amount": "600000.00",
            "reference": "BOC-77",
        }
    ).encode()
    callback = reverse("api:auction-bank-callback")
    forged = api.post(
        callback, body, content_type="application/json", HTTP_X_BANK_SIGNATURE="0" * 64
    )
    assert forged.status_code == 403 and forged.json()["code"] == "bad_signature"
    signature = hmac.new(settings.AUCTIONS_BANK_CALLBACK_SECRET.encode(), body, hashlib.sha256)
    ok = api.post(
        callback, body, content_type="application/json", HTTP_X_BANK_SIGNATURE=signature.hexdigest()
    )
    assert ok.status_code == 200, ok.json()
    assert Registration.objects.get(pk=registration["id"]).deposit_state == "confirmed"


def test_only_the_centre_s_staff_confirm_deposits(auction, bidders, other_staff):
    registration = client_for(bidders["a"]).post(url("register", auction), {}).json()
    response = client_for(other_staff).post(
        reverse("api:auction-deposit-confirm", args=[registration["id"]]),
        {"amount": "600000.00", "reference": "X"},
    )
    assert response.status_code == 403


def test_a_draft_is_hidden_from_the_public(clock, staff, centre, transferor, api):
    draft = mining_auction(staff, centre, transferor)
    assert api.get(url("detail", draft)).status_code == 404
    assert client_for(staff).get(url("detail", draft)).status_code == 200


def test_staff_create_a_listing_through_the_api(clock, staff, centre, transferor):
    response = client_for(staff).post(
        reverse("api:auction-list"),
        {
            "title": "某地块",
            "category": "land",
            "method": "auction",
            "centre": centre.code,
            "transferor": transferor.uscc,
            "starting_price": "1000000.00",
            "increment": "10000.00",
            "deposit_amount": "200000.00",
            "reserve_price": "1100000.00",
            "registration_ends_at": "2026-03-24T17:00:00+08:00",
            "auction_starts_at": "2026-03-25T09:00:00+08:00",
            "ends_at": "2026-03-25T10:00:00+08:00",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["reserve_price"] is None
    assert response.json()["transaction_code"].startswith("E")


def test_equity_agreement_through_the_api(clock, staff, centre, transferor, bidders, api):
    from tests.auctions.conftest import equity_listing

    listing = equity_listing(staff, centre, transferor)
    listings.announce_listing(actor=staff, listing=listing)
    buyer = register_and_pay(listing, bidders["a"], staff)
    clock.move_to(local(2026, 3, 31, 17, 0))
    assert api.get(url("detail", listing)).json()["state"] == "review"  # swept on read
    decided = client_for(staff).post(
        reverse("api:auction-qualification-decision", args=[buyer.pk]),
        {"decision": "qualified"},
        format="json",
    )
    assert decided.status_code == 200 and decided.json()["qualification_state"] == "qualified"
    closed = client_for(staff).post(reverse("api:auction-qualification-close", args=[listing.pk]))
    assert closed.status_code == 200 and closed.json()["state"] == "agreement"
    low = client_for(staff).post(url("agreement", listing), {"price": "7999999.99"})
    assert low.status_code == 400 and low.json()["code"] == "below_listing_price"
    assert "price" in low.json()
    ok = client_for(staff).post(url("agreement", listing), {"price": "8000000.00"})
    assert ok.status_code == 200 and ok.json()["state"] == "sold"
    assert ok.json()["result_method"] == "agreement_transfer"
    listed = api.get(reverse("api:auction-list")).json()
    assert [item["id"] for item in listed] == [listing.pk]


def test_a_fault_through_the_api(auction, bidders, staff, other_staff, clock):
    register_and_pay(auction, bidders["a"], staff)
    clock.move_to(local(2026, 3, 25, 9, 40))
    client_for(bidders["a"]).post(url("bids", auction), {"amount": "3000000"})
    refused = client_for(other_staff).post(
        url("session", auction), {"action": "suspend", "reason": "故障"}
    )
    assert refused.status_code == 403
    no_reason = client_for(staff).post(url("session", auction), {"action": "suspend"})
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    suspended = client_for(staff).post(
        url("session", auction), {"action": "suspend", "reason": "竞价系统故障"}
    )
    assert suspended.json()["state"] == "suspended"
    blocked = client_for(bidders["a"]).post(url("bids", auction), {"amount": "3050000"})
    assert blocked.status_code == 409 and blocked.json()["code"] == "suspended"
    clock.move_to(local(2026, 3, 25, 11, 0))
    resumed = client_for(staff).post(url("session", auction), {"action": "resume"})
    assert resumed.json()["state"] == "live"
    assert resumed.json()["ends_at"] == "2026-03-25T11:20:00+08:00"  # 20 min were left
