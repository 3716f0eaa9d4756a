# ruff: noqa: F811  (fixtures imported from tests.trading.conftest are used by name)
"""Trades published through trading's own services, for the portal to show: an announced
tender and one run to its contract and a performance record."""

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.trading.conftest import (  # noqa: F401  (fixtures)
    SECRETS,
    announced,
    bidders,
    chair_of,
    clock,
    draw_committee,
    drawer,
    experts,
    local,
    media,
    submit,
    tenderee,
)
from trading.models import BidSubmission

PRICES = {"a": "4198000.00", "b": "4321000.00", "c": "4560000.00"}


@pytest.fixture(autouse=True)
def fresh_portal_cache():
    """The test database rolls back but Redis does not: start each test under a new cache
    version, so no page cached by an earlier test is served."""
    from publicportal import cache

    cache._bump()


def publish_tender(*, tenderee, staff, centre, title, category="engineering", when=None):
    """Submit, register and announce a one-lot open tender titled `title`."""
    from catalog.models import Category, TradingMethod
    from trading.services import projects

    issued = when or local(2026, 3, 2, 9, 0)
    project = projects.submit_project(
        actor=tenderee,
        title=title,
        category=Category.objects.get(code=category),
        method=TradingMethod.objects.get(code="open_tender"),
        subject="works",
        funding_source="state_owned",
        centre=centre,
        region=centre.region,
        lots=[
            projects.LotInput(
                name="一标段",
                estimate_amount=Decimal("5000000.00"),
                bid_security_amount=Decimal("100000.00"),
            )
        ],
    )
    projects.register_project(project=project, actor=staff)
    projects.publish_tender_announcement(
        project=project,
        actor=tenderee,
        title=f"{title}招标公告",
        body="……",
        documents_issued_at=issued,
        documents_sale_ends_at=issued + timedelta(days=10),
        bid_deadline=issued + timedelta(days=25),
        opening_at=issued + timedelta(days=25),
    )
    project.refresh_from_db()
    return project


@pytest.fixture
def contracted(clock, announced, venue, staff, tenderee, bidders, experts, drawer):
    """The announced tender run to its end: three bids, the opening, the committee, the
    candidates, the award to bidder a, the contract and one performance record."""
    from trading.services import awards, committee, openings

    lot = announced.lots.get()
    for key in "abc":
        submit(lot, bidders[key], key, price=PRICES[key])
    clock.move_to(local(2026, 3, 23, 9, 30))
    session = openings.schedule_opening(project=announced, actor=staff, venue=venue)
    openings.start_opening(session=session, actor=staff)
    for key in "abc":
        own = BidSubmission.objects.get(entity=bidders[key].entity)
        openings.decrypt_bid(bid=own, actor=bidders[key], secret=SECRETS[key])
    openings.close_opening(session=session, actor=staff)
    draw_committee(lot, drawer=drawer, clock=clock)
    committee.set_committee(lot=lot, actor=staff)
    for bid in lot.bids.filter(state=BidSubmission.State.DECRYPTED):
        committee.decide_qualification(bid=bid, actor=chair_of(lot), qualified=True)
    for expert in experts:
        committee.sign_report(lot=lot, actor=expert)
    awards.publish_candidates(lot=lot, actor=tenderee)
    clock.shift(timedelta(days=4))
    awards.award_lot(lot=lot, actor=tenderee)
    contract = awards.sign_contract(
        lot=lot, actor=tenderee, amount=Decimal(PRICES["a"]), duration_days=180
    )
    clock.shift(timedelta(days=30))
    awards.record_performance(
        contract=contract,
        actor=tenderee,
        milestone="基础工程完工",
        description="桩基与承台完成",
        amount_paid=Decimal("1000000.00"),
    )
    announced.refresh_from_db()
    return announced
