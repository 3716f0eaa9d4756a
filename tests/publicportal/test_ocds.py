"""OCDS 1.1 output: a release per published step with the bids extension, release packages,
records with compiled releases — valid against the OCDS 1.1 schemas (vendored, offline) with
zero errors; nothing sealed leaks before the opening record."""

from datetime import timedelta

import pytest
from django.test import Client

from publicportal import ocds
from publicportal.ocds_validation import record_package_errors, release_package_errors
from tests.publicportal.conftest import SECRETS

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


@pytest.fixture
def two_lots(clock, centre, staff, tenderee, bidders, venue, experts, drawer):
    """An engineering tender in two lots: lot 1 opened with three bids, awarded to bidder a
    and contracted; lot 2 failed at the opening with a single bid (fewer than three)."""
    from decimal import Decimal

    from catalog.models import Category, TradingMethod
    from tests.publicportal.conftest import PRICES, chair_of, draw_committee, local, submit
    from trading.models import BidSubmission
    from trading.services import awards, committee, openings, projects

    project = projects.submit_project(
        actor=tenderee,
        title="漳州市滨江公园建设工程",
        category=Category.objects.get(code="engineering"),
        method=TradingMethod.objects.get(code="open_tender"),
        subject="works",
        funding_source="state_owned",
        centre=centre,
        region=centre.region,
        lots=[
            projects.LotInput(
                name=name,
                estimate_amount=Decimal(estimate),
                bid_security_amount=Decimal("100000.00"),
            )
            for name, estimate in (
                ("一标段：园路工程", "5000000.00"),
                ("二标段：绿化工程", "6000000.00"),
            )
        ],
    )
    projects.register_project(project=project, actor=staff)
    projects.publish_tender_announcement(
        project=project,
        actor=tenderee,
        title="漳州市滨江公园建设工程招标公告",
        body="……",
        documents_issued_at=local(2026, 3, 2, 9, 0),
        documents_sale_ends_at=local(2026, 3, 9, 17, 0),
        bid_deadline=local(2026, 3, 23, 9, 30),
        opening_at=local(2026, 3, 23, 9, 30),
    )
    first, second = project.lots.order_by("number")
    for key in "abc":
        submit(first, bidders[key], key, price=PRICES[key])
    submit(second, bidders["c"], "c", price="5800000.00")
    clock.move_to(local(2026, 3, 23, 9, 30))
    session = openings.schedule_opening(project=project, actor=staff, venue=venue)
    openings.start_opening(session=session, actor=staff)  # lot 2 fails: one bid
    for key in "abc":
        own = BidSubmission.objects.get(entity=bidders[key].entity, lot=first)
        openings.decrypt_bid(bid=own, actor=bidders[key], secret=SECRETS[key])
    openings.close_opening(session=session, actor=staff)
    draw_committee(first, drawer=drawer, clock=clock)
    committee.set_committee(lot=first, actor=staff)
    for bid in first.bids.filter(state=BidSubmission.State.DECRYPTED):
        committee.decide_qualification(bid=bid, actor=chair_of(first), qualified=True)
    for expert in experts:
        committee.sign_report(lot=first, actor=expert)
    awards.publish_candidates(lot=first, actor=tenderee)
    clock.shift(timedelta(days=4))
    awards.award_lot(lot=first, actor=tenderee)
    awards.sign_contract(lot=first, actor=tenderee, amount=Decimal(PRICES["a"]))
    project.refresh_from_db()
    return project


def test_a_tender_in_two_lots_uses_the_lots_extension_and_validates(two_lots, bidders):
    package = get("/api/v1/ocds/releases/")
    assert release_package_errors(package) == []
    assert any("ocds_lots_extension" in url for url in package["extensions"])
    releases = {r["tag"][0]: r for r in package["releases"] if r["ocid"] == ocds.ocid(two_lots)}
    tender = releases["tender"]["tender"]
    assert [(lot["id"], lot["title"], lot["value"]["amount"]) for lot in tender["lots"]] == [
        ("1", "一标段：园路工程", 5000000.0),
        ("2", "二标段：绿化工程", 6000000.0),
    ]
    assert [item["relatedLot"] for item in tender["items"]] == ["1", "2"]
    award = releases["award"]["awards"][0]
    assert award["relatedLots"] == ["1"]
    assert award["suppliers"][0]["name"] == bidders["a"].entity.name

    record = get(f"/api/v1/ocds/records/{ocds.ocid(two_lots)}/")
    assert record_package_errors(record) == []
    compiled = record["records"][0]["compiledRelease"]
    assert {lot["id"]: lot["status"] for lot in compiled["tender"]["lots"]} == {
        "1": "complete",
        "2": "unsuccessful",
    }
    assert {d["relatedLots"][0] for d in compiled["bids"]["details"]} == {"1"}
    assert len(compiled["bids"]["details"]) == 3  # lot 2's sealed bid never went out
    assert {s["relatedLot"] for s in compiled["bids"]["statistics"]} == {"1"}
    (contract,) = compiled["contracts"]
    assert contract["awardID"] == award["id"] and contract["items"][0]["relatedLot"] == "1"
    assert "numberOfTenderers" not in compiled["tender"]
    # The lots extension's fields are checked too: a bad lot status is an error.
    releases["tender"]["tender"]["lots"][0]["status"] = "sealed"
    releases["award"]["awards"][0]["relatedLots"] = "1"
    assert len(release_package_errors(package)) == 2


def test_a_one_lot_tender_uses_no_lot_fields(contracted):
    text = str(get("/api/v1/ocds/releases/")["releases"])
    assert "relatedLot" not in text and "'lots'" not in text


def test_the_validator_does_find_errors(contracted):
    """The zero above means something: a broken package is reported."""
    package = get("/api/v1/ocds/releases/")
    package["releases"][0]["tag"] = ["not-a-tag"]
    del package["releases"][3]["ocid"]
    package["releases"][1]["bids"]["details"][0]["status"] = "sealed"
    errors = release_package_errors(package)
    assert len(errors) >= 3
