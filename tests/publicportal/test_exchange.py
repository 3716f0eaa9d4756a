"""A third-party trading system registered with the platform pushes its announcements with
its own credential; they show on the portal under its name; a bad push is refused field by
field and saves nothing; pushing again is idempotent."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from portal.tradelog.models import TradeLogEntry
from publicportal.models import ExternalProject, Publication
from tests import factories

pytestmark = pytest.mark.django_db


def pushed(**changes) -> dict:
    body = {
        "external_id": "ZZ-GG-2026-0001",
        "project": {
            "external_id": "ZZ-XM-2026-0001",
            "title": "龙海区滨海大道道路改造工程",
            "category": "engineering",
            "region": "350600",
            "method": "open_tender",
            "transaction_code": "E3506002026000999",
            "budget_amount": "8800000.00",
            "tenderee": "龙海区住房和城乡建设局",
        },
        "kind": "tender",
        "title": "龙海区滨海大道道路改造工程招标公告",
        "body": "招标条件已具备，现公开招标。",
        "published_at": "2026-03-02T09:00:00+08:00",
    }
    for key, value in changes.items():
        if key == "project":
            body["project"] = {**body["project"], **value}
        else:
            body[key] = value
    return body


@pytest.fixture
def connected(clock, centre, staff):
    """A county system connected by the centre's staff; the credential it was given."""
    client = APIClient()
    client.force_authenticate(staff)
    response = client.post(
        "/api/v1/exchange/systems/",
        {"code": "longhai", "name": "龙海区电子招标投标交易系统", "centre": centre.code},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()["credential"]


def as_system(credential: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"System {credential}")
    return client


def test_a_push_shows_on_the_portal_with_the_system_named(connected, centre):
    response = as_system(connected).post("/api/v1/exchange/announcements/", pushed(), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["system_name"] == "龙海区电子招标投标交易系统"

    listing = Client().get("/api/v1/announcements/", {"q": "道路", "source": "external"}).json()
    assert [r["title"] for r in listing["results"]] == ["龙海区滨海大道道路改造工程招标公告"]
    assert listing["results"][0]["system"] == "longhai"

    page = Client().get(reverse("publicportal:search"), {"q": "滨海大道"}).content.decode()
    assert "龙海区电子招标投标交易系统" in page
    publication = Publication.objects.get()
    detail = Client().get(publication.detail_path)
    assert detail.status_code == 200 and "龙海区电子招标投标交易系统" in detail.content.decode()
    history = Client().get(publication.project_path)
    assert history.status_code == 200 and "滨海大道" in history.content.decode()
    assert TradeLogEntry.objects.filter(action="exchange.announcement_pushed").count() == 1


def test_pushing_again_updates_instead_of_duplicating(connected):
    client = as_system(connected)
    client.post("/api/v1/exchange/announcements/", pushed(), format="json")
    again = client.post(
        "/api/v1/exchange/announcements/",
        pushed(title="滨海大道改造工程招标公告（更正）"),
        format="json",
    )
    assert again.status_code == 200
    assert Publication.objects.count() == 1 and ExternalProject.objects.count() == 1
    assert Publication.objects.get().title == "滨海大道改造工程招标公告（更正）"
    result = client.post(
        "/api/v1/exchange/announcements/",
        pushed(external_id="ZZ-GG-2026-0002", kind="result", title="滨海大道中标结果公告"),
        format="json",
    )
    assert result.status_code == 201
    # The project moved on: both of its publications now say so.
    assert set(Publication.objects.values_list("status", flat=True)) == {"awarded"}


def test_a_bad_push_names_every_bad_field_and_saves_nothing(connected):
    client = as_system(connected)
    response = client.post(
        "/api/v1/exchange/announcements/",
        pushed(kind="rumour", title="", project={"budget_amount": "-5"}),
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) >= {"kind", "title", "project"}
    assert "budget_amount" in body["project"]

    response = client.post(
        "/api/v1/exchange/announcements/",
        pushed(
            published_at="2099-01-01T00:00:00+08:00",
            project={"category": "lottery", "region": "110000", "method": "coin_toss"},
        ),
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_push"
    assert set(body["project"]) == {"category", "region", "method"}
    assert "published_at" in body
    assert Publication.objects.count() == 0 and ExternalProject.objects.count() == 0


def test_a_system_publishes_only_for_its_own_region(connected, other_centre):
    # Another city under the same province: outside the county system's scope.
    factories.RegionFactory(
        code="350200", name="厦门市", level="city", parent=other_centre.region.parent
    )
    response = as_system(connected).post(
        "/api/v1/exchange/announcements/", pushed(project={"region": "350200"}), format="json"
    )
    assert response.status_code == 400 and "region" in response.json()["project"]


def test_no_push_without_a_valid_credential(connected):
    body = pushed()
    assert APIClient().post("/api/v1/exchange/announcements/", body, format="json").status_code in {
        401,
        403,
    }
    wrong = as_system("not-the-credential").post(
        "/api/v1/exchange/announcements/", body, format="json"
    )
    assert wrong.status_code == 401
    assert Publication.objects.count() == 0


def test_only_the_centre_staff_or_the_administrator_connect_a_system(centre, other_staff, bidder_a):
    for user in (other_staff, bidder_a):
        client = APIClient()
        client.force_authenticate(user)
        response = client.post(
            "/api/v1/exchange/systems/",
            {"code": "rogue", "name": "某系统", "centre": centre.code},
            format="json",
        )
        assert response.status_code == 403
