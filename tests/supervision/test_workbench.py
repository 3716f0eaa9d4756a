"""The regulators' workbench and the alerts API: filtered to the regulator's department and
region, live polling, evidence, triage through the front door, statistics, the signed export."""

import base64
import hashlib
import io
import json
import zipfile

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from django.test import Client

from supervision.models import Alert, AlertTransition, Case
from tests import factories
from tests.trading.conftest import client_for

pytestmark = pytest.mark.django_db(databases=["default", "supervision"])


@pytest.fixture
def alerts(db, centre):
    """Two engineering alerts in the centre's city, one procurement alert, one elsewhere."""
    elsewhere = factories.CityFactory(code="350200", name="厦门市")

    def make(rule, department, region, **kw):
        return Alert.objects.create(
            rule_code=rule,
            group=rule.split(".")[0],
            severity=kw.pop("severity", "high"),
            subject_key=f"{rule}:{region.pk}:{department}",
            title=kw.pop("title", rule),
            department=department,
            region_id_ref=region.pk,
            centre_id_ref=centre.pk,
            project_id_ref=kw.pop("project", 7),
            evidence={"client_ip": "203.0.113.7"},
            **kw,
        )

    return {
        "ip": make("collusion.shared_ip", "development_reform", centre.region),
        "single": make("competition.single_bid", "development_reform", centre.region),
        "finance": make("collusion.shared_ip", "finance", centre.region),
        "elsewhere": make("collusion.shared_device", "development_reform", elsewhere),
    }


def _ids(response) -> set[int]:
    return {row["id"] for row in response.data["results"]}


def test_the_api_lists_the_regulators_department_and_region_only(alerts, regulator_dr):
    api = client_for(regulator_dr)
    listed = api.get("/api/v1/supervision/alerts/")
    assert listed.status_code == 200
    assert _ids(listed) == {alerts["ip"].pk, alerts["single"].pk}
    only_ip = api.get("/api/v1/supervision/alerts/?rule=collusion.shared_ip&severity=high")
    assert _ids(only_ip) == {alerts["ip"].pk}
    assert _ids(api.get("/api/v1/supervision/alerts/?status=dismissed")) == set()
    bad = api.get("/api/v1/supervision/alerts/?since=yesterday")
    assert bad.status_code == 400 and "since" in bad.data
    assert api.get(f"/api/v1/supervision/alerts/{alerts['finance'].pk}/").status_code == 404


def test_others_see_no_alerts(alerts, bidder_a, staff, api):
    for user in (bidder_a, staff):
        assert client_for(user).get("/api/v1/supervision/alerts/").status_code == 403
    assert api.get("/api/v1/supervision/alerts/").status_code in {401, 403}


def test_triage_through_the_api(alerts, regulator_dr, regulator_finance):
    api = client_for(regulator_dr)
    url = f"/api/v1/supervision/alerts/{alerts['ip'].pk}/triage/"
    no_reason = api.post(url, {"status": "dismissed"}, format="json")
    assert no_reason.status_code == 400 and no_reason.data["code"] == "reason_required"
    assert api.post(url, {"status": "investigating"}, format="json").status_code == 200
    confirmed = api.post(url, {"status": "confirmed", "reason": "同一IP投标"}, format="json")
    assert confirmed.status_code == 200 and confirmed.data["case"] is not None
    assert [t["to_status"] for t in confirmed.data["transitions"]] == [
        "investigating",
        "confirmed",
    ]
    again = api.post(url, {"status": "acknowledged"}, format="json")
    assert again.status_code == 409
    other = client_for(regulator_finance).post(
        f"/api/v1/supervision/alerts/{alerts['single'].pk}/triage/",
        {"status": "acknowledged"},
        format="json",
    )
    assert other.status_code == 404


def test_the_dashboard_polls_and_shows_the_evidence(alerts, regulator_dr):
    web = Client()
    web.force_login(regulator_dr)
    page = web.get("/supervision/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'hx-trigger="every 5s"' in text and "监管工作台" in text
    assert f"/supervision/alerts/{alerts['ip'].pk}/" in text
    assert f"/supervision/alerts/{alerts['finance'].pk}/" not in text
    new = Alert.objects.create(
        rule_code="collusion.identical_documents",
        group="collusion",
        severity="critical",
        subject_key="new",
        title="新预警",
        department="development_reform",
        region_id_ref=alerts["ip"].region_id_ref,
    )
    rows = web.get("/supervision/alerts/rows/")
    assert f"/supervision/alerts/{new.pk}/" in rows.content.decode()
    detail = web.get(f"/supervision/alerts/{alerts['ip'].pk}/")
    assert "203.0.113.7" in detail.content.decode()
    assert (
        f"/supervision/projects/{alerts['ip'].project_id_ref}/history/" in detail.content.decode()
    )
    dismissed = web.post(
        f"/supervision/alerts/{alerts['ip'].pk}/", {"status": "dismissed", "reason": ""}
    )
    assert dismissed.status_code == 200  # the form again, with the refusal
    assert Alert.objects.get(pk=alerts["ip"].pk).status == "new"
    web.post(
        f"/supervision/alerts/{alerts['ip'].pk}/",
        {"status": "dismissed", "reason": "公司集团内部网络"},
    )
    assert Alert.objects.get(pk=alerts["ip"].pk).status == "dismissed"
    assert AlertTransition.objects.filter(alert=alerts["ip"], actor=regulator_dr).exists()


def test_statistics_and_the_signed_export(alerts, regulator_dr):
    client_for(regulator_dr).post(
        f"/api/v1/supervision/alerts/{alerts['ip'].pk}/triage/",
        {"status": "confirmed", "reason": "同一IP投标"},
        format="json",
    )
    web = Client()
    web.force_login(regulator_dr)
    stats = web.get("/supervision/statistics/")
    assert stats.status_code == 200
    assert "collusion.shared_ip" in stats.content.decode()
    response = web.post("/supervision/export/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    bundle = zipfile.ZipFile(io.BytesIO(response.content))
    manifest_bytes = bundle.read("manifest.json")
    key = load_pem_public_key(bundle.read("public_key.pem"))
    key.verify(base64.b64decode(bundle.read("manifest.json.sig")), manifest_bytes)
    manifest = json.loads(manifest_bytes)
    for name, meta in manifest["files"].items():
        assert hashlib.sha256(bundle.read(name)).hexdigest() == meta["sha256"]
    exported = json.loads(bundle.read("alerts.json"))
    assert [a["id"] for a in exported] == [alerts["ip"].pk]
    assert exported[0]["evidence"] == {"client_ip": "203.0.113.7"}
    assert [c["id"] for c in json.loads(bundle.read("cases.json"))] == [Case.objects.get().pk]


def test_the_workbench_is_for_regulators(alerts, bidder_a):
    web = Client()
    web.force_login(bidder_a)
    assert web.get("/supervision/").status_code == 403
