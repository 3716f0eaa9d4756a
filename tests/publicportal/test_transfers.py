"""Land, mining and equity transfers, which OCDS does not cover: a documented JSON package,
valid against its own published schema, fed by any source of the publication index."""

import pytest
from django.test import Client
from jsonschema import Draft7Validator, FormatChecker

from tests.publicportal.test_exchange import as_system, connected, pushed  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_land_listing_is_exported_and_valid_and_a_tender_is_not(connected):  # noqa: F811
    client = as_system(connected)
    land = pushed(
        external_id="LAND-2026-01",
        kind="tender",
        title="漳州市龙文区2026P01号地块国有建设用地使用权挂牌出让公告",
        amount="56000000.00",
        data={"parcel": "2026P01", "area_m2": 18500, "use": "住宅"},
        project={
            "external_id": "LAND-P-01",
            "title": "龙文区2026P01号地块",
            "category": "land",
            "method": "listing",
            "budget_amount": None,
        },
    )
    assert client.post("/api/v1/exchange/announcements/", land, format="json").status_code == 201
    assert (
        client.post("/api/v1/exchange/announcements/", pushed(), format="json").status_code == 201
    )

    package = Client().get("/api/v1/open-data/transfers/").json()
    schema = Client().get("/api/v1/open-data/transfers/schema/").json()
    errors = list(Draft7Validator(schema, format_checker=FormatChecker()).iter_errors(package))
    assert errors == []
    (item,) = package["transfers"]
    assert item["category"]["code"] == "land"
    assert item["value"] == {"amount": 56000000.0, "currency": "CNY"}
    assert item["details"]["parcel"] == "2026P01"
    assert item["source"] == {
        "type": "external",
        "system": "longhai",
        "systemName": "龙海区电子招标投标交易系统",
    }
    assert item["url"].startswith("http://testserver/public/announcements/")

    later = Client().get("/api/v1/open-data/transfers/", {"since": "2026-03-03"}).json()
    assert later["transfers"] == []
    broken = dict(package, version="2.0")
    assert list(Draft7Validator(schema).iter_errors(broken))
