"""Three-end separation (三端分离, F6) and county ports (F8): the pool maintainer keeps the
pool and cannot draw or audit; the drawer draws and cannot touch the pool or audit; the pool
supervisor reads everything and changes nothing. Each is confined; no account holds two."""

import pytest

from experts import policies, services
from experts.models import ExpertDraw, ExpertProfile
from portal.accounts.models import Role
from portal.errors import ApplicationError
from tests import factories
from tests.experts.conftest import client_for, draw_request

pytestmark = pytest.mark.django_db

DRAWS = "/api/v1/projects/{}/expert-draws/"


def post_draw(user, project_id=101, **overrides):
    return client_for(user).post(DRAWS.format(project_id), draw_request(**overrides), format="json")


def test_the_three_ends_are_three_roles_and_no_role_holds_two():
    ends = {
        "maintain": {r for r in Role if policies.can_maintain_pool(_persona(r))},
        "draw": {r for r in Role if policies.can_request_any_draw(_persona(r))},
        "audit": {r for r in Role if policies.can_audit_draws(_persona(r))},
    }
    assert ends["maintain"] == {Role.POOL_MAINTAINER}
    assert Role.EXPERT_DRAWER in ends["draw"]
    assert ends["audit"] == {Role.POOL_SUPERVISOR, Role.REGULATOR}
    assert not ends["maintain"] & ends["draw"]
    assert not ends["maintain"] & ends["audit"]
    assert not ends["draw"] & ends["audit"]


class _Persona:
    is_authenticated = True
    is_active = True
    centre = None
    centre_id = None
    entity = None
    entity_id = None

    def __init__(self, role):
        self.role = role


def _persona(role):
    return _Persona(role)


@pytest.mark.parametrize(
    "who, expected",
    [
        ("drawer", 201),
        ("maintainer", 403),
        ("supervisor", 403),
        ("regulator", 403),
        ("staff", 403),  # city-centre staff go through the drawer
        ("tenderee", 403),
        ("bidder_a", 403),
    ],
)
def test_only_the_drawer_requests_a_draw(request, clock, project, pool, who, expected):
    user = request.getfixturevalue(who)
    response = post_draw(user)
    assert response.status_code == expected, response.json()
    assert ExpertDraw.objects.exists() == (expected == 201)


def test_an_expert_cannot_request_a_draw(clock, project, pool):
    response = post_draw(pool[0].user)
    assert response.status_code == 403


def test_a_county_port_requests_draws_for_its_own_projects_only(
    clock, projects, project, county_port, county_staff, tenderee, county, pool
):
    projects.add(201, centre=county_port, tenderee=tenderee.entity, region=county)
    own = post_draw(county_staff, project_id=201)
    assert own.status_code == 201, own.json()
    draw = ExpertDraw.objects.get(pk=own.json()["id"])
    # A county project is local to its city: the city's experts are the local pool (F4).
    assert "350600" in draw.home_regions and "350681" in draw.home_regions
    # Not the city centre's project.
    assert post_draw(county_staff, project_id=101).status_code == 403


def test_staff_of_another_county_port_cannot_draw_for_this_one(
    clock, projects, centre, county_port, county, tenderee, pool
):
    other_port = factories.CentreFactory(
        name="长泰分中心", code="changtai", level="branch", parent=centre, region=county
    )
    other_staff = factories.make_centre_staff(other_port, username="staff_changtai")
    projects.add(201, centre=county_port, tenderee=tenderee.entity, region=county)
    assert post_draw(other_staff, project_id=201).status_code == 403


def _draw(drawer):
    return ExpertDraw.objects.get(pk=post_draw(drawer).json()["id"])


@pytest.mark.parametrize(
    "who, expected",
    [
        ("supervisor", 200),
        ("regulator", 200),
        ("drawer", 403),
        ("staff", 403),
        ("tenderee", 403),
        ("maintainer", 404),
        ("bidder_a", 404),
        ("other_staff", 404),
    ],
)
def test_the_audit_record_is_for_the_supervisor_and_regulators(
    request, clock, project, drawer, pool, who, expected
):
    draw = _draw(drawer)
    user = request.getfixturevalue(who)
    response = client_for(user).get(f"/api/v1/expert-draws/{draw.pk}/audit/")
    assert response.status_code == expected


def test_the_maintainer_cannot_see_draws(clock, project, drawer, maintainer, pool):
    draw = _draw(drawer)
    assert client_for(maintainer).get(f"/api/v1/expert-draws/{draw.pk}/").status_code == 404


def test_the_supervisor_changes_nothing(client, clock, project, drawer, supervisor, pool):
    draw = _draw(drawer)
    candidate = ExpertProfile.objects.filter(status="active").first()
    # The API's writes.
    api = client_for(supervisor)
    assert post_draw(supervisor).status_code == 403
    assert (
        api.post(
            f"/api/v1/expert-draws/{draw.pk}/cancel/", {"reason": "x"}, format="json"
        ).status_code
        == 403
    )
    invitation = draw.invitations.first()
    assert (
        api.post(
            f"/api/v1/expert-invitations/{invitation.pk}/response/",
            {"accept": False},
            format="json",
        ).status_code
        == 404
    )
    # The services refuse whatever door is used.
    for call in (
        lambda: services.suspend_expert(profile=candidate, actor=supervisor, reason="x"),
        lambda: services.admit_expert(profile=candidate, actor=supervisor),
        lambda: services.record_assessment(profile=candidate, actor=supervisor, passed=True),
        lambda: services.retire_expert(profile=candidate, actor=supervisor),
        lambda: services.record_conduct(
            expert=candidate, actor=supervisor, kind="late", note="x", draw=draw
        ),
        lambda: services.cancel_draw(draw=draw, actor=supervisor, reason="x"),
    ):
        with pytest.raises(ApplicationError) as refused:
            call()
        assert refused.value.status_code == 403
    # The web pages: the pool reads, but every action is refused.
    client.force_login(supervisor)
    assert client.get(f"/experts/pool/{candidate.pk}/").status_code == 200
    for action in ("suspend", "retire", "reinstate", "assess", "admit", "refuse"):
        response = client.post(
            f"/experts/pool/{candidate.pk}/", {"action": action, "reason": "x", "passed": "no"}
        )
        assert response.status_code == 403, action
    assert client.post(f"/experts/draws/{draw.pk}/cancel/", {"reason": "x"}).status_code == 302
    draw.refresh_from_db()
    assert draw.state == "drawn"
    candidate.refresh_from_db()
    assert candidate.status == "active"


def test_the_drawer_cannot_maintain_the_pool(client, drawer, maintainer, pool):
    expert = pool[0]
    with pytest.raises(ApplicationError) as refused:
        services.suspend_expert(profile=expert, actor=drawer, reason="x")
    assert refused.value.status_code == 403
    client.force_login(drawer)
    assert client.get("/experts/pool/").status_code == 403
    assert client.get(f"/experts/pool/{expert.pk}/").status_code == 403


def test_the_maintainer_cannot_draw_nor_audit(client, clock, project, drawer, maintainer, pool):
    draw = _draw(drawer)
    client.force_login(maintainer)
    assert client.get("/experts/draws/new/").status_code == 403
    assert client.get(f"/experts/draws/{draw.pk}/audit/").status_code == 404
    assert client.get("/experts/pool/").status_code == 200


def test_an_expert_sees_only_his_own_area(client, clock, project, drawer, pool):
    draw = _draw(drawer)
    expert = draw.invitations.first().expert
    client.force_login(expert.user)
    assert client.get("/experts/pool/").status_code == 403
    assert client.get(f"/experts/draws/{draw.pk}/").status_code == 404
    assert client.get(f"/experts/draws/{draw.pk}/audit/").status_code == 404
    other = draw.invitations.exclude(expert=expert).first()
    assert client.get(f"/experts/invitations/{other.pk}/").status_code == 404
