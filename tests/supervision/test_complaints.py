"""Complaints (H5): filed within the legal limit (catalog data), accepted, the trade suspended
— which the operation side honours at its next step — ruled, published; every step visible to
the complainant and in the trade log."""

from datetime import timedelta

import pytest

from portal.holds.models import TradeHold
from portal.tradelog.models import TradeLogEntry
from tests.supervision import scenarios
from tests.trading.conftest import client_for, local

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "supervision"])


@pytest.fixture
def trade_in_publicity(clock, centre, venue, staff, tenderee, bidders, experts):
    plans = scenarios.independent_bids()
    trade = scenarios.announce(clock=clock, centre=centre, staff=staff, tenderee=tenderee)
    scenarios.submit_bids(trade, bidders, plans)
    scenarios.open_bids(trade, clock=clock, venue=venue, staff=staff, bidders=bidders)
    scenarios.evaluate(trade, clock=clock, staff=staff, experts=experts, plans=plans)
    from trading.services import awards

    awards.publish_candidates(lot=trade.lot, actor=tenderee)
    return trade


def _file(bidder, trade, *, known_at):
    return client_for(bidder).post(
        "/api/v1/complaints/",
        {
            "project": trade.project.pk,
            "lot": trade.lot.pk,
            "grounds": "第一中标候选人业绩造假",
            "grounds_known_at": known_at.isoformat(),
            "evidence": [{"description": "业绩合同复印件", "sha256": "a" * 64}],
        },
        format="json",
    )


def test_a_suspension_by_a_complaint_blocks_the_trades_next_step(
    clock, trade_in_publicity, bidders, tenderee, regulator_dr
):
    trade = trade_in_publicity
    filed = _file(bidders["a"], trade, known_at=local(2026, 3, 23, 9, 0))
    assert filed.status_code == 201, filed.data
    complaint_id = filed.data["id"]
    assert filed.data["state"] == "filed"
    # Engineering: accepted or not within 3 working days (实施条例 第61条), from the catalog.
    assert filed.data["limits"]["acceptance"]["rule"] == "engineering.complaint_acceptance"
    assert filed.data["acceptance_due_at"].startswith("2026-03-26")

    regulator = client_for(regulator_dr)
    accepted = regulator.post(
        f"/api/v1/complaints/{complaint_id}/acceptance/", {"accept": True}, format="json"
    )
    assert accepted.status_code == 200 and accepted.data["state"] == "accepted"
    assert accepted.data["decision_due_at"] is not None
    suspended = regulator.post(
        f"/api/v1/complaints/{complaint_id}/suspension/",
        {"reason": "投诉处理期间暂停招标投标活动"},
        format="json",
    )
    assert suspended.status_code == 200 and suspended.data["suspended"] is True

    # The operation side honours it: the award the tenderee could otherwise make is refused.
    clock.shift(timedelta(days=4))
    refused = client_for(tenderee).post(f"/api/v1/lots/{trade.lot.pk}/award/", {}, format="json")
    assert refused.status_code == 409 and refused.data["code"] == "project_suspended"
    assert "投诉处理期间暂停招标投标活动" in refused.data["detail"]

    # Ruled: the suspension ends with the ruling and the trade may go on.
    ruled = regulator.post(
        f"/api/v1/complaints/{complaint_id}/ruling/",
        {"outcome": "dismissed", "ruling": "经调查，投诉事项缺乏事实依据，驳回投诉。"},
        format="json",
    )
    assert ruled.status_code == 200 and ruled.data["state"] == "ruled"
    assert ruled.data["suspended"] is False
    awarded = client_for(tenderee).post(f"/api/v1/lots/{trade.lot.pk}/award/", {}, format="json")
    assert awarded.status_code == 201

    # The complainant sees every step; the ruling is published; all of it is in the log.
    seen = client_for(bidders["a"]).get(f"/api/v1/complaints/{complaint_id}/").data
    assert [s["step"] for s in seen["steps"]] == ["filed", "accepted", "suspended", "ruled"]
    published = client_for(bidders["b"]).get("/api/v1/complaints/rulings/").data["results"]
    assert [r["id"] for r in published] == [complaint_id]
    actions = set(
        TradeLogEntry.objects.filter(payload__project=trade.project.pk).values_list(
            "action", flat=True
        )
    )
    assert {"complaint.filed", "hold.suspended", "hold.lifted", "complaint.ruled"} <= actions
    assert TradeHold.objects.get().lifted_at is not None


def test_a_complaint_out_of_time_is_refused_naming_the_rule(clock, trade_in_publicity, bidders):
    late = _file(bidders["a"], trade_in_publicity, known_at=local(2026, 3, 2, 9, 0))
    assert late.status_code == 400
    assert late.data["code"] == "complaint_out_of_time"
    assert "实施条例 第60条" in late.data["detail"]
    assert late.data["grounds_known_at"] == [late.data["detail"]]


def test_only_parties_file_and_only_the_competent_department_handles(
    clock, trade_in_publicity, bidders, regulator_dr, regulator_finance, staff
):
    refused = client_for(staff).post(
        "/api/v1/complaints/",
        {
            "project": trade_in_publicity.project.pk,
            "grounds": "x",
            "grounds_known_at": local(2026, 3, 23, 9).isoformat(),
        },
        format="json",
    )
    assert refused.status_code == 403
    filed = _file(bidders["a"], trade_in_publicity, known_at=local(2026, 3, 23, 9, 0))
    complaint_id = filed.data["id"]
    # Finance does not oversee engineering tenders (H2): not even visible to it.
    other = client_for(regulator_finance).post(
        f"/api/v1/complaints/{complaint_id}/acceptance/", {"accept": True}, format="json"
    )
    assert other.status_code == 404
    # Another bidder does not see someone else's complaint.
    assert client_for(bidders["b"]).get(f"/api/v1/complaints/{complaint_id}/").status_code == 404
    rejected = client_for(regulator_dr).post(
        f"/api/v1/complaints/{complaint_id}/acceptance/", {"accept": False}, format="json"
    )
    assert rejected.status_code == 400 and "reason" in rejected.data
