"""The web pages of the pool, one area per end: the expert applies and answers invitations,
the maintainer admits, the drawer draws and sees the count and the commitment, the
supervisor reads the audit, the centre sees the names once the evaluation has started."""

from datetime import timedelta

import pytest
from django.utils import timezone

from experts import services
from experts.models import DrawInvitation, ExpertDraw, ExpertProfile, Specialty
from portal.accounts.models import Role
from tests import factories
from tests.experts.conftest import EVALUATION, id_number_for

pytestmark = pytest.mark.django_db


def local_input(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_each_role_lands_on_its_area(client, drawer, maintainer, supervisor, pool):
    for user, target in (
        (drawer, "/experts/draws/"),
        (maintainer, "/experts/pool/"),
        (supervisor, "/experts/pool/"),
        (pool[0].user, "/experts/me/"),
    ):
        client.force_login(user)
        response = client.get("/experts/")
        assert response.status_code == 302 and response.url == target


def test_an_expert_applies_on_the_web_and_the_maintainer_admits(client, clock, city, maintainer):
    user = factories.UserFactory(role=Role.EXPERT, username="new_expert")
    client.force_login(user)
    page = client.get("/experts/me/")
    assert page.status_code == 200
    response = client.post(
        "/experts/me/",
        {
            "action": "apply",
            "apply-full_name": "李专家",
            "apply-id_number": id_number_for(4242),
            "apply-employer_name": "厦门大学",
            "apply-employer_uscc": "",
            "apply-title": "senior",
            "apply-career_started_on": "2010-09-01",
            "apply-region": city.pk,
            "apply-specialties": [Specialty.objects.get(code="A0201").pk],
        },
    )
    assert response.status_code == 302, response.context["application"].errors
    profile = ExpertProfile.objects.get(user=user)
    assert profile.status == "candidate"

    client.force_login(maintainer)
    page = client.get(f"/experts/pool/{profile.pk}/")
    assert page.status_code == 200 and "李专家" in page.content.decode()
    assert id_number_for(4242) not in page.content.decode()  # shown masked
    response = client.post(f"/experts/pool/{profile.pk}/", {"action": "admit"})
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.status == "active"


def test_a_bad_application_shows_its_errors(client, clock, city):
    user = factories.UserFactory(role=Role.EXPERT, username="careless")
    client.force_login(user)
    response = client.post(
        "/experts/me/",
        {
            "action": "apply",
            "apply-full_name": "张",
            "apply-id_number": "123",
            "apply-employer_name": "某单位",
            "apply-title": "senior",
            "apply-career_started_on": "2010-09-01",
            "apply-region": city.pk,
            "apply-specialties": [Specialty.objects.get(code="A0201").pk],
        },
    )
    assert response.status_code == 200
    assert response.context["application"].errors["id_number"]
    assert not ExpertProfile.objects.filter(user=user).exists()


def test_the_drawer_draws_on_the_web_and_sees_the_count_and_the_commitment(
    client, clock, project, drawer, pool
):
    client.force_login(drawer)
    assert client.get("/experts/draws/new/").status_code == 200
    response = client.post(
        "/experts/draws/new/",
        {
            "project": 101,
            "needed_at": local_input(EVALUATION),
            "needed_until": local_input(EVALUATION + timedelta(hours=8)),
            "region_scope": "local",
            "backups": 1,
            "specialty_1": "A0201",
            "count_1": 5,
            # A field the form does not have is simply not read.
            "expert": pool[0].pk,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    draw = ExpertDraw.objects.get()
    assert response.url == f"/experts/draws/{draw.pk}/"
    page = client.get(response.url).content.decode()
    assert draw.commitment in page
    assert not any(expert.full_name in page for expert in pool)


def test_a_draw_the_pool_cannot_fill_is_refused_on_the_form(client, clock, project, drawer, pool):
    client.force_login(drawer)
    response = client.post(
        "/experts/draws/new/",
        {
            "project": 101,
            "needed_at": local_input(EVALUATION),
            "needed_until": local_input(EVALUATION + timedelta(hours=8)),
            "region_scope": "remote",  # every expert of the pool is local
            "backups": 0,
            "specialty_1": "A0201",
            "count_1": 5,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not ExpertDraw.objects.exists()


def test_the_expert_confirms_or_declines_on_the_web(client, clock, project, drawer, pool):
    services.draw_experts(
        actor=drawer,
        project_id=101,
        specialties=[services.SpecialtyCount("A0201", 5)],
        needed_from=EVALUATION,
        region_scope="local",
    )
    first, second = DrawInvitation.objects.order_by("invite_seq")[:2]
    client.force_login(first.expert.user)
    page = client.get(f"/experts/invitations/{first.pk}/").content.decode()
    assert "示范工程" not in page  # the project is told when the evaluation starts
    assert client.get("/experts/me/").status_code == 200
    client.post(f"/experts/invitations/{first.pk}/", {"answer": "confirm"})
    first.refresh_from_db()
    assert first.state == "confirmed"
    client.force_login(second.expert.user)
    client.post(f"/experts/invitations/{second.pk}/", {"answer": "decline", "reason": "出差"})
    second.refresh_from_db()
    assert second.state == "declined"
    assert DrawInvitation.objects.filter(state="invited").count() == 4


def test_the_supervisor_reads_the_audit_and_it_re_runs_after_the_reveal(
    client, clock, project, drawer, staff, supervisor, pool
):
    draw = services.draw_experts(
        actor=drawer,
        project_id=101,
        specialties=[services.SpecialtyCount("A0201", 5)],
        needed_from=EVALUATION,
        region_scope="local",
    )
    client.force_login(supervisor)
    sealed = client.get(f"/experts/draws/{draw.pk}/audit/")
    assert sealed.status_code == 200 and sealed.context["verification"] is None
    assert not any(e.full_name in sealed.content.decode() for e in pool)
    DrawInvitation.objects.filter(draw=draw).update(state="confirmed")
    clock.move_to(EVALUATION)
    services.committee_for_evaluation(project_id=101, actor=staff)
    opened = client.get(f"/experts/draws/{draw.pk}/audit/")
    assert opened.context["verification"] == {"ok": True}
    # The centre sees the names now and records conduct from the draw's page.
    client.force_login(staff)
    page = client.get(f"/experts/draws/{draw.pk}/")
    members = page.context["members"]
    assert len(members) == 5 and members[0].expert.full_name in page.content.decode()
    response = client.post(
        f"/experts/draws/{draw.pk}/conduct/",
        {"expert": members[0].expert_id, "kind": "late", "note": "迟到半小时"},
    )
    assert response.status_code == 302
    assert members[0].expert.conduct_records.count() == 1


def test_the_pool_list_filters_sub_pools_in_a_fixed_number_of_queries(
    client, maintainer, expert_factory, other_city, django_assert_max_num_queries
):
    for _ in range(30):
        expert_factory(specialties=["A0201", "C0104"])
    for _ in range(5):
        expert_factory(specialties=["B0201"], region=other_city)
    client.force_login(maintainer)
    # session, user, count, page, specialties (prefetch), form choices (specialty, region)
    with django_assert_max_num_queries(9):
        response = client.get("/experts/pool/?specialty=A02")
    assert response.context["page"].paginator.count == 30
    response = client.get("/experts/pool/?region=350200")
    assert response.context["page"].paginator.count == 5


def test_pages_speak_chinese(client, drawer):
    client.force_login(drawer)
    page = client.get("/experts/draws/new/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "申请抽取" in page


def test_the_draw_list_follows_who_may_see_what(
    client, clock, project, drawer, tenderee, bidder_a, regulator, pool
):
    draw = services.draw_experts(
        actor=drawer,
        project_id=101,
        specialties=[services.SpecialtyCount("A0201", 5)],
        needed_from=EVALUATION,
        region_scope="local",
    )
    for reader in (drawer, tenderee, regulator):
        client.force_login(reader)
        page = client.get("/experts/draws/")
        assert page.status_code == 200
        assert draw.commitment[:14] in page.content.decode()
        assert not any(e.full_name in page.content.decode() for e in pool)
    client.force_login(tenderee)
    assert client.get(f"/experts/draws/{draw.pk}/").status_code == 200
    assert client.get(f"/experts/draws/{draw.pk}/audit/").status_code == 403
    client.force_login(bidder_a)
    assert client.get("/experts/draws/").status_code == 403
    assert client.get(f"/experts/draws/{draw.pk}/").status_code == 404


def test_a_regulator_records_conduct_from_a_profile(client, clock, regulator, pool):
    client.force_login(regulator)
    page = client.get(f"/experts/pool/{pool[0].pk}/")
    assert page.status_code == 200 and page.context["conduct_form"] is not None
    response = client.post(
        f"/experts/pool/{pool[0].pk}/",
        {
            "action": "conduct",
            "expert": pool[0].pk,
            "kind": "complaint",
            "serious": "on",
            "note": "经查实收受财物",
        },
    )
    assert response.status_code == 302
    pool[0].refresh_from_db()
    assert pool[0].status == "blacklisted"
    # ... and a regulator is no maintainer.
    assert (
        client.post(
            f"/experts/pool/{pool[1].pk}/", {"action": "suspend", "reason": "x"}
        ).status_code
        == 403
    )
