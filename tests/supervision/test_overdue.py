"""The overdue-steps sweep on a trade run through trading's services, with a moved clock: a
contract never signed raises one alert once the catalog's period has run out, however often
the beat runs the sweep."""

from datetime import timedelta

import pytest

from supervision import tasks
from supervision.models import Alert
from tests.supervision import scenarios

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "supervision"])


def test_a_contract_never_signed(clock, centre, venue, staff, tenderee, bidders, experts):
    from trading.services import awards

    plans = scenarios.independent_bids()
    trade = scenarios.announce(clock=clock, centre=centre, staff=staff, tenderee=tenderee)
    scenarios.submit_bids(trade, bidders, plans)
    scenarios.open_bids(trade, clock=clock, venue=venue, staff=staff, bidders=bidders)
    scenarios.evaluate(trade, clock=clock, staff=staff, experts=experts, plans=plans)
    awards.publish_candidates(lot=trade.lot, actor=tenderee)
    clock.shift(timedelta(days=4))
    award = awards.award_lot(lot=trade.lot, actor=tenderee)
    due = (award.awarded_at + timedelta(days=30)).date()  # 招标投标法 第46条: the catalog's 30

    assert tasks.sweep_overdue_steps() == 0  # just awarded
    clock.shift(timedelta(days=29))
    assert tasks.sweep_overdue_steps() == 0  # still within the period
    clock.shift(timedelta(days=3))
    assert tasks.sweep_overdue_steps() == 1
    assert tasks.sweep_overdue_steps() == 0  # the beat runs again: one alert per trade and rule
    alert = Alert.objects.get(rule_code="process.contract_not_signed")
    assert alert.project_id_ref == trade.project.pk and alert.lot_id_ref == trade.lot.pk
    assert alert.evidence["missing"] == "contract_signed_at"
    assert alert.evidence["due_by"] >= due.isoformat()
    assert alert.source == "招标投标法 第46条"
    assert alert.department == "development_reform" and alert.status == "new"
    # Engineering securities are due after the contract: nothing about them yet.
    assert not Alert.objects.filter(rule_code="process.securities_not_returned").exists()

    # Signed at last: the sweep leaves the lot alone (the late signing is the twin's).
    awards.sign_contract(lot=trade.lot, actor=tenderee, amount=award.bid.price)
    clock.shift(timedelta(days=30))
    assert tasks.sweep_overdue_steps() == 0
