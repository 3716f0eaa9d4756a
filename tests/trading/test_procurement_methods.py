"""Procurement methods beyond open tender follow the same machine with their own rules:
shorter periods, no public opening."""

from datetime import timedelta
from decimal import Decimal

import pytest

from catalog.models import Category, TradingMethod
from portal.errors import ApplicationError
from tests.trading.conftest import SECRETS, client_for, local
from trading.models import Announcement
from trading.services import bids, openings, projects

pytestmark = pytest.mark.django_db


@pytest.fixture
def negotiation(clock, centre, staff, tenderee):
    project = projects.submit_project(
        actor=tenderee,
        title="办公设备采购（竞争性谈判）",
        category=Category.objects.get(code="procurement"),
        method=TradingMethod.objects.get(code="competitive_negotiation"),
        subject="goods",
        funding_source="fiscal",
        centre=centre,
        region=centre.region,
        lots=[projects.LotInput(name="第一包", estimate_amount=Decimal("800000.00"))],
    )
    projects.register_project(project=project, actor=staff)
    return project


def _publish(project, tenderee, deadline):
    return projects.publish_tender_announcement(
        project=project,
        actor=tenderee,
        title="竞争性谈判公告",
        body="……",
        documents_issued_at=local(2026, 3, 2, 9, 0),
        documents_sale_ends_at=local(2026, 3, 4, 17, 0),
        bid_deadline=deadline,
        opening_at=deadline,
    )


def test_three_working_days_suffice_and_two_do_not(negotiation, tenderee):
    # Issued Monday 2 March 2026: three working days run to Thursday 5 March (74号令 第10条).
    with pytest.raises(ApplicationError) as refused:
        _publish(negotiation, tenderee, local(2026, 3, 4, 9, 30))
    assert [v["rule"] for v in refused.value.fields["violations"]] == [
        "procurement.competitive_negotiation.documents_to_deadline"
    ]
    assert _publish(negotiation, tenderee, local(2026, 3, 5, 9, 30)).kind == "tender"


def test_no_public_opening_record_and_responses_seen_by_insiders_only(
    negotiation, tenderee, bidders, staff, venue, clock
):
    deadline = local(2026, 3, 5, 9, 30)
    _publish(negotiation, tenderee, deadline)
    lot = negotiation.lots.get()
    submitted = {
        key: bids.submit_bid(
            lot=lot,
            actor=bidders[key],
            price=Decimal(price),
            documents=[(f"{key}.pdf", b"response" * 40)],
            secret=SECRETS[key],
        )[0]
        for key, price in {"a": "760000.00", "b": "745000.00", "c": "790000.00"}.items()
    }
    clock.move_to(deadline)
    session = openings.schedule_opening(project=negotiation, actor=staff, venue=venue)
    openings.start_opening(session=session, actor=staff)
    for key, bid in submitted.items():
        assert openings.decrypt_bid(bid=bid, actor=bidders[key], secret=SECRETS[key]).ok
    clock.shift(timedelta(minutes=31))
    openings.close_due_openings()
    assert not Announcement.objects.filter(project=negotiation, kind="opening_record").exists()
    outsider_view = client_for(bidders["a"]).get(f"/api/v1/projects/{negotiation.pk}/bids/").data
    assert "bids" not in outsider_view["lots"][0]
    assert outsider_view["lots"][0]["own"]
    insider_view = client_for(tenderee).get(f"/api/v1/projects/{negotiation.pk}/bids/").data
    assert {b["price"] for b in insider_view["lots"][0]["bids"]} == {
        "760000.00",
        "745000.00",
        "790000.00",
    }
