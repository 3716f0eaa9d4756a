"""Statistics (counts, amounts, savings rate, bidders per lot) through the API, the page and
the CSV/XLSX downloads; RSS/Atom feeds per category and region."""

import csv
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.publicportal.conftest import publish_tender, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_projects(contracted, centre, staff, tenderee, bidders):
    """The contracted tender (awarded 4,198,000 of a 5,000,000 estimate, three bids opened)
    and a second tender whose box is still sealed with one bid in it."""
    sealed = publish_tender(
        tenderee=tenderee, staff=staff, centre=centre, title="漳州市排水工程", when=timezone.now()
    )
    submit(sealed.lots.get(), bidders["b"], "b")
    return contracted, sealed


def test_counts_amounts_savings_and_bidders_by_category(two_projects):
    response = Client().get("/api/v1/statistics/", {"group_by": "category"})
    assert response.status_code == 200
    (row,) = response.json()["rows"]
    assert row["key"] == "engineering"
    assert (row["projects"], row["lots"], row["awarded_lots"]) == (2, 2, 1)
    assert Decimal(row["budget"]) == Decimal("10000000.00")
    assert Decimal(row["awarded_budget"]) == Decimal("5000000.00")
    assert Decimal(row["award_amount"]) == Decimal("4198000.00")
    assert row["savings_rate"] == pytest.approx(0.1604)
    # The sealed box's bid is not counted: 3 bids over the 1 opened lot.
    assert (row["opened_lots"], row["bids"], row["average_bidders"]) == (1, 3, 3.0)


def test_by_region_and_month(two_projects, centre):
    by_region = Client().get("/api/v1/statistics/", {"group_by": "region"}).json()
    assert [r["key"] for r in by_region["rows"]] == [centre.region.code]
    by_month = Client().get("/api/v1/statistics/", {"group_by": "month"}).json()
    assert [r["key"] for r in by_month["rows"]] == ["2026-03", "2026-04"]
    assert by_month["totals"]["lots"] == 2
    bad = Client().get("/api/v1/statistics/", {"group_by": "weekday"})
    assert bad.status_code == 400 and "group_by" in bad.json()


def test_the_page_draws_charts_from_our_own_static_files_and_offers_downloads(two_projects):
    page = Client().get(reverse("publicportal:statistics"), {"group_by": "category"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "/static/vendor/echarts.min.js" in text and "cdn" not in text.lower()
    assert 'id="statistics-data"' in text and 'data-key="engineering"' in text

    raw = Client().get(reverse("publicportal:statistics_csv"), {"group_by": "category"})
    rows = list(csv.reader(io.StringIO(raw.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["key", "label", "projects"]
    assert rows[1][0] == "engineering" and rows[1][2] == "2"

    xlsx = Client().get(reverse("publicportal:statistics_xlsx"), {"group_by": "category"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "key" and values[1][0] == "engineering"
    assert values[1][7] == pytest.approx(4198000.0)


def test_feeds_per_category_and_region(clock, centre, staff, tenderee):
    publish_tender(tenderee=tenderee, staff=staff, centre=centre, title="漳州市道路工程")
    rss = Client().get(reverse("publicportal:feed_rss"), {"category": "engineering"})
    assert rss.status_code == 200 and "漳州市道路工程招标公告" in rss.content.decode()
    atom = Client().get(reverse("publicportal:feed_atom"), {"region": centre.region.code})
    assert atom.status_code == 200 and "<feed" in atom.content.decode()
    assert "漳州市道路工程招标公告" in atom.content.decode()
    empty = Client().get(reverse("publicportal:feed_rss"), {"category": "procurement"})
    assert "漳州市道路工程" not in empty.content.decode()
    assert Client().get(reverse("publicportal:feed_rss"), {"region": "999999"}).status_code == 404
