"""The draw through the front door: the drawer requests it, the commitment is published before
anything is drawn, names stay sealed from the operation side, experts confirm or decline and
a decline is replaced from the same eligible set, the evaluation starts and the audit record
re-runs to the same experts."""

from datetime import timedelta

import pytest
from django.urls import reverse

from experts import draw_plan, selectors, services
from experts.models import DrawInvitation, ExpertDraw, ExpertProfile
from portal.tradelog.models import TradeLogEntry
from tests.experts.conftest import EVALUATION, client_for, draw_request

pytestmark = pytest.mark.django_db

DRAWS = "/api/v1/projects/{}/expert-draws/"


def post_draw(user, project_id=101, **overrides):
    return client_for(user).post(DRAWS.format(project_id), draw_request(**overrides), format="json")


def answer(invitation, accept=True, **extra):
    client = client_for(invitation.expert.user)
    return client.post(
        f"/api/v1/expert-invitations/{invitation.pk}/response/",
        {"accept": accept, **extra},
        format="json",
    )


def test_the_api_paths_are_the_issues():
    assert reverse("api:project-expert-draws", args=[7]) == "/api/v1/projects/7/expert-draws/"
    assert reverse("api:expert-draw-audit", args=[7]) == "/api/v1/expert-draws/7/audit/"
    assert reverse("api:expert-specialties") == "/api/v1/experts/specialties/"


def test_the_drawer_gets_the_count_and_the_commitment_and_no_name(clock, project, drawer, pool):
    response = post_draw(drawer)
    assert response.status_code == 201, response.json()
    body = response.json()
    draw = ExpertDraw.objects.get(pk=body["id"])
    assert body["drawn"] == 5
    assert body["state"] == "drawn"
    assert body["commitment"] == draw.commitment and len(body["commitment"]) == 64
    assert body["eligible_digest"] == draw.eligible_digest
    text = response.content.decode()
    for expert in pool:
        assert expert.full_name not in text and expert.user.username not in text
    assert "seed" not in body
    # Five members and two reserves are invited for the evaluation's time.
    invitations = list(draw.invitations.all())
    assert len(invitations) == 7
    assert {(i.starts_at, i.ends_at) for i in invitations} == {
        (EVALUATION, EVALUATION + timedelta(hours=8))
    }


def test_the_commitment_is_published_before_the_draw(clock, project, drawer, pool):
    draw = ExpertDraw.objects.get(pk=post_draw(drawer).json()["id"])
    entries = {
        e.action: e
        for e in TradeLogEntry.objects.filter(object_type="experts.expertdraw", object_id=draw.pk)
    }
    committed, drawn = entries["expert_draw.committed"], entries["expert_draw.drawn"]
    assert committed.seq < drawn.seq
    assert committed.payload["commitment"] == draw.commitment
    assert committed.payload["eligible_digest"] == draw.eligible_digest
    # The public value did not exist before the commitment: it is the commitment's entry hash.
    assert draw.public_value == committed.entry_hash
    assert draw.commit_log_seq == committed.seq
    # The seed is stored only sealed until the evaluation starts.
    assert draw.seed_revealed == ""
    assert draw.seed_sealed and draw.commitment not in draw.seed_sealed


def test_names_stay_sealed_from_the_operation_side_until_the_evaluation(
    clock, project, drawer, staff, tenderee, agent, supervisor, regulator, bidder_a, pool
):
    draw_id = post_draw(drawer).json()["id"]
    draw = ExpertDraw.objects.get(pk=draw_id)
    names = [expert.full_name for expert in pool]
    for reader in (drawer, staff, tenderee, agent, supervisor, regulator):
        response = client_for(reader).get(f"/api/v1/expert-draws/{draw_id}/")
        assert response.status_code == 200, reader
        body = response.json()
        assert body["members"] is None
        assert body["invitations"]["invited"] == 7
        assert not any(name in response.content.decode() for name in names)
    # Bidders do not even learn that a draw exists.
    assert client_for(bidder_a).get(f"/api/v1/expert-draws/{draw_id}/").status_code == 404
    # The audit record withholds the seed and the invited experts while sealed.
    audit = client_for(supervisor).get(f"/api/v1/expert-draws/{draw_id}/audit/").json()
    assert audit["seed"] is None and audit["members"] is None and audit["vacancies"] is None
    assert {row["expert"] for row in audit["invitations"]} == {None}
    # No trade-log entry names an invited expert before the reveal.
    invited = {str(i.expert_id) for i in draw.invitations.all()}
    for entry in TradeLogEntry.objects.filter(action__startswith="expert_draw."):
        assert entry.actor_id not in {i.expert.user_id for i in draw.invitations.all()}
        assert "members" not in entry.payload and "expert" not in entry.payload
    assert invited  # (the ids exist, only elsewhere)

    # The evaluation starts: the centre seats the committee and the names open to it.
    clock.move_to(EVALUATION)
    for invitation in draw.invitations.filter(state="invited"):
        invitation.state = DrawInvitation.State.CONFIRMED  # (answers are tested below)
        invitation.save()
    users = services.committee_for_evaluation(project_id=101, actor=staff)
    assert len(users) == 5
    body = client_for(staff).get(f"/api/v1/expert-draws/{draw_id}/").json()
    assert sorted(m["username"] for m in body["members"]) == sorted(u.username for u in users)
    # ... never to the tenderee, its agent or the drawer (招标投标法 第37条).
    for reader in (tenderee, agent, drawer):
        assert client_for(reader).get(f"/api/v1/expert-draws/{draw_id}/").json()["members"] is None


def test_experts_confirm_and_a_decline_is_replaced_from_the_same_eligible_set(
    clock, project, drawer, staff, supervisor, pool
):
    draw = ExpertDraw.objects.get(pk=post_draw(drawer, backups=0).json()["id"])
    eligible = set(draw.groups.get().eligible)
    first = list(draw.invitations.order_by("invite_seq"))
    assert len(first) == 5

    # Each expert sees his own invitation, not the project.
    mine = client_for(first[0].expert.user).get("/api/v1/expert-invitations/").json()
    assert [row["id"] for row in mine] == [first[0].pk]
    assert "示范工程" not in str(mine)

    assert answer(first[0]).status_code == 200
    response = answer(first[1], accept=False, reason="出差")
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "declined"

    draw.refresh_from_db()
    invitations = list(draw.invitations.order_by("invite_seq"))
    assert len(invitations) == 6
    replacement = invitations[-1]
    assert replacement.state == "invited"
    assert replacement.expert_id in eligible
    assert replacement.expert_id not in {i.expert_id for i in first}
    declined = DrawInvitation.objects.get(pk=first[1].pk)
    assert declined.vacated_seq == 0
    # A declined expert cannot come back in, and cannot answer twice.
    assert answer(first[1]).status_code == 409
    # Someone else's invitation is not found.
    other = client_for(first[2].expert.user).post(
        f"/api/v1/expert-invitations/{first[0].pk}/response/", {"accept": False}, format="json"
    )
    assert other.status_code == 404
    vacancy = TradeLogEntry.objects.get(action="expert_draw.vacancy")
    assert vacancy.payload["replacements"] == [replacement.invite_seq]
    assert vacancy.actor_id is None


def test_the_audit_record_re_runs_to_the_same_experts(
    clock, project, drawer, staff, supervisor, regulator, pool
):
    draw = ExpertDraw.objects.get(pk=post_draw(drawer, backups=1).json()["id"])
    invitations = list(draw.invitations.order_by("invite_seq"))
    answer(invitations[0], accept=False)
    answer(invitations[3], accept=False, recuse=True, reason="曾在投标人处兼职")
    for invitation in DrawInvitation.objects.filter(draw=draw, state="invited"):
        assert answer(invitation).status_code == 200
    clock.move_to(EVALUATION - timedelta(minutes=10))
    users = services.committee_for_evaluation(project_id=101, actor=staff)

    for auditor in (supervisor, regulator):
        record = client_for(auditor).get(f"/api/v1/expert-draws/{draw.pk}/audit/").json()
        assert record["seed"] and record["state"] == "revealed"
        drawn = draw_plan.verify_draw(record)
        assert drawn == [ExpertProfile.objects.get(user=u).pk for u in users]
        assert drawn == record["members"]
        assert len(record["vacancies"]) == 2
    # The revealed seed is the committed one.
    draw.refresh_from_db()
    assert draw_plan.commitment_of(bytes.fromhex(draw.seed_revealed)) == draw.commitment
    revealed = TradeLogEntry.objects.get(action="expert_draw.revealed")
    assert revealed.payload["seed"] == draw.seed_revealed
    assert revealed.payload["members"] == drawn


def test_the_evaluation_waits_for_every_member_to_confirm(clock, project, drawer, staff, pool):
    draw = ExpertDraw.objects.get(pk=post_draw(drawer).json()["id"])
    with pytest.raises(services.draws.ApplicationError) as early:
        services.committee_for_evaluation(project_id=101, actor=staff)
    assert early.value.code == "too_early"
    clock.move_to(EVALUATION)
    with pytest.raises(services.draws.ApplicationError) as waiting:
        services.committee_for_evaluation(project_id=101, actor=staff)
    assert waiting.value.code == "committee_not_ready"
    draw.refresh_from_db()
    assert draw.state == "drawn" and draw.seed_revealed == ""


def test_unanswered_invitations_lapse_and_are_replaced(clock, project, drawer, pool):
    draw = ExpertDraw.objects.get(pk=post_draw(drawer, backups=0).json()["id"])
    first = list(draw.invitations.order_by("invite_seq"))
    for invitation in first[:4]:
        answer(invitation)
    clock.shift(timedelta(hours=13))  # past the 12-hour answer time
    assert answer(first[4]).status_code == 409
    result = services.sweep_draws()
    assert result["vacancies"] == 1
    lapsed = DrawInvitation.objects.get(pk=first[4].pk)
    assert lapsed.state == "no_answer"
    assert draw.invitations.filter(state="invited").count() == 1


def test_a_new_bidder_makes_its_employee_recuse_before_the_evaluation(
    clock, projects, project, drawer, staff, pool
):
    from tests import factories

    draw = ExpertDraw.objects.get(pk=post_draw(drawer, backups=0).json()["id"])
    member = draw.invitations.order_by("invite_seq").first().expert
    late_bidder = factories.EntityFactory(name="迟到的投标人有限公司")
    ExpertProfile.objects.filter(pk=member.pk).update(
        employer=late_bidder, employer_uscc=late_bidder.uscc
    )
    projects.add_bidder(101, late_bidder)
    for invitation in draw.invitations.all():
        answer(invitation)
    clock.move_to(EVALUATION)
    with pytest.raises(services.draws.ApplicationError) as refused:
        services.committee_for_evaluation(project_id=101, actor=staff)
    assert refused.value.code == "committee_not_ready"
    clock.move_to(EVALUATION - timedelta(hours=3))
    assert services.sweep_draws()["vacancies"] == 1
    recused = draw.invitations.get(expert=member)
    assert recused.state == "recused" and "employed_by_party" in recused.reason
    assert draw.invitations.filter(state="invited").count() == 1


def test_two_draws_never_book_one_expert_twice(clock, projects, project, centre, drawer, pool):
    """Ten experts for a five-seat evaluation, then another five-seat evaluation at the same
    time: the second draw gets the five the first did not."""
    projects.add(102, centre=centre, tenderee=project_tenderee(project))
    first = post_draw(drawer, backups=0)
    second = post_draw(drawer, project_id=102, backups=0)
    assert first.status_code == second.status_code == 201
    a = set(
        ExpertDraw.objects.get(pk=first.json()["id"]).invitations.values_list("expert", flat=True)
    )
    b = set(
        ExpertDraw.objects.get(pk=second.json()["id"]).invitations.values_list("expert", flat=True)
    )
    assert len(a) == len(b) == 5 and not a & b
    third = post_draw(drawer, project_id=102, backups=0)
    assert third.status_code == 409 and third.json()["code"] == "not_enough_experts"


def project_tenderee(parties):
    from portal.entities.models import MarketEntity

    return MarketEntity.objects.get(uscc=parties.tenderee_uscc)


def test_the_database_refuses_an_overlapping_booking(clock, project, drawer, pool):
    """The last word is the database's: an expert held by one draw cannot be booked by
    another for an overlapping time, whatever code tries (exclusion constraint)."""
    from django.db import IntegrityError, transaction

    draw = ExpertDraw.objects.get(pk=post_draw(drawer).json()["id"])
    held = draw.invitations.filter(state="invited").first()
    other = ExpertDraw.objects.get(pk=draw.pk)
    other.pk = None
    other.save()
    group = held.group
    group.pk, group.draw = None, other
    group.save()
    overlapping = DrawInvitation(
        draw=other,
        group=group,
        expert=held.expert,
        invite_seq=0,
        starts_at=held.starts_at + timedelta(hours=7),
        ends_at=held.ends_at + timedelta(hours=7),
        invited_at=held.invited_at,
        respond_by=held.respond_by,
    )
    with pytest.raises(IntegrityError, match="expert_invitation_no_overlap"), transaction.atomic():
        overlapping.save()
    # Right after it ends is free: the ranges are half-open.
    overlapping.starts_at, overlapping.ends_at = held.ends_at, held.ends_at + timedelta(hours=2)
    overlapping.save()


def test_cancelling_releases_the_experts_and_opens_the_seed(
    clock, project, drawer, supervisor, pool
):
    draw_id = post_draw(drawer).json()["id"]
    response = client_for(drawer).post(
        f"/api/v1/expert-draws/{draw_id}/cancel/", {"reason": "开标延期"}, format="json"
    )
    assert response.status_code == 200 and response.json()["state"] == "cancelled"
    draw = ExpertDraw.objects.get(pk=draw_id)
    assert not draw.invitations.filter(state__in=DrawInvitation.LIVE).exists()
    record = client_for(supervisor).get(f"/api/v1/expert-draws/{draw_id}/audit/").json()
    assert record["seed"] == draw.seed_revealed
    # The released experts are free for another draw at that time.
    assert selectors.screening_candidates  # (see test_two_draws_never_book_one_expert_twice)


def test_reading_a_draw_keeps_time_without_a_scheduler(clock, project, drawer, staff, pool):
    """The embedded default runs no Celery beat: reading a draw runs its sweep, so answers
    lapse and the names open at the evaluation's time all the same."""
    draw = ExpertDraw.objects.get(pk=post_draw(drawer, backups=0).json()["id"])
    clock.shift(timedelta(hours=13))
    body = client_for(drawer).get(f"/api/v1/expert-draws/{draw.pk}/").json()
    assert body["invitations"]["no_answer"] == 5
    assert body["invitations"]["invited"] == 5  # the next five of the same order
    clock.move_to(EVALUATION)
    body = client_for(staff).get(f"/api/v1/expert-draws/{draw.pk}/").json()
    assert body["state"] == "revealed"
    assert TradeLogEntry.objects.get(action="expert_draw.revealed").payload["trigger"] == "time"


def test_a_cancelled_draws_record_re_runs(clock, project, drawer, supervisor, pool):
    draw_id = post_draw(drawer).json()["id"]
    first = ExpertDraw.objects.get(pk=draw_id).invitations.order_by("invite_seq").first()
    answer(first, accept=False)
    client_for(drawer).post(
        f"/api/v1/expert-draws/{draw_id}/cancel/", {"reason": "项目终止"}, format="json"
    )
    record = client_for(supervisor).get(f"/api/v1/expert-draws/{draw_id}/audit/").json()
    assert record["members"] is None and record["vacancies"] == [first.expert_id]
    assert len(draw_plan.verify_draw(record)) == 5


@pytest.fixture
def tasks_in_process():
    """Celery as the embedded default runs it (tasks executed in the process, no broker)."""
    from celery import current_app

    was = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = True
    yield
    current_app.conf.task_always_eager = was


def test_each_invited_expert_is_told_once_without_the_project(
    clock, project, drawer, pool, mailoutbox, django_capture_on_commit_callbacks, tasks_in_process
):
    """The notices go out once the draw is committed: one message per invited expert, who
    learns when and by when to answer, not which project (sealed until the evaluation)."""
    with django_capture_on_commit_callbacks(execute=True):
        response = post_draw(drawer, backups=1)
    assert response.status_code == 201, response.json()
    draw = ExpertDraw.objects.get(pk=response.json()["id"])
    invited = list(draw.invitations.select_related("expert__user").order_by("invite_seq"))
    assert len(invited) == 6
    assert sorted(m.to[0] for m in mailoutbox) == sorted(i.expert.user.email for i in invited)
    assert all("示范工程" not in message.body for message in mailoutbox)
    assert all("A0201" in message.body for message in mailoutbox)

    # A decline is replaced, and only the replacement is told.
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert answer(invited[0], accept=False, reason="出差").status_code == 200
    replacement = draw.invitations.order_by("-invite_seq").select_related("expert__user").first()
    assert [m.to for m in mailoutbox] == [[replacement.expert.user.email]]
