"""Land and mining rights by tender (招标出让, 39号令(国土) 第13–15条): sealed price bids put in
the bid box before the deadline, opened at the opening time by the centre's staff, decrypted
by each bidder with its own passphrase; the highest valid price at or above the reserve wins,
the earliest receipt at an equal price; fewer than three bids terminate the tender.

Driven through the API (what bidders and staff use) on a controlled clock; the services'
edge cases directly."""

import base64
import json
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from auctions.models import AuctionAnnouncement, Listing, Registration, TenderBid
from auctions.services import listings, registrations, tender
from auctions.services.settlement import run_due_events
from portal import sealing
from portal.tradelog.models import TradeLogEntry
from tests import factories
from tests.auctions.conftest import (
    client_for,
    deposits_of,
    local,
    record_measure,
    refused,
    register_and_pay,
)

pytestmark = pytest.mark.django_db
D = Decimal
PASSPHRASES = {
    "a": "amber-lantern-harbour-7",
    "b": "basalt-meadow-quiver-2",
    "c": "cobalt-thistle-orbit-5",
    "d": "dune-sparrow-velvet-9",
}
#: Sealed bids are accepted from 2026-03-23 09:00; the deadline and opening: 2026-04-07 10:00.
TENDER_STARTS = local(2026, 3, 23, 9, 0)
OPENING = local(2026, 4, 7, 10, 0)


def land_tender(staff, centre, transferor, **overrides):
    """A land-use right by tender: minimum 10,000,000 yuan, deposit 2,000,000, reserve
    10,500,000 (secret), announced 2026-03-02, sealed bids 2026-03-23 09:00 to the opening on
    2026-04-07 10:00, a 30-minute decryption window."""
    arguments = dict(
        actor=staff,
        centre=centre,
        region=centre.region,
        category_code="land",
        method_code="tender",
        transferor=transferor,
        title="漳州市芗城区2026T01号地块国有建设用地使用权（招标）",
        starting_price=D("10000000.00"),
        increment=D("100000.00"),
        deposit_amount=D("2000000.00"),
        reserve_price=D("10500000.00"),
        registration_ends_at=local(2026, 4, 3, 17, 0),
        tender_starts_at=TENDER_STARTS,
        opening_at=OPENING,
        decrypt_window_minutes=30,
        location="芗城区金峰路以西",
        area_sqm=D("28000.00"),
        land_use="商服用地",
        term_years=40,
    )
    arguments.update(overrides)
    return listings.create_listing(**arguments)


def mining_tender(staff, centre, transferor, **overrides):
    return land_tender(
        staff,
        centre,
        transferor,
        category_code="mining",
        title="漳浦县某花岗岩矿采矿权（招标）",
        starting_price=D("3000000.00"),
        increment=D("50000.00"),
        deposit_amount=D("600000.00"),
        reserve_price=D("3200000.00"),
        location="",
        area_sqm=None,
        land_use="",
        term_years=None,
        mineral="饰面用花岗岩",
        mining_area_sqkm=D("0.1250"),
        mining_licence_kind="采矿权",
        **overrides,
    )


@pytest.fixture
def fourth_bidder(db):
    return factories.BidderFactory(username="bidder_d", entity__name="丁投资集团有限公司")


@pytest.fixture
def bidders4(bidders, fourth_bidder):
    return {**bidders, "d": fourth_bidder}


def url(name, listing):
    return reverse(f"api:auction-{name}", args=[listing.pk])


def announced(listing, staff, users, keys):
    """Announce, register and pay for `keys`; returns their registrations."""
    listings.announce_listing(actor=staff, listing=listing)
    return {key: register_and_pay(listing, users[key], staff) for key in keys}


def submit(listing, user, price, key=None):
    return client_for(user).post(
        url("tender-bid", listing),
        {"price": price, "passphrase": PASSPHRASES[key or user.username[-1]]},
        format="json",
    )


def decrypt(listing, user, passphrase=None):
    return client_for(user).post(
        url("tender-decrypt", listing),
        {"passphrase": passphrase or PASSPHRASES[user.username[-1]]},
        format="json",
    )


def open_bids(listing, staff):
    return client_for(staff).post(url("opening", listing), {"action": "open"}, format="json")


def test_a_land_tender_end_to_end(clock, staff, centre, transferor, bidders4, api):
    listing = land_tender(staff, centre, transferor)
    regs = announced(listing, staff, bidders4, "abcd")
    listing.refresh_from_db()
    assert listing.state == Listing.State.ANNOUNCED
    # Before the bid period: no bid.
    response = submit(listing, bidders4["a"], "10800000.00")
    assert response.status_code == 409 and response.json()["code"] == "not_started"

    clock.move_to(TENDER_STARTS)
    received = {}
    for key, price in (("a", "10800000.00"), ("b", "11250000.50"), ("c", "10600000")):
        clock.move_to(local(2026, 3, 24 + len(received), 10, 0))
        response = submit(listing, bidders4[key], price)
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["state"] == "sealed" and body["price"] is None
        assert len(body["salt"]) == 32 and len(body["receipt_digest"]) == 64
        received[key] = body
    listing.refresh_from_db()
    assert listing.state == Listing.State.TENDER
    assert listing.bid_count == 0 and listing.current_price is None  # nothing leaks
    # The auction's open bids are not a way into a tender.
    response = client_for(bidders4["d"]).post(url("bids", listing), {"amount": "10900000"})
    assert response.status_code == 409 and response.json()["code"] == "not_an_auction"

    # The receipt read back: digests and time, never the salt or the price.
    own = client_for(bidders4["b"]).get(url("tender-bid", listing)).json()
    assert own["receipt_digest"] == received["b"]["receipt_digest"]
    assert own["salt"] == "" and own["price"] is None

    # d registered and paid but did not bid. The bids are opened at the deadline, not before.
    clock.move_to(local(2026, 4, 7, 9, 59))
    response = open_bids(listing, staff)
    assert response.status_code == 409 and response.json()["code"] == "too_early"
    assert api.get(url("opening", listing)).status_code == 409
    clock.move_to(OPENING)
    response = open_bids(listing, staff)
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "opening"
    assert response.json()["opening_closes_at"] is not None
    assert response.json()["reserve_price"] is None

    # During the opening the record shows numbers and states, no names or prices.
    record = api.get(url("opening", listing)).json()
    assert record["bids_received"] == 3 and not record["closed"]
    assert {row["number"] for row in record["bids"]} == {regs[k].number for k in "abc"}
    assert all(row["price"] is None and row["bidder"] is None for row in record["bids"])

    for key in "abc":
        clock.move_to(local(2026, 4, 7, 10, 5))
        response = decrypt(listing, bidders4[key])
        assert response.status_code == 200 and response.json()["ok"], response.json()
    # A bidder without a bid has nothing to decrypt.
    assert decrypt(listing, bidders4["d"]).status_code == 404

    # Every bid decrypted: the staff close the opening; the highest price wins.
    response = client_for(staff).post(url("opening", listing), {"action": "close"}, format="json")
    assert response.status_code == 200, response.json()
    result = response.json()
    assert result["state"] == "sold" and result["result_method"] == "tender"
    assert result["final_price"] == "11250000.50"
    assert result["winner_number"] == regs["b"].number
    assert result["reserve_price"] == "10500000.00"  # revealed with the result

    record = api.get(url("opening", listing)).json()
    assert record["closed"]
    assert {row["bidder"]: row["price"] for row in record["bids"]} == {
        "甲置业有限公司": "10800000.00",
        "乙房地产开发有限公司": "11250000.50",
        "丙矿业投资有限公司": "10600000.00",
    }
    # Deposits: the winner's applied, everyone else's (d, who did not bid, too) in full.
    assert deposits_of(regs["b"]) == {"received": D("2000000"), "applied": D("2000000")}
    for key in "acd":
        assert deposits_of(regs[key]) == {"received": D("2000000"), "refunded": D("2000000")}
        regs[key].refresh_from_db()
        assert regs[key].refund_due_on is not None
    assert AuctionAnnouncement.objects.filter(
        listing=listing, kind=AuctionAnnouncement.Kind.RESULT
    ).exists()
    actions = list(
        TradeLogEntry.objects.filter(action__startswith="auction.").values_list("action", flat=True)
    )
    for action in (
        "auction.tender_bid",
        "auction.open_tender",
        "auction.open_bids",
        "auction.tender_decryption_attempt",
        "auction.sell",
    ):
        assert action in actions


def test_a_mining_tender_is_opened_by_the_sweep_at_the_window_s_end(
    clock, staff, centre, transferor, bidders4
):
    listing = mining_tender(staff, centre, transferor)
    regs = announced(listing, staff, bidders4, "abcd")
    clock.move_to(TENDER_STARTS)
    for key, price in (("a", "3300000"), ("b", "3250000"), ("c", "3400000"), ("d", "3350000")):
        assert submit(listing, bidders4[key], price).status_code == 201
    clock.move_to(OPENING)
    assert open_bids(listing, staff).status_code == 200
    for key in "abd":  # c never decrypts: its bid is invalid, revoked by its own failure
        assert decrypt(listing, bidders4[key]).status_code == 200
    response = client_for(staff).post(url("opening", listing), {"action": "close"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "window_open"

    clock.move_to(local(2026, 4, 7, 10, 30))
    run_due_events()
    listing.refresh_from_db()
    assert listing.state == Listing.State.SOLD and listing.result_method == "tender"
    assert listing.winner == regs["d"] and listing.final_price == D("3350000.00")
    c_bid = TenderBid.objects.get(registration=regs["c"])
    assert c_bid.state == TenderBid.State.INVALID and c_bid.price is None
    assert "第31条" in c_bid.invalid_reason
    assert TradeLogEntry.objects.filter(
        action="auction.tender_bid_invalid", payload__consequence="revoked", payload__cause=None
    ).exists()
    assert deposits_of(regs["c"]) == {"received": D("600000"), "refunded": D("600000")}


def test_at_an_equal_price_the_earliest_receipt_wins(clock, staff, centre, transferor, bidders):
    listing = land_tender(staff, centre, transferor)
    regs = announced(listing, staff, bidders, "abc")
    clock.move_to(local(2026, 3, 25, 9, 0))
    assert submit(listing, bidders["b"], "10900000").status_code == 201
    clock.move_to(local(2026, 3, 25, 9, 0, 1))
    assert submit(listing, bidders["a"], "10900000").status_code == 201
    assert submit(listing, bidders["c"], "10700000").status_code == 201
    clock.move_to(OPENING)
    open_bids(listing, staff)
    for key in "abc":
        assert decrypt(listing, bidders[key]).status_code == 200
    tender.close_tender_opening(actor=staff, listing=listing)
    listing.refresh_from_db()
    assert listing.winner == regs["b"] and listing.final_price == D("10900000.00")


def test_below_the_reserve_the_tender_fails_and_every_deposit_is_returned(
    clock, staff, centre, transferor, bidders
):
    listing = land_tender(staff, centre, transferor)
    regs = announced(listing, staff, bidders, "abc")
    clock.move_to(TENDER_STARTS)
    for key, price in (("a", "10000000"), ("b", "10499999.99"), ("c", "10200000")):
        assert submit(listing, bidders[key], price).status_code == 201
    clock.move_to(OPENING)
    open_bids(listing, staff)
    for key in "abc":
        decrypt(listing, bidders[key])
    tender.close_tender_opening(actor=staff, listing=listing)
    listing.refresh_from_db()
    assert listing.state == Listing.State.FAILED and listing.winner is None
    assert TradeLogEntry.objects.filter(
        action="auction.fail", payload__reserve_price="10500000.00"
    ).exists()
    for registration in regs.values():
        assert deposits_of(registration) == {"received": D("2000000"), "refunded": D("2000000")}
    assert AuctionAnnouncement.objects.filter(
        listing=listing, kind=AuctionAnnouncement.Kind.FAILURE
    ).exists()


def test_fewer_than_three_bids_terminate_the_tender(clock, staff, centre, transferor, bidders):
    listing = land_tender(staff, centre, transferor)
    regs = announced(listing, staff, bidders, "abc")
    clock.move_to(TENDER_STARTS)
    for key in "ab":
        assert submit(listing, bidders[key], "11000000").status_code == 201
    clock.move_to(OPENING)
    response = open_bids(listing, staff)
    assert response.status_code == 200 and response.json()["state"] == "failed"
    listing.refresh_from_db()
    assert "39号令(国土) 第13条" in listing.result_note
    assert TradeLogEntry.objects.filter(
        action="auction.tender_terminated",
        payload__rules=["land.tender.min_bidders"],
        payload__bids_received=2,
    ).exists()
    for registration in regs.values():  # c registered and paid without bidding
        assert deposits_of(registration) == {"received": D("2000000"), "refunded": D("2000000")}
    # Nobody decrypts a terminated tender's bids.
    response = decrypt(listing, bidders["a"])
    assert response.status_code == 409 and response.json()["cause"] == "outside_window"


def test_no_one_can_read_a_price_before_the_opening(
    clock, staff, centre, transferor, bidders, api, client
):
    listing = land_tender(staff, centre, transferor)
    announced(listing, staff, bidders, "abc")
    clock.move_to(TENDER_STARTS)
    price = "12345678.91"
    response = submit(listing, bidders["a"], price)
    assert response.status_code == 201
    digits = ("12345678.91", "1234567891", "12345678")

    # The database row: an envelope and digests; no column, no byte holds the price.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM auctions_tenderbid")
        row = cursor.fetchone()
    dumped = " ".join(
        bytes(value).hex() if isinstance(value, memoryview | bytes) else str(value) for value in row
    )
    envelope = bytes(TenderBid.objects.get().envelope)
    for text in digits:
        assert text not in dumped and text.encode() not in envelope
    # The trade log.
    log = json.dumps(list(TradeLogEntry.objects.values_list("payload", flat=True)), default=str)
    assert not any(text in log for text in digits)
    # The API, to the public, the staff, the transferor's people and the bidder itself.
    transferor_user = factories.BidderFactory(username="transferor_user", entity=transferor)
    for reader in (api, client_for(staff), client_for(transferor_user), client_for(bidders["a"])):
        for name in ("detail", "state", "tender-bid", "opening", "bids", "register"):
            body = reader.get(url(name, listing)).content.decode()
            assert not any(text in body for text in digits), (name, body)
    # The pages: the public listing, the bidder's tender page, the staff's page.
    client.force_login(staff)
    for path in (
        reverse("auctions:listing", args=[listing.pk]),
        reverse("auctions:manage", args=[listing.pk]),
        reverse("auctions:tender", args=[listing.pk]),
    ):
        body = client.get(path).content.decode()
        assert not any(text in body for text in digits)
    client.force_login(bidders["a"])
    body = client.get(reverse("auctions:tender", args=[listing.pk])).content.decode()
    assert response.json()["receipt_digest"] in body
    assert not any(text in body for text in digits)


def test_a_late_bid_is_refused_with_the_deadline(clock, staff, centre, transferor, bidders):
    listing = land_tender(staff, centre, transferor)
    announced(listing, staff, bidders, "abc")
    clock.move_to(OPENING)
    response = submit(listing, bidders["a"], "11000000")
    assert response.status_code == 409
    assert response.json()["code"] == "deadline_passed"
    assert "2026-04-07 10:00" in response.json()["detail"]
    assert not TenderBid.objects.exists()


def test_one_sealed_bid_per_bidder_never_replaced(clock, staff, centre, transferor, bidders):
    listing = land_tender(staff, centre, transferor)
    announced(listing, staff, bidders, "abc")
    clock.move_to(TENDER_STARTS)
    assert submit(listing, bidders["a"], "11000000").status_code == 201
    response = submit(listing, bidders["a"], "12000000")
    assert response.status_code == 409 and response.json()["code"] == "already_bid"
    assert "第13条" in response.json()["detail"]
    assert TenderBid.objects.count() == 1
    # The database keeps the sealed fields read-only and the row for good.
    bid = TenderBid.objects.get()
    for statement in (
        "UPDATE auctions_tenderbid SET envelope = %s",
        "DELETE FROM auctions_tenderbid WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="pgtrigger: Cannot"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [b"x" if "UPDATE" in statement else bid.pk])


def test_the_bid_must_be_valid_before_it_is_sealed(clock, staff, centre, transferor, bidders):
    listing = land_tender(staff, centre, transferor)
    announced(listing, staff, bidders, "abc")
    clock.move_to(TENDER_STARTS)
    cases = [
        ({"price": "9999999.99", "passphrase": PASSPHRASES["a"]}, "below_minimum", "price"),
        ({"price": "10000000.001", "passphrase": PASSPHRASES["a"]}, "not_whole_fen", "price"),
        ({"price": "abc", "passphrase": PASSPHRASES["a"]}, "invalid", "price"),
        ({"price": "10000000", "passphrase": "short"}, "passphrase_weak", "passphrase"),
    ]
    for body, code, field in cases:
        response = client_for(bidders["a"]).post(url("tender-bid", listing), body, format="json")
        assert response.status_code == 400, response.json()
        assert response.json()["code"] == code and field in response.json()
    assert not TenderBid.objects.exists()


def test_a_wrong_passphrase_is_logged_and_may_be_retried_within_the_window(
    clock, staff, centre, transferor, bidders
):
    listing = land_tender(staff, centre, transferor)
    regs = announced(listing, staff, bidders, "abc")
    clock.move_to(TENDER_STARTS)
    for key in "abc":
        submit(listing, bidders[key], "11000000")
    clock.move_to(OPENING)
    open_bids(listing, staff)
    response = decrypt(listing, bidders["a"], passphrase="not-my-passphrase-at-all-4")
    assert response.status_code == 400 and response.json()["cause"] == "wrong_secret"
    bid = TenderBid.objects.get(registration=regs["a"])
    assert bid.state == TenderBid.State.SEALED and bid.last_failure == "wrong_secret"
    assert decrypt(listing, bidders["a"]).status_code == 200
    outcomes = list(
        TradeLogEntry.objects.filter(action="auction.tender_decryption_attempt")
        .order_by("seq")
        .values_list("payload__outcome", flat=True)
    )
    assert outcomes == ["wrong_secret", "success"]
    # After the window: refused and logged.
    clock.move_to(local(2026, 4, 7, 10, 31))
    response = decrypt(listing, bidders["b"])
    assert response.status_code == 409 and response.json()["cause"] == "outside_window"
    listing.refresh_from_db()
    # b and c never decrypted: invalid; only a's bid counts, and it clears the reserve.
    assert listing.state == Listing.State.SOLD and listing.winner == regs["a"]


def test_a_banned_entity_can_neither_register_nor_bid(
    clock, staff, centre, transferor, bidders4, land_regulator
):
    listing = land_tender(staff, centre, transferor)
    announced(listing, staff, bidders4, "ab")
    record_measure(
        land_regulator,
        bidders4["c"].entity.uscc,
        category_code="land_mining",
        valid_from=local(2026, 3, 1, 0, 0),
        valid_to=local(2027, 1, 1, 0, 0),
        decision_no="漳自然资罚〔2026〕31号",
        authority="漳州市自然资源局",
        legal_basis="土地管理法",
    )
    refused("not_eligible", registrations.register, actor=bidders4["c"], listing=listing)
    register_and_pay(listing, bidders4["d"], staff)
    record_measure(
        land_regulator,
        bidders4["d"].entity.uscc,
        category_code="land_mining",
        valid_from=local(2026, 3, 10, 0, 0),
        valid_to=local(2027, 1, 1, 0, 0),
        decision_no="漳自然资罚〔2026〕32号",
        authority="漳州市自然资源局",
        legal_basis="土地管理法",
    )
    clock.move_to(TENDER_STARTS)
    response = submit(listing, bidders4["d"], "11000000")
    assert response.status_code == 403 and response.json()["code"] == "not_eligible"
    assert "漳自然资罚〔2026〕32号" in response.json()["credit"][0]
    assert not TenderBid.objects.exists()


def test_a_bid_needs_a_registration_and_a_confirmed_deposit(
    clock, staff, centre, transferor, bidders
):
    listing = land_tender(staff, centre, transferor)
    listings.announce_listing(actor=staff, listing=listing)
    registrations.register(actor=bidders["a"], listing=listing)
    clock.move_to(TENDER_STARTS)
    response = submit(listing, bidders["a"], "11000000")
    assert response.status_code == 409 and response.json()["code"] == "deposit_not_confirmed"
    response = submit(listing, bidders["b"], "11000000")
    assert response.status_code == 409 and response.json()["code"] == "not_registered"


def test_permissions(clock, staff, other_staff, centre, transferor, bidders, api):
    listing = land_tender(staff, centre, transferor)
    announced(listing, staff, bidders, "abc")
    transferor_user = factories.BidderFactory(username="transferor_user", entity=transferor)
    clock.move_to(TENDER_STARTS)
    for key in "abc":
        submit(listing, bidders[key], "11000000")
    # Only bidders bid: staff, the public are refused.
    body = {"price": "11000000", "passphrase": PASSPHRASES["a"]}
    assert client_for(staff).post(url("tender-bid", listing), body).status_code == 403
    assert api.post(url("tender-bid", listing), body).status_code in (401, 403)
    # The receipt is the bidder's own: another bidder sees its own, the transferor none.
    a_receipt = client_for(bidders["a"]).get(url("tender-bid", listing)).json()
    b_receipt = client_for(bidders["b"]).get(url("tender-bid", listing)).json()
    assert a_receipt["bid_id"] != b_receipt["bid_id"]
    assert client_for(transferor_user).get(url("tender-bid", listing)).status_code == 404
    assert client_for(staff).get(url("tender-bid", listing)).status_code == 404
    assert api.get(url("tender-bid", listing)).status_code in (401, 403)
    # Only this centre's staff open the bids.
    clock.move_to(OPENING)
    for outsider in (
        client_for(other_staff),
        client_for(bidders["a"]),
        client_for(transferor_user),
    ):
        response = outsider.post(url("opening", listing), {"action": "open"}, format="json")
        assert response.status_code == 403
    assert api.post(url("opening", listing), {"action": "open"}).status_code in (401, 403)
    assert open_bids(listing, staff).status_code == 200
    # A bidder decrypts only its own: b's passphrase does not open a's bid for b.
    response = decrypt(listing, bidders["b"], passphrase=PASSPHRASES["a"])
    assert response.status_code == 400 and response.json()["cause"] == "wrong_secret"
    assert (
        client_for(staff)
        .post(url("tender-decrypt", listing), {"passphrase": PASSPHRASES["a"]})
        .status_code
        == 403
    )
    assert TenderBid.objects.get(registration__entity=bidders["a"].entity).state == "sealed"


def test_the_schedule_is_checked_against_the_catalog(clock, staff, centre, transferor):
    # The announcement must come 20 days before the bid period starts (39号令(国土) 第9条).
    listing = land_tender(staff, centre, transferor, tender_starts_at=local(2026, 3, 20, 9, 0))
    error = refused("statutory_violation", listings.announce_listing, actor=staff, listing=listing)
    assert error.fields["violations"][0]["rule"] == "land.tender.announcement_before_start"
    # The deadline after the start; registration closes by the deadline.
    refused(
        "invalid",
        land_tender,
        staff=staff,
        centre=centre,
        transferor=transferor,
        opening_at=TENDER_STARTS,
    )
    error = refused(
        "invalid",
        land_tender,
        staff=staff,
        centre=centre,
        transferor=transferor,
        registration_ends_at=local(2026, 4, 8, 9, 0),
    )
    assert "registration_ends_at" in error.fields
    error = refused(
        "required", land_tender, staff=staff, centre=centre, transferor=transferor, opening_at=None
    )
    assert "opening_at" in error.fields
    # Equity is not transferred by tender here.
    refused(
        "invalid",
        land_tender,
        staff=staff,
        centre=centre,
        transferor=transferor,
        category_code="equity",
    )


def test_a_registration_still_opens_during_the_bid_period(
    clock, staff, centre, transferor, bidders
):
    listing = land_tender(staff, centre, transferor)
    listings.announce_listing(actor=staff, listing=listing)
    clock.move_to(local(2026, 3, 30, 9, 0))
    run_due_events()
    listing.refresh_from_db()
    assert listing.state == Listing.State.TENDER
    registration = register_and_pay(listing, bidders["a"], staff)
    assert registration.deposit_state == Registration.DepositState.CONFIRMED
    assert submit(listing, bidders["a"], "11000000").status_code == 201


def test_the_tender_through_the_pages(
    clock, staff, other_staff, centre, transferor, bidders, client
):
    listing = land_tender(staff, centre, transferor)
    announced(listing, staff, bidders, "abc")
    page = reverse("auctions:tender", args=[listing.pk])
    clock.move_to(TENDER_STARTS)
    for key, price in (("a", "10800000"), ("b", "11000000"), ("c", "10900000")):
        client.force_login(bidders[key])
        response = client.post(
            reverse("auctions:tender_bid", args=[listing.pk]),
            {"price": price, "passphrase": PASSPHRASES[key]},
        )
        assert response.status_code == 200
        body = response.content.decode()
        bid = TenderBid.objects.get(registration__entity=bidders[key].entity)
        assert "data-receipt" in body and bid.receipt_digest in body
    # A refused bid is shown on the form, with the field's error.
    response = client.post(
        reverse("auctions:tender_bid", args=[listing.pk]),
        {"price": "11000000", "passphrase": PASSPHRASES["c"]},
    )
    assert "第13条" in response.content.decode()

    clock.move_to(OPENING)
    client.force_login(other_staff)  # staff of another centre cannot open the bids
    assert client.post(reverse("auctions:open_bids", args=[listing.pk])).status_code == 403
    client.force_login(staff)
    manage = reverse("auctions:manage", args=[listing.pk])
    open_url = reverse("auctions:open_bids", args=[listing.pk])
    assert open_url in client.get(manage).content.decode()
    response = client.post(reverse("auctions:open_bids", args=[listing.pk]))
    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.state == Listing.State.OPENING

    for key in "abc":
        client.force_login(bidders[key])
        assert 'name="passphrase"' in client.get(page).content.decode()
        response = client.post(
            reverse("auctions:tender_decrypt", args=[listing.pk]),
            {"passphrase": PASSPHRASES[key]},
            follow=True,
        )
        assert 'data-bid-state="decrypted"' in response.content.decode()
    client.force_login(staff)
    client.post(reverse("auctions:close_opening", args=[listing.pk]))
    listing.refresh_from_db()
    assert listing.state == Listing.State.SOLD
    body = client.get(page).content.decode()
    assert "乙房地产开发有限公司" in body and "11000000.00" in body


def sealed_on_the_bidder_s_machine(listing, registration, price, passphrase, *, lot=None):
    """What a bidder's own tool does with portal/sealing.py: the server never sees `price`."""
    uscc, number = registration.entity.uscc, registration.number
    manifest = {
        "lot": str(lot or listing.pk),
        "bidder": uscc,
        "number": number,
        "price": price,
        "currency": "CNY",
    }
    salt = sealing.new_receipt_salt()
    package = sealing.pack_bid(manifest=manifest, documents=[], receipt_salt=salt)
    digest = sealing.receipt_digest(manifest=manifest, documents=[], salt=salt)
    aad = sealing.bid_aad(
        project=listing.transaction_code, lot=lot or listing.pk, bidder=uscc, submission=number
    )
    envelope = sealing.seal(package, passphrase, aad=aad).to_bytes()
    return {"envelope": base64.b64encode(envelope).decode(), "receipt_digest": digest}


def test_a_bid_sealed_on_the_bidder_s_machine(clock, staff, centre, transferor, bidders4):
    bidders = bidders4
    listing = land_tender(staff, centre, transferor)
    regs = announced(listing, staff, bidders, "abcd")
    clock.move_to(TENDER_STARTS)
    assert submit(listing, bidders["a"], "10900000").status_code == 201
    sealed_b = sealed_on_the_bidder_s_machine(listing, regs["b"], "11100000.00", PASSPHRASES["b"])
    # c's tool sealed its envelope for another lot: the server cannot tell before the opening.
    sealed_c = sealed_on_the_bidder_s_machine(
        listing, regs["c"], "12000000.00", PASSPHRASES["c"], lot=listing.pk + 1000
    )
    for key, body in (("b", sealed_b), ("c", sealed_c)):
        response = client_for(bidders[key]).post(url("tender-bid", listing), body, format="json")
        assert response.status_code == 201, response.json()
        assert response.json()["receipt_digest"] == body["receipt_digest"]
    # Malformed uploads are refused by field; mixing both ways is refused (d has not bid).
    bad = [
        ({"envelope": "not base64!", "receipt_digest": "0" * 64}, "envelope"),
        (
            {"envelope": base64.b64encode(b"SEALBIDxx").decode(), "receipt_digest": "0" * 64},
            "envelope",
        ),
        ({"envelope": sealed_b["envelope"], "receipt_digest": "XYZ"}, "receipt_digest"),
        ({"envelope": sealed_b["envelope"]}, "receipt_digest"),
    ]
    for body, field in bad:
        response = client_for(bidders["d"]).post(url("tender-bid", listing), body, format="json")
        assert response.status_code == 400 and field in response.json(), response.json()
    mixed = {"price": "11000000", **sealed_b}
    assert client_for(bidders["d"]).post(url("tender-bid", listing), mixed).status_code == 400
    assert not TenderBid.objects.filter(registration=regs["d"]).exists()

    clock.move_to(OPENING)
    open_bids(listing, staff)
    assert decrypt(listing, bidders["a"]).status_code == 200
    assert decrypt(listing, bidders["b"]).status_code == 200
    response = decrypt(listing, bidders["c"])
    assert response.status_code == 400 and response.json()["cause"] == "invalid_package"
    c_bid = TenderBid.objects.get(registration=regs["c"])
    assert c_bid.state == TenderBid.State.INVALID and c_bid.price is None
    tender.close_tender_opening(actor=staff, listing=listing)
    listing.refresh_from_db()
    assert listing.winner == regs["b"] and listing.final_price == D("11100000.00")
