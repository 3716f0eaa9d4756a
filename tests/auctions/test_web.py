"""The auction pages through the browser's front door: the public list and detail, a
bidder registering and bidding in the live hall (htmx), the result (成交确认书); the staff
creating, announcing and confirming deposits. In Chinese."""

import pytest
from django.urls import reverse

from auctions.models import Listing, Registration
from auctions.services import listings
from tests.auctions.conftest import local, mining_auction, register_and_pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def auction(clock, staff, centre, transferor):
    listing = mining_auction(staff, centre, transferor)
    listings.announce_listing(actor=staff, listing=listing)
    return listing


def test_the_public_sees_the_list_and_the_detail_without_the_reserve(auction, client):
    page = client.get(reverse("auctions:list"))
    assert page.status_code == 200
    assert auction.title in page.content.decode()
    detail = client.get(reverse("auctions:listing", args=[auction.pk])).content.decode()
    assert "饰面用花岗岩" in detail and "3200000" not in detail
    assert "竞买" in detail or "竞价" in detail  # Chinese UI


def test_a_bidder_registers_and_bids_in_the_live_hall(auction, bidders, staff, client, clock):
    client.force_login(bidders["a"])
    response = client.post(reverse("auctions:register", args=[auction.pk]), follow=True)
    registration = Registration.objects.get(entity=bidders["a"].entity)
    assert registration.number in response.content.decode()
    from auctions.services import registrations

    registrations.confirm_deposit(
        actor=staff, registration=registration, amount="600000", reference="R1"
    )
    register_and_pay(auction, bidders["b"], staff)
    clock.move_to(local(2026, 3, 25, 9, 30))
    client.force_login(bidders["a"])  # a fresh session on the day
    hall = client.get(reverse("auctions:live", args=[auction.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in hall and "3000000.00" in hall
    bid = client.post(
        reverse("auctions:bid", args=[auction.pk]), {"amount": "3000000"}, HTTP_HX_REQUEST="true"
    )
    body = bid.content.decode()
    assert bid.status_code == 200 and 'data-standing="leading"' in body
    too_low = client.post(
        reverse("auctions:bid", args=[auction.pk]), {"amount": "3000001"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "3050000.00" in too_low and 'role="alert"' in too_low
    # Competitors see numbers only.
    client.force_login(bidders["b"])
    seen = client.get(reverse("auctions:live_state", args=[auction.pk])).content.decode()
    assert registration.number in seen and bidders["a"].entity.name not in seen
    assert 'data-standing="no_bids"' not in seen

    clock.move_to(local(2026, 3, 25, 11, 0))
    client.force_login(bidders["b"])
    done = client.get(reverse("auctions:live_state", args=[auction.pk])).content.decode()
    assert "hx-trigger" not in done  # ended: no more polling
    auction.refresh_from_db()
    assert auction.state == Listing.State.FAILED  # 3,000,000 stayed below the reserve
    assert "3200000.00" in done


def test_the_transaction_confirmation(auction, bidders, staff, client, clock):
    register_and_pay(auction, bidders["a"], staff)
    clock.move_to(local(2026, 3, 25, 9, 30))
    client.force_login(bidders["a"])
    client.post(reverse("auctions:bid", args=[auction.pk]), {"amount": "3500000"})
    clock.move_to(local(2026, 3, 25, 10, 0))
    page = client.get(reverse("auctions:result", args=[auction.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "3500000.00" in text and bidders["a"].entity.name in text and "成交确认书" in text


def test_staff_create_announce_and_confirm_deposits(
    clock, staff, other_staff, transferor, bidders, client
):
    client.force_login(staff)
    response = client.post(
        reverse("auctions:create"),
        {
            "title": "某砂石矿采矿权",
            "category": "mining",
            "method": "auction",
            "transferor": transferor.uscc,
            "starting_price": "1000000",
            "increment": "10000",
            "increment_rule": "at_least",
            "deposit_amount": "200000",
            "reserve_price": "",
            "extension_minutes": "5",
            "registration_ends_at": "2026-03-24T17:00",
            "auction_starts_at": "2026-03-25T09:00",
            "ends_at": "2026-03-25T10:00",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    listing = Listing.objects.get(title="某砂石矿采矿权")
    assert listing.auction_starts_at == local(2026, 3, 25, 9, 0)
    client.post(reverse("auctions:announce", args=[listing.pk]))
    listing.refresh_from_db()
    assert listing.state == Listing.State.ANNOUNCED

    from auctions.services import registrations

    registration = registrations.register(actor=bidders["a"], listing=listing)
    page = client.get(reverse("auctions:manage", args=[listing.pk])).content.decode()
    assert bidders["a"].entity.name in page
    client.post(
        reverse("auctions:confirm_deposit", args=[registration.pk]),
        {"amount": "200000.00", "reference": "ABC-1"},
    )
    registration.refresh_from_db()
    assert registration.deposit_state == "confirmed"

    client.force_login(other_staff)
    assert client.get(reverse("auctions:manage", args=[listing.pk])).status_code == 403


def test_a_schedule_too_short_is_refused_with_the_rule_named(clock, staff, transferor, client):
    client.force_login(staff)
    client.post(
        reverse("auctions:create"),
        {
            "title": "短公告地块",
            "category": "land",
            "method": "auction",
            "transferor": transferor.uscc,
            "starting_price": "1000000",
            "increment": "10000",
            "increment_rule": "at_least",
            "deposit_amount": "200000",
            "extension_minutes": "5",
            "registration_ends_at": "2026-03-10T17:00",
            "auction_starts_at": "2026-03-11T09:00",
            "ends_at": "2026-03-11T10:00",
        },
    )
    listing = Listing.objects.get(title="短公告地块")
    page = client.post(reverse("auctions:announce", args=[listing.pk]), follow=True)
    assert "39号令(国土) 第9条" in page.content.decode()
    listing.refresh_from_db()
    assert listing.state == Listing.State.DRAFT
