"""Evaluation participation: trading's real projects feed the draw through the provider, and
the drawn, confirmed experts become the lot's committee through trading's `set_committee`.

`trading_project_parties` below is the provider trading registers in its AppConfig.ready
(the pool may not import trading, so trading hands it this callable)."""

from decimal import Decimal

import pytest

from catalog.models import Category, TradingMethod
from experts import providers, services
from experts.models import DrawInvitation, ExpertDraw
from tests import factories
from tests.experts.conftest import EVALUATION, client_for, draw_request
from trading.models import BidSubmission, CommitteeMember, Lot, Project
from trading.services.committee import set_committee

pytestmark = pytest.mark.django_db


def trading_project_parties(project_id: int) -> providers.ProjectParties | None:
    """What trading/apps.py registers: the project, its tenderee and agent, and every entity
    that submitted a bid (withdrawn ones too: avoiding too many is safe)."""
    project = (
        Project.objects.select_related("category", "tenderee", "agent")
        .filter(pk=project_id)
        .first()
    )
    if project is None:
        return None
    return providers.ProjectParties(
        project_id=project.pk,
        title=project.title,
        category=project.category.code,
        centre_id=project.centre_id,
        region_id=project.region_id,
        tenderee_uscc=project.tenderee.uscc,
        agent_uscc=project.agent.uscc if project.agent_id else "",
        bidder_usccs=frozenset(
            BidSubmission.objects.filter(lot__project=project).values_list(
                "entity__uscc", flat=True
            )
        ),
        lot_ids=frozenset(project.lots.values_list("pk", flat=True)),
    )


@pytest.fixture
def trading_provider():
    providers.register_project_parties(trading_project_parties)
    yield
    providers.register_project_parties(None)


@pytest.fixture
def opened_lot(db, centre, tenderee, bidder_entities):
    """A registered engineering tender whose lot has been opened, with three bids."""
    project = Project.objects.create(
        title="漳州市示范路桥维修工程",
        category=Category.objects.get(code="engineering"),
        method=TradingMethod.objects.get(code="open_tender"),
        subject="works",
        funding_source="state_owned",
        tenderee=tenderee.entity,
        centre=centre,
        region=centre.region,
        submitted_by=tenderee,
        state=Project.State.CLOSED,
    )
    lot = Lot.objects.create(
        project=project,
        number=1,
        name="一标段",
        estimate_amount=Decimal("5000000.00"),
        state=Lot.State.OPENED,
    )
    for index, entity in enumerate(bidder_entities):
        bidder = factories.BidderFactory(entity=entity, username=f"b{index}")
        BidSubmission.objects.create(
            lot=lot,
            entity=entity,
            submitted_by=bidder,
            envelope=f"sealed-bids/{lot.pk}/{index}",
            envelope_digest="0" * 64,
            envelope_size=1,
            suite="aes-256-gcm",
            receipt_digest="0" * 64,
            received_at=EVALUATION,
        )
    return lot


def test_a_drawn_committee_is_seated_by_trading(
    clock, trading_provider, opened_lot, drawer, staff, expert_factory, bidder_entities
):
    # Two experts work for bidders: the provider's parties make sure they are avoided.
    conflicted = [expert_factory(employer=entity) for entity in bidder_entities[:2]]
    for _ in range(8):
        expert_factory()
    project = opened_lot.project
    response = client_for(drawer).post(
        f"/api/v1/projects/{project.pk}/expert-draws/",
        draw_request(backups=1, lot=opened_lot.pk),
        format="json",
    )
    assert response.status_code == 201, response.json()
    draw = ExpertDraw.objects.get(pk=response.json()["id"])
    assert draw.lot_id == opened_lot.pk
    assert not draw.invitations.filter(expert__in=conflicted).exists()
    assert {e["expert"] for e in draw.exclusions} == {c.pk for c in conflicted}

    for invitation in draw.invitations.filter(state="invited"):
        services.respond_to_invitation(
            invitation=invitation, actor=invitation.expert.user, accept=True
        )
    clock.move_to(EVALUATION)

    # Trading's set_committee takes the experts from the pool; the caller names none.
    seated = set_committee(lot=opened_lot, actor=staff)
    users = [member.user for member in seated]
    assert len(seated) == 5
    assert CommitteeMember.objects.filter(lot=opened_lot, is_expert=True).count() == 5
    assert seated[0].is_chair
    draw.refresh_from_db()
    assert draw.state == "revealed"
    # The reserve was released when the names opened.
    assert draw.invitations.filter(state=DrawInvitation.State.RELEASED).count() == 1
    # Asking again returns the same committee (idempotent).
    again = services.committee_for_evaluation(
        project_id=project.pk, lot_id=opened_lot.pk, actor=staff
    )
    assert again == users


def test_an_unknown_project_or_no_provider(clock, drawer, pool):
    providers.register_project_parties(None)
    response = client_for(drawer).post(
        "/api/v1/projects/999/expert-draws/", draw_request(), format="json"
    )
    assert response.status_code == 503 and response.json()["code"] == "parties_unavailable"
    providers.register_project_parties(lambda project_id: None)
    try:
        response = client_for(drawer).post(
            "/api/v1/projects/999/expert-draws/", draw_request(), format="json"
        )
        assert response.status_code == 404
    finally:
        providers.register_project_parties(None)
