"""OCDS 1.1 output: a release per published step with the bids extension, release packages,
records with compiled releases — valid against the OCDS 1.1 schemas (vendored, offline) with
zero errors; nothing sealed leaks before the opening record."""

import pytest
from django.test import Client

from publicportal import ocds
from publicportal.ocds_validation import record_package_errors, release_package_errors

pytestmark = pytest.mark.django_db


def get(url, **params):
    response = Client().get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_a_tender_run_to_its_end_publishes_valid_releases_and_a_valid_record(contracted, bidders):
    package = get("/api/v1/ocds/releases/")
    assert release_package_errors(package) == []
    ocid = ocds.ocid(contracted)
    assert ocid.startswith("ocds-") and contracted.transaction_code in ocid
    releases = [r for r in package["releases"] if r["ocid"] == ocid]
    tags = [r["tag"][0] for r in releases]
    assert tags == [
        "tender",
        "tenderUpdate",  # the opening record
        "tenderUpdate",  # the candidates
        "award",
        "contract",
        "implementation",
    ]
    opening = releases[1]
    details = opening["bids"]["details"]
    assert {d["tenderers"][0]["name"] for d in details} == {b.entity.name for b in bidders.values()}
    assert sorted(d["value"]["amount"] for d in details) == [4198000.0, 4321000.0, 4560000.0]
    assert opening["bids"]["statistics"][0] == {
        "id": "1-bids",
        "measure": "bids",
        "value": 3,
    }

    record = get(f"/api/v1/ocds/records/{ocid}/")
    assert record_package_errors(record) == []
    compiled = record["records"][0]["compiledRelease"]
    assert compiled["tag"] == ["compiled"]
    assert compiled["awards"][0]["suppliers"][0]["name"] == bidders["a"].entity.name
    assert compiled["contracts"][0]["value"]["amount"] == 4198000.0
    assert compiled["contracts"][0]["implementation"]["transactions"][0]["value"] == {
        "amount": 1000000.0,
        "currency": "CNY",
    }
    assert len(compiled["bids"]["details"]) == 3


def test_before_the_opening_no_bid_goes_out(announced, bidders):
    from tests.publicportal.conftest import submit

    submit(announced.lots.get(), bidders["a"], "a")
    package = get("/api/v1/ocds/releases/")
    assert release_package_errors(package) == []
    assert [r["tag"] for r in package["releases"]] == [["tender"]]
    assert "bids" not in package["releases"][0]
    assert bidders["a"].entity.name not in str(package)


def test_since_and_the_monthly_bulk_file(contracted):
    everything = get("/api/v1/ocds/releases/")["releases"]
    later = get("/api/v1/ocds/releases/", since="2026-03-25T00:00:00+08:00")["releases"]
    assert 0 < len(later) < len(everything)
    assert all(r["date"] >= "2026-03-25" for r in later)
    march = get("/api/v1/ocds/bulk/2026-03/")
    assert release_package_errors(march) == []
    assert {r["date"][:7] for r in march["releases"]} == {"2026-03"}
    bad = Client().get("/api/v1/ocds/releases/", {"since": "yesterday"})
    assert bad.status_code == 400 and "since" in bad.json()


def test_an_unknown_ocid_is_not_found(db):
    assert Client().get("/api/v1/ocds/records/ocds-zzzzzz-nothing/").status_code == 404


def test_the_validator_does_find_errors(contracted):
    """The zero above means something: a broken package is reported."""
    package = get("/api/v1/ocds/releases/")
    package["releases"][0]["tag"] = ["not-a-tag"]
    del package["releases"][3]["ocid"]
    package["releases"][1]["bids"]["details"][0]["status"] = "sealed"
    errors = release_package_errors(package)
    assert len(errors) >= 3
