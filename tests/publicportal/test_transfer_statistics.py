# ruff: noqa: F811  (fixtures imported from tests.auctions.conftest are used by name)
"""The statistics cover the auctions' land, mining and equity transfers beside the tenders:
a sale and a failure change the figures by exactly what they should, as soon as the result
is published (the cache follows the result announcement), in the API, on the page and in the
downloads — with only public facts: never a running listing's reserve, never a bidder."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from auctions.models import Listing
from auctions.services import listings
from auctions.services.bidding import place_bid
from auctions.services.settlement import run_due_events
from publicportal import statistics
from tests.auctions.conftest import (  # noqa: F401  (fixtures)
    bidders,
    clock,
    equity_listing,
    land_listing,
    local,
    register_and_pay,
    transferor,
)
from tests.publicportal.conftest import publish_tender

pytestmark = pytest.mark.django_db

#: The reserve of a listing still running: secret until its result (39号令 第10条).
RUNNING_RESERVE = "12345600"


def figures(group_by: str) -> dict:
    response = Client().get("/api/v1/statistics/", {"group_by": group_by})
    assert response.status_code == 200, response.content
    return response.json()


def rows_by_key(group_by: str) -> dict:
    return {row["key"]: row for row in figures(group_by)["rows"]}


@pytest.fixture
def running_listing(clock, staff, centre, transferor, bidders):
    """A land listing announced, registered and bid on, whose listing period runs in May."""
    listing = land_listing(
        staff,
        centre,
        transferor,
        title="漳州市龙文区2026P07号地块国有建设用地使用权",
        reserve_price=Decimal(RUNNING_RESERVE),
        registration_ends_at=local(2026, 5, 15, 12, 0),
        listing_starts_at=local(2026, 5, 4, 9, 0),
        listing_ends_at=local(2026, 5, 15, 15, 0),
    )
    listings.announce_listing(actor=staff, listing=listing)
    register_and_pay(listing, bidders["c"], staff)
    return listing


@pytest.fixture
def sold_and_failed(
    clock, staff, centre, transferor, bidders, running_listing, django_capture_on_commit_callbacks
):
    """A land-use right sold on 2026-04-03 at 10,600,000 (starting price 10,000,000) to the
    only bidder of two registered, and a 30 % equity stake (listed at 8,000,000) failed on
    2026-03-31 with no intended buyer. The statistics are read (and cached) before either
    result, as a visitor would have."""
    land = land_listing(staff, centre, transferor)
    listings.announce_listing(actor=staff, listing=land)
    register_and_pay(land, bidders["a"], staff)
    register_and_pay(land, bidders["b"], staff)
    equity = equity_listing(staff, centre, transferor)
    listings.announce_listing(actor=staff, listing=equity)
    clock.move_to(local(2026, 3, 24, 9, 0))
    place_bid(actor=bidders["a"], listing=land, amount="10600000")
    before = {group_by: figures(group_by) for group_by in statistics.GROUPS}
    clock.move_to(local(2026, 4, 3, 15, 0))
    with django_capture_on_commit_callbacks(execute=True):
        run_due_events()
    land.refresh_from_db()
    equity.refresh_from_db()
    assert (land.state, equity.state) == (Listing.State.SOLD, Listing.State.FAILED)
    return land, equity, before


def test_a_sale_and_a_failure_change_the_figures_by_exactly_what_they_should(
    sold_and_failed, centre
):
    land, equity, before = sold_and_failed
    # Before either result nothing counted: a running listing is no transfer yet.
    for data in before.values():
        assert data["rows"] == []
        assert (data["totals"]["sold_transfers"], data["totals"]["failed_transfers"]) == (0, 0)

    by_category = rows_by_key("category")
    assert set(by_category) == {"land", "equity"}
    sold = by_category["land"]
    assert (sold["sold_transfers"], sold["failed_transfers"]) == (1, 0)
    assert Decimal(sold["sold_starting_amount"]) == Decimal("10000000")
    assert Decimal(sold["deal_amount"]) == land.final_price == Decimal("10600000")
    assert sold["premium_rate"] == pytest.approx(0.06)
    assert Decimal(sold["failed_starting_amount"]) == 0
    failed = by_category["equity"]
    assert (failed["sold_transfers"], failed["failed_transfers"]) == (0, 1)
    assert Decimal(failed["failed_starting_amount"]) == equity.starting_price
    assert Decimal(failed["deal_amount"]) == 0 and failed["premium_rate"] is None
    # The tenders' columns stay at nothing for a transfer-only row.
    assert (sold["projects"], sold["lots"], sold["savings_rate"]) == (0, 0, None)

    (region,) = figures("region")["rows"]
    assert region["key"] == centre.region.code
    assert (region["sold_transfers"], region["failed_transfers"]) == (1, 1)
    # A transfer falls in the month of its result: the failure on 31 March, the sale on 3 April.
    by_month = rows_by_key("month")
    assert set(by_month) == {"2026-03", "2026-04"}
    assert (by_month["2026-03"]["failed_transfers"], by_month["2026-03"]["sold_transfers"]) == (
        1,
        0,
    )
    assert by_month["2026-04"]["sold_transfers"] == 1
    totals = figures("month")["totals"]
    assert (totals["sold_transfers"], totals["failed_transfers"]) == (1, 1)
    assert Decimal(totals["deal_amount"]) == Decimal("10600000")
    assert totals["premium_rate"] == pytest.approx(0.06)


def test_tenders_and_transfers_of_a_region_share_its_row(sold_and_failed, centre, tenderee, staff):
    publish_tender(
        tenderee=tenderee, staff=staff, centre=centre, title="漳州市排水工程", when=timezone.now()
    )
    (region,) = figures("region")["rows"]
    assert (region["projects"], region["lots"], region["budget"]) == (1, 1, "5000000.00")
    assert (region["sold_transfers"], region["failed_transfers"]) == (1, 1)
    assert set(rows_by_key("category")) == {"engineering", "land", "equity"}


def test_no_reserve_of_a_running_listing_and_no_bidder_appears(sold_and_failed, bidders):
    published = [json.dumps(figures(key), ensure_ascii=False) for key in statistics.GROUPS]
    for group_by in statistics.GROUPS:
        page = Client().get(reverse("publicportal:statistics"), {"group_by": group_by})
        published.append(page.content.decode())
        csv_response = Client().get(reverse("publicportal:statistics_csv"), {"group_by": group_by})
        published.append(csv_response.content.decode("utf-8-sig"))
    text = "\n".join(published)
    assert RUNNING_RESERVE not in text and "12345600" not in text.replace(",", "")
    for user in bidders.values():
        assert user.entity.name not in text and user.entity.uscc not in text
    # The sold listing's reserve is not a statistic either.
    assert "10500000" not in text


def test_the_downloads_and_the_page_carry_the_transfer_rows(sold_and_failed):
    raw = Client().get(reverse("publicportal:statistics_csv"), {"group_by": "category"})
    rows = list(csv.reader(io.StringIO(raw.content.decode("utf-8-sig"))))
    header = rows[0]
    assert header[-6:] == [
        "sold_transfers",
        "failed_transfers",
        "sold_starting_amount",
        "deal_amount",
        "premium_rate",
        "failed_starting_amount",
    ]
    land = dict(zip(header, next(r for r in rows[1:] if r[0] == "land"), strict=True))
    assert (land["sold_transfers"], land["deal_amount"], land["premium_rate"]) == (
        "1",
        "10600000.00",
        "0.06",
    )
    equity = dict(zip(header, next(r for r in rows[1:] if r[0] == "equity"), strict=True))
    assert (equity["failed_transfers"], equity["failed_starting_amount"]) == ("1", "8000000.00")

    xlsx = Client().get(reverse("publicportal:statistics_xlsx"), {"group_by": "month"})
    values = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    header = list(values[0])
    april = dict(zip(header, next(r for r in values[1:] if r[0] == "2026-04"), strict=True))
    assert april["sold_transfers"] == 1
    assert april["deal_amount"] == pytest.approx(10600000.0)
    assert april["premium_rate"] == pytest.approx(0.06)

    page = Client(headers={"accept-language": "zh-hans"}).get(
        reverse("publicportal:statistics"), {"group_by": "category"}
    )
    text = page.content.decode()
    assert 'id="chart-transfers"' in text and 'data-key="land"' in text
    assert "成交宗数" in text and "溢价率" in text and "6%" in text


def test_the_transfers_cost_one_grouped_query(sold_and_failed, django_assert_num_queries):
    # 1. the lots of public projects, grouped; 2. their opened bids, grouped;
    # 3. the listings with a published result, grouped.
    for group_by in statistics.GROUPS:
        with django_assert_num_queries(3):
            statistics.compute(group_by)
