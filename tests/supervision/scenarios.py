"""Trades built through trading's own services, as a bidder, the tenderee, the centre and the
committee would run them, so the alerts are raised on what the operation side really writes."""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from tests.trading.conftest import SECRETS, local

DEADLINE = local(2026, 3, 23, 9, 30)


@dataclass
class BidPlan:
    price: str
    ip: str
    device: str
    document: bytes
    qualified: bool = True
    #: Named documents instead of the one opaque `document` (real .docx/.pdf files).
    documents: list[tuple[str, bytes]] | None = None


def independent_bids() -> dict[str, BidPlan]:
    return {
        "a": BidPlan("4321000.00", "198.51.100.11", "device-a", b"PROPOSAL-A" * 200),
        "b": BidPlan("4198000.00", "198.51.100.22", "device-b", b"PROPOSAL-B" * 200),
        "c": BidPlan("4560000.00", "198.51.100.33", "device-c", b"PROPOSAL-C" * 200),
    }


@dataclass
class Trade:
    project: object
    lot: object
    bids: dict = field(default_factory=dict)


def announce(*, clock, centre, staff, tenderee, security="100000.00", deadline=DEADLINE):
    from catalog.models import Category, TradingMethod
    from trading.services import projects

    project = projects.submit_project(
        actor=tenderee,
        title="漳州市示范路桥维修工程",
        category=Category.objects.get(code="engineering"),
        method=TradingMethod.objects.get(code="open_tender"),
        subject="works",
        funding_source="state_owned",
        centre=centre,
        region=centre.region,
        lots=[
            projects.LotInput(
                name="一标段",
                estimate_amount=Decimal("5000000.00"),
                bid_security_amount=Decimal(security),
            )
        ],
    )
    projects.register_project(project=project, actor=staff)
    projects.publish_tender_announcement(
        project=project,
        actor=tenderee,
        title="招标公告",
        body="……",
        documents_issued_at=local(2026, 3, 2, 9, 0),
        documents_sale_ends_at=local(2026, 3, 9, 17, 0),
        bid_deadline=deadline,
        opening_at=deadline,
    )
    project.refresh_from_db()
    return Trade(project=project, lot=project.lots.get())


def submit_bids(trade: Trade, bidders, plans: dict[str, BidPlan]) -> Trade:
    from trading.services import bids

    for key, plan in plans.items():
        bid, _receipt = bids.submit_bid(
            lot=trade.lot,
            actor=bidders[key],
            price=Decimal(plan.price),
            documents=plan.documents or [(f"技术标-{key}.pdf", plan.document)],
            secret=SECRETS[key],
            security=bids.SecurityInput(form="cash", amount=Decimal("100000.00")),
            client_ip=plan.ip,
            device_fingerprint=plan.device,
        )
        trade.bids[key] = bid
    return trade


def open_bids(trade: Trade, *, clock, venue, staff, bidders) -> Trade:
    from trading.services import openings

    clock.move_to(DEADLINE)
    session = openings.schedule_opening(project=trade.project, actor=staff, venue=venue)
    openings.start_opening(session=session, actor=staff)
    for key, bid in trade.bids.items():
        openings.decrypt_bid(bid=bid, actor=bidders[key], secret=SECRETS[key])
    openings.close_opening(session=session, actor=staff)
    return trade


def evaluate(trade: Trade, *, clock, staff, experts, plans: dict[str, BidPlan]) -> Trade:
    """The pool draws the committee (the `experts` fixture is the whole pool), which then
    passes or rejects each bid as planned and signs."""
    from tests.trading.conftest import chair_of, draw_committee, make_drawer
    from trading.services import committee

    draw_committee(trade.lot, drawer=make_drawer(), clock=clock)
    committee.set_committee(lot=trade.lot, actor=staff)
    for key, bid in trade.bids.items():
        bid.refresh_from_db()
        committee.decide_qualification(
            bid=bid,
            actor=chair_of(trade.lot),
            qualified=plans[key].qualified,
            reason="" if plans[key].qualified else "资格审查不合格",
        )
    for expert in experts:
        committee.sign_report(lot=trade.lot, actor=expert)
    return trade


def award_and_contract(trade: Trade, *, clock, tenderee) -> Trade:
    from trading.services import awards

    awards.publish_candidates(lot=trade.lot, actor=tenderee)
    clock.shift(timedelta(days=4))
    award = awards.award_lot(lot=trade.lot, actor=tenderee)
    clock.shift(timedelta(days=10))
    awards.sign_contract(lot=trade.lot, actor=tenderee, amount=award.bid.price)
    return trade


def full_tender(*, clock, centre, venue, staff, tenderee, bidders, experts, plans) -> Trade:
    trade = announce(clock=clock, centre=centre, staff=staff, tenderee=tenderee)
    submit_bids(trade, bidders, plans)
    open_bids(trade, clock=clock, venue=venue, staff=staff, bidders=bidders)
    evaluate(trade, clock=clock, staff=staff, experts=experts, plans=plans)
    return award_and_contract(trade, clock=clock, tenderee=tenderee)
