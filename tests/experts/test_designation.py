"""No designation (F2: 不得以明示、暗示等方式指定或者变相指定专家): every door a person could
use to pick, prefer or exclude an expert is tried, and none opens."""

import inspect

import pytest
from django.contrib import admin
from django.test import RequestFactory

from experts import forms, services
from experts.models import ConductRecord, DrawGroup, DrawInvitation, ExpertDraw
from tests.experts.conftest import EVALUATION, client_for, draw_request

pytestmark = pytest.mark.django_db

DRAWS = "/api/v1/projects/101/expert-draws/"


@pytest.mark.parametrize(
    "extra",
    [
        {"experts": ["__ID__"]},
        {"expert_ids": ["__ID__"]},
        {"members": ["__ID__"]},
        {"designated_expert": "__ID__"},
        {"preferred": ["__ID__"]},
        {"exclude": ["__ID__"]},
        {"include_experts": ["__ID__"]},
    ],
    ids=lambda extra: next(iter(extra)),
)
def test_a_request_naming_an_expert_is_refused(clock, project, drawer, pool, extra):
    chosen = pool[0].pk
    body = draw_request(
        **{key: ([chosen] if isinstance(v, list) else chosen) for key, v in extra.items()}
    )
    response = client_for(drawer).post(DRAWS, body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "designation_refused"
    assert not ExpertDraw.objects.exists()
    assert not DrawInvitation.objects.exists()


def test_a_specialty_line_naming_an_expert_is_refused(clock, project, drawer, pool):
    body = draw_request(specialties=[{"code": "A0201", "count": 5, "expert": pool[0].pk}])
    response = client_for(drawer).post(DRAWS, body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "designation_refused"
    assert not ExpertDraw.objects.exists()


def test_the_parties_to_avoid_cannot_be_given_by_the_requester(clock, project, drawer, pool):
    """Leaving a bidder out would let its staff be drawn: covert designation."""
    body = draw_request(bidders=[], tenderee="")
    response = client_for(drawer).post(DRAWS, body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "unknown_field"
    assert not ExpertDraw.objects.exists()


def test_the_draw_services_take_no_expert():
    for function in (services.request_draw, services.draw_experts):
        parameters = set(inspect.signature(function).parameters)
        assert parameters == {
            "actor",
            "project_id",
            "specialties",
            "needed_from",
            "needed_until",
            "region_scope",
            "backups",
            "lot_id",
        }
    assert {field.name for field in services.SpecialtyCount.__dataclass_fields__.values()} == {
        "code",
        "count",
        "backups",
    }


def test_the_draw_form_has_no_field_for_an_expert():
    names = set(forms.DrawForm().fields)
    assert not any("expert" in name or "member" in name for name in names)
    assert names == {
        "project",
        "lot",
        "needed_at",
        "needed_until",
        "region_scope",
        "backups",
        *(f"specialty_{n}" for n in range(1, forms.DRAW_LINES + 1)),
        *(f"count_{n}" for n in range(1, forms.DRAW_LINES + 1)),
    }


def test_the_published_api_schema_offers_no_such_field(api):
    schema = api.get("/api/v1/schema/?format=json").json()
    request = schema["components"]["schemas"]["ExpertDrawRequestInputRequest"]
    assert set(request["properties"]) == {
        "specialties",
        "needed_at",
        "needed_until",
        "region_scope",
        "backups",
        "lot",
    }
    line = schema["components"]["schemas"]["ExpertDrawSpecialtyInputRequest"]
    assert set(line["properties"]) == {"code", "count", "backups"}


@pytest.mark.parametrize("model", [ExpertDraw, DrawInvitation, ConductRecord])
def test_the_admin_cannot_add_change_or_delete_draw_results(platform_admin, model):
    request = RequestFactory().get("/admin/")
    request.user = platform_admin
    model_admin = admin.site._registry[model]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    inline = admin.site._registry[ExpertDraw].inlines[0](ExpertDraw, admin.site)
    assert inline.model is DrawGroup
    assert not inline.has_add_permission(request, None)
    assert not inline.has_change_permission(request)


def test_the_admin_pages_refuse_an_invitation_by_hand(client, platform_admin):
    client.force_login(platform_admin)
    assert client.get("/admin/experts/drawinvitation/add/").status_code == 403
    assert client.get("/admin/experts/expertdraw/add/").status_code == 403


def test_the_admin_lists_and_opens_the_pools_records(
    client, clock, project, drawer, platform_admin, regulator, pool
):
    from django.urls import reverse

    from experts.models import PoolRule, Specialty

    draw = services.draw_experts(
        actor=drawer,
        project_id=101,
        specialties=[services.SpecialtyCount("A0201", 5)],
        needed_from=EVALUATION,
        region_scope="local",
    )
    services.record_conduct(expert=pool[0], actor=regulator, kind="late", note="迟到")
    client.force_login(platform_admin)
    for model in (ExpertDraw, DrawInvitation, ConductRecord, Specialty, PoolRule, type(pool[0])):
        meta = model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert client.get(changelist).status_code == 200, changelist
    change = reverse("admin:experts_expertdraw_change", args=[draw.pk])
    page = client.get(change)
    assert page.status_code == 200
    assert not any(expert.full_name in page.content.decode() for expert in pool)
    # A sealed draw's invitations are not listed, even to administrators.
    listing = client.get(reverse("admin:experts_drawinvitation_changelist"))
    assert listing.context["cl"].result_count == 0
