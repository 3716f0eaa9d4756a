"""Expert credit and the blacklist (F5): conduct recorded by the centre and regulators feeds a
score; serious cases and low scores blacklist for a period; a blacklisted expert is never
drawn, and one holding an invitation loses it to a replacement."""

from datetime import datetime, timedelta

import pytest
from django.db import transaction

from experts import draw_plan, selectors, services
from experts.models import BlacklistEntry, ConductRecord, DrawInvitation, ExpertDraw
from experts.rules import ConductFact, CreditRules, credit_score
from portal.errors import ApplicationError
from tests.experts.conftest import EVALUATION, SHANGHAI, client_for, draw_request

pytestmark = pytest.mark.django_db

DRAWS = "/api/v1/projects/101/expert-draws/"


def test_the_score_counts_the_records_of_the_window():
    now = datetime(2026, 3, 2, tzinfo=SHANGHAI)
    facts = [
        ConductFact("late", 2, False, now - timedelta(days=10)),
        ConductFact("absent", 10, False, now - timedelta(days=100)),
        ConductFact("complaint", 20, False, now - timedelta(days=800)),  # outside the window
    ]
    assert credit_score(facts, now=now, rules=CreditRules()) == 88
    assert credit_score([ConductFact("x", 500, False, now)], now=now, rules=CreditRules()) == 0


def _revealed_draw(drawer, staff, clock):
    draw = ExpertDraw.objects.get(
        pk=client_for(drawer).post(DRAWS, draw_request(backups=0), format="json").json()["id"]
    )
    for invitation in draw.invitations.all():
        invitation.state = DrawInvitation.State.CONFIRMED
        invitation.save()
    clock.move_to(EVALUATION)
    services.committee_for_evaluation(project_id=101, actor=staff)
    draw.refresh_from_db()
    return draw


def test_the_centre_records_conduct_after_the_evaluation(
    clock, project, drawer, staff, other_staff, bidder_a, pool
):
    draw = _revealed_draw(drawer, staff, clock)
    member = selectors.members_of(draw)[0].expert
    record = services.record_conduct(
        expert=member, actor=staff, kind="absent", note="无故缺席评标", draw=draw
    )
    assert record.points == 10 and record.project_id == 101
    assert selectors.credit_score_of(member) == 90
    member.refresh_from_db()
    assert member.status == "active"
    for outsider in (other_staff, bidder_a):
        with pytest.raises(ApplicationError) as refused:
            services.record_conduct(expert=member, actor=outsider, kind="late", note="x", draw=draw)
        assert refused.value.status_code == 403
    # Only about experts who served on that evaluation.
    stranger = next(
        e for e in pool if e.pk not in {m.expert_id for m in selectors.members_of(draw)}
    )
    with pytest.raises(ApplicationError) as not_member:
        services.record_conduct(expert=stranger, actor=staff, kind="late", note="x", draw=draw)
    assert not_member.value.code == "not_a_member"


def test_conduct_records_are_append_only(clock, regulator, pool):
    record = services.record_conduct(
        expert=pool[0], actor=regulator, kind="late", note="迟到20分钟"
    )
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017 - the trigger's error
        ConductRecord.objects.filter(pk=record.pk).update(points=0)
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017
        ConductRecord.objects.filter(pk=record.pk).delete()


def test_a_serious_case_blacklists_and_a_blacklisted_expert_is_never_drawn(
    clock, project, drawer, regulator, supervisor, pool
):
    cheat = pool[0]
    services.record_conduct(
        expert=cheat,
        actor=regulator,
        kind="complaint",
        serious=True,
        note="私下接触投标人，经查属实",
    )
    cheat.refresh_from_db()
    entry = BlacklistEntry.objects.get(expert=cheat)
    assert cheat.status == "blacklisted"
    assert entry.ends_at == datetime(2027, 3, 2, 9, 0, tzinfo=SHANGHAI)
    # Many draws, many seeds: never him.
    for _ in range(8):
        response = client_for(drawer).post(DRAWS, draw_request(backups=2), format="json")
        assert response.status_code == 201
        draw = ExpertDraw.objects.get(pk=response.json()["id"])
        assert cheat.pk not in draw.groups.get().eligible
        assert not draw.invitations.filter(expert=cheat).exists()
        [exclusion] = [e for e in draw.exclusions if e["expert"] == cheat.pk]
        assert {r["code"] for r in exclusion["reasons"]} == {"not_active", "blacklisted"}
        services.cancel_draw(draw=draw, actor=drawer, reason="测试重抽")


def test_blacklisting_withdraws_a_held_invitation_and_replaces_it(
    clock, project, drawer, regulator, pool
):
    draw = ExpertDraw.objects.get(
        pk=client_for(drawer).post(DRAWS, draw_request(backups=0), format="json").json()["id"]
    )
    held = draw.invitations.order_by("invite_seq").first()
    services.record_conduct(
        expert=held.expert, actor=regulator, kind="complaint", serious=True, note="收受财物"
    )
    held.refresh_from_db()
    assert held.state == "skipped" and held.reason == "blacklisted"
    assert draw.invitations.filter(state="invited").count() == 5
    assert not draw.invitations.filter(expert=held.expert, state__in=["invited", "confirmed"])


def test_a_score_below_the_threshold_blacklists(clock, regulator, pool):
    expert = pool[0]
    for _ in range(2):
        services.record_conduct(expert=expert, actor=regulator, kind="complaint", note="投诉属实")
    expert.refresh_from_db()
    assert expert.status == "active" and selectors.credit_score_of(expert) == 60
    services.record_conduct(expert=expert, actor=regulator, kind="late", note="迟到")
    expert.refresh_from_db()
    assert expert.status == "blacklisted"
    assert "58" in BlacklistEntry.objects.get(expert=expert).reason


def test_the_blacklist_ends_after_its_period(clock, project, drawer, regulator, pool):
    expert = pool[0]
    services.record_conduct(
        expert=expert, actor=regulator, kind="absent", serious=True, note="多次无故缺席"
    )
    assert services.lift_expired_blacklists() == 0
    clock.move_to(datetime(2027, 3, 2, 9, 1, tzinfo=SHANGHAI))
    assert services.lift_expired_blacklists() == 1
    expert.refresh_from_db()
    assert expert.status == "active"


def test_a_regulator_may_lift_a_blacklisting_early(clock, regulator, staff, pool):
    expert = pool[0]
    services.record_conduct(
        expert=expert, actor=regulator, kind="complaint", serious=True, note="x"
    )
    entry = BlacklistEntry.objects.get(expert=expert)
    with pytest.raises(ApplicationError):
        services.lift_blacklist(entry=entry, actor=staff, reason="复核撤销")
    services.lift_blacklist(entry=entry, actor=regulator, reason="复核撤销")
    expert.refresh_from_db()
    assert expert.status == "active"


def test_the_audit_of_a_draw_made_while_someone_was_blacklisted_re_runs(
    clock, project, drawer, staff, regulator, supervisor, pool
):
    services.record_conduct(
        expert=pool[0], actor=regulator, kind="complaint", serious=True, note="x"
    )
    draw = _revealed_draw(drawer, staff, clock)
    record = client_for(supervisor).get(f"/api/v1/expert-draws/{draw.pk}/audit/").json()
    assert pool[0].pk not in draw_plan.verify_draw(record)
    assert pool[0].pk in {e["expert"] for e in record["exclusions"]}
