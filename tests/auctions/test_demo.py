"""The demo (make demo → load_demo) shows every stage of auctions: a land listing in its
listing period, a live mining auction, an equity transfer in disclosure, a land tender in
its bid period, a sold lot with its result — built through the services, and loading it
twice changes nothing."""

import pytest
from django.urls import reverse

from auctions import demo
from auctions.models import AuctionAnnouncement, Bid, Listing, Registration, TenderBid
from portal.demo_data import DEMO_PASSWORD, demo_uscc, load_demo
from portal.tradelog.models import TradeLogEntry

pytestmark = pytest.mark.django_db


def load():
    load_demo()
    return demo.load_auction_demo(password=DEMO_PASSWORD, demo_uscc=demo_uscc)


def test_the_demo_has_a_lot_at_every_stage_and_loads_twice_the_same(client):
    accounts = load()
    assert [username for username, _, _ in accounts] == ["demo_bidder_zhiye", "demo_bidder_touzi"]
    lots = {listing.title: listing for listing in Listing.objects.all()}
    assert {title: lot.state for title, lot in lots.items()} == {
        demo.LAND_LISTING: Listing.State.LISTING,
        demo.MINING_LIVE: Listing.State.LIVE,
        demo.EQUITY_DISCLOSURE: Listing.State.ANNOUNCED,
        demo.LAND_SOLD: Listing.State.SOLD,
        demo.LAND_TENDER: Listing.State.TENDER,
    }
    # The tender's one sealed bid holds no price in the clear; it opens with its passphrase.
    sealed = TenderBid.objects.get(listing=lots[demo.LAND_TENDER])
    assert sealed.state == TenderBid.State.SEALED and sealed.price is None
    sold = lots[demo.LAND_SOLD]
    assert (
        sold.final_price == sold.current_price and sold.winner.entity.name == "漳州示范置业有限公司"
    )
    assert AuctionAnnouncement.objects.filter(
        listing=sold, kind=AuctionAnnouncement.Kind.RESULT
    ).exists()
    assert set(sold.registrations.values_list("deposit_state", flat=True)) == {
        Registration.DepositState.APPLIED,
        Registration.DepositState.REFUNDED,
    }
    assert Bid.objects.filter(listing=lots[demo.MINING_LIVE]).count() == 2
    # The trade log reads in time order, as the steps were made.
    times = list(
        TradeLogEntry.objects.filter(action__startswith="auction.")
        .order_by("seq")
        .values_list("occurred_at", flat=True)
    )
    assert times == sorted(times)

    counts = (Listing.objects.count(), Registration.objects.count(), Bid.objects.count())
    assert load() == accounts
    assert (Listing.objects.count(), Registration.objects.count(), Bid.objects.count()) == counts

    page = client.get(reverse("auctions:list")).content.decode()
    assert all(title in page for title in lots)
    result = client.get(reverse("auctions:result", args=[sold.pk]))
    assert result.status_code == 200 and "成交确认书" in result.content.decode()
