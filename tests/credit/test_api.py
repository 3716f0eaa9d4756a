"""The credit API through the front door: who may record (department and region), the
public profile (public records only), the credit file with the score, eligibility,
repairs, evidence, the public ban list, export."""

import hashlib
import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from credit.models import CreditRecord, EvidenceDocument
from portal.accounts.models import Role
from portal.tradelog.models import TradeLogEntry
from tests import factories
from tests.credit.conftest import client_for, local, record_measure

pytestmark = pytest.mark.django_db

START = local(2026, 3, 1, 9, 0)
END = local(2027, 2, 28, 23, 59, 59)


@pytest.fixture
def entity(db, zhangzhou):
    return factories.EntityFactory(name="甲建设有限公司", region=zhangzhou)


def body(entity, **overrides):
    data = {
        "uscc": entity.uscc,
        "kind": "administrative_penalty",
        "severity": "serious",
        "category": "engineering",
        "authority": "漳州市发展和改革委员会",
        "legal_basis": "招标投标法 第54条",
        "decision_no": "漳发改罚〔2026〕21号",
        "reason": "以他人名义投标。",
        "valid_from": START.isoformat(),
        "valid_to": END.isoformat(),
        "public": True,
        "measure": "market_ban",
    }
    data.update(overrides)
    return data


def post(user, data):
    client = client_for(user) if user is not None else APIClient()
    return client.post("/api/v1/credit/records/", data, format="json")


def test_the_competent_regulator_records_a_ban(entity, fagai):
    response = post(fagai, body(entity))
    assert response.status_code == 201, response.data
    data = response.data
    assert data["decision_no"] == "漳发改罚〔2026〕21号" and data["uscc"] == entity.uscc
    assert data["region"] == "350600"  # the entity's registered region by default
    assert data["entity_name"] == "甲建设有限公司"
    [measure] = data["measures"]
    assert measure["type"] == "market_ban" and measure["categories"] == ["engineering"]
    assert measure["region"] is None
    assert measure["valid_to"] == END.isoformat()
    assert TradeLogEntry.objects.filter(
        action="credit.record_added", object_id=str(data["id"]), actor=fagai
    ).exists()


@pytest.mark.parametrize(
    "persona",
    ["finance", "fagai_xiamen", "fagai_zhangpu", "staff", "platform_admin", "bidder", "expert"],
)
def test_nobody_else_records(request, entity, persona):
    """Finance does not supervise engineering; Xiamen's regulator is outside Zhangzhou; the
    county regulator is below the city; centre staff and the platform admin never record."""
    if persona == "bidder":
        user = factories.BidderFactory(username="some_bidder")
    elif persona == "expert":
        user = factories.UserFactory(role=Role.EXPERT, username="expert_x")
    else:
        user = request.getfixturevalue(persona)
    response = post(user, body(entity))
    assert response.status_code == 403, response.data
    assert not CreditRecord.objects.exists()
    assert not TradeLogEntry.objects.filter(action="credit.record_added").exists()


def test_the_public_cannot_record(entity):
    assert post(None, body(entity)).status_code in {401, 403}


def test_competence_by_department_and_region(
    entity, housing, fagai_province, fagai_xiamen, finance, zhangpu
):
    # Housing is an industry department of engineering (H2).
    assert post(housing, body(entity, decision_no="漳建罚〔2026〕1号")).status_code == 201
    # The province's regulator covers every region below it.
    assert post(fagai_province, body(entity, decision_no="闽发改罚〔2026〕1号")).status_code == 201
    # Xiamen's regulator records conduct in Xiamen, for an entity registered elsewhere.
    assert (
        post(
            fagai_xiamen, body(entity, decision_no="厦发改罚〔2026〕1号", region="350200")
        ).status_code
        == 201
    )
    # ...but may not limit a measure to Zhangzhou, outside its region.
    refused = post(
        fagai_xiamen,
        body(entity, decision_no="厦发改罚〔2026〕2号", region="350200", measure_region="350600"),
    )
    assert refused.status_code == 403 and "measure_region" in refused.data
    # Finance records procurement, not engineering.
    refused = post(finance, body(entity, decision_no="漳财罚〔2026〕1号"))
    assert refused.status_code == 403 and "category" in refused.data
    assert (
        post(
            finance,
            body(
                entity,
                decision_no="漳财罚〔2026〕2号",
                category="procurement",
                measure="restriction",
            ),
        ).status_code
        == 201
    )


def test_every_category_needs_the_joint_punishment_competence(entity, fagai, housing):
    refused = post(housing, body(entity, measure_categories=["*"]))
    assert refused.status_code == 403 and "measure_categories" in refused.data
    response = post(fagai, body(entity, measure_categories=["*"]))
    assert response.status_code == 201
    assert response.data["measures"][0]["categories"] == ["*"]


def test_bad_input_is_named_by_field(entity, fagai):
    wrong_check = entity.uscc[:17] + ("0" if entity.uscc[17] != "0" else "1")
    response = post(fagai, body(entity, uscc=wrong_check))
    assert response.status_code == 400 and "uscc" in response.data
    too_long = post(fagai, body(entity, valid_to=local(2029, 3, 1, 9, 0).isoformat()))
    assert too_long.status_code == 400 and "measure_valid_to" in too_long.data
    assert "36" in str(too_long.data["measure_valid_to"])
    open_end = post(fagai, body(entity, valid_to=None))
    assert open_end.status_code == 400 and "measure_valid_to" in open_end.data
    honour_ban = post(fagai, body(entity, kind="honour", severity=None))
    assert honour_ban.status_code == 400 and "measure" in honour_ban.data
    unknown = post(fagai, body(entity, measure="death_penalty", category="nothing"))
    assert unknown.status_code == 400 and {"measure", "category"} <= set(unknown.data)
    assert not CreditRecord.objects.exists()


def test_the_same_decision_twice_is_a_conflict(entity, fagai):
    assert post(fagai, body(entity)).status_code == 201
    again = post(fagai, body(entity))
    assert again.status_code == 409 and again.data["code"] == "already_recorded"
    assert CreditRecord.objects.count() == 1


def test_an_unregistered_code_needs_a_name_and_a_region(fagai):
    uscc = factories.make_uscc(4321)
    data = {
        **body(factories.EntityFactory.build(uscc=uscc)),
        "uscc": uscc,
    }
    response = post(fagai, data)
    assert response.status_code == 400 and {"entity_name", "region"} <= set(response.data)
    response = post(fagai, {**data, "entity_name": "外省建设有限公司", "region": "350600"})
    assert response.status_code == 201


def test_the_public_profile_shows_public_records_only(entity, fagai, api, clock):
    record_measure(
        fagai, entity.uscc, valid_from=START, valid_to=END, decision_no="公开〔2026〕1号"
    )
    record_measure(
        fagai,
        entity.uscc,
        measure="restriction",
        valid_from=START,
        valid_to=END,
        decision_no="内部〔2026〕2号",
        public=False,
    )
    response = api.get(f"/api/v1/credit/entities/{entity.uscc}/")
    assert response.status_code == 200
    text = json.dumps(response.data, ensure_ascii=False)
    assert "公开〔2026〕1号" in text and "内部〔2026〕2号" not in text
    assert [m["decision_no"] for m in response.data["measures_in_force"]] == ["公开〔2026〕1号"]
    assert api.get(f"/api/v1/credit/entities/{factories.make_uscc(99)}/").status_code == 404
    assert api.get("/api/v1/credit/entities/NOT-A-CODE/").status_code == 400


def test_the_credit_file_is_for_the_entity_and_regulators(entity, fagai, clock):
    record_measure(
        fagai,
        entity.uscc,
        valid_from=START,
        valid_to=END,
        decision_no="内部〔2026〕3号",
        public=False,
        severity="serious",
    )
    member = factories.BidderFactory(username="member_of_entity", entity=entity)
    outsider = factories.BidderFactory(username="outsider")
    response = client_for(member).get(f"/api/v1/credit/entities/{entity.uscc}/file/")
    assert response.status_code == 200
    score = response.data["score"]
    assert score["grade"] == "D" and score["score"] == 80  # serious penalty −10, banned
    [part] = score["contributions"]
    assert part["decision_no"] == "内部〔2026〕3号" and part["points"] == -10 and part["counted"]
    assert client_for(fagai).get(f"/api/v1/credit/entities/{entity.uscc}/file/").status_code == 200
    assert (
        client_for(outsider).get(f"/api/v1/credit/entities/{entity.uscc}/file/").status_code == 403
    )


def test_eligibility_api_names_public_records_and_hides_private_ones(entity, fagai, api):
    record_measure(
        fagai,
        entity.uscc,
        valid_from=START,
        valid_to=END,
        decision_no="内部〔2026〕4号",
        public=False,
    )
    url = "/api/v1/credit/eligibility/"
    at = local(2026, 6, 1, 10, 0)
    query = {"uscc": entity.uscc, "category": "engineering", "region": "350600"}
    response = api.get(url, {**query, "at": at.isoformat()})
    assert response.status_code == 200, response.data
    assert response.data["eligible"] is False
    assert response.data["reasons"][0]["record"] == ""
    assert "内部" not in json.dumps(response.data, ensure_ascii=False)
    privileged = client_for(fagai).get(url, {**query, "at": at.isoformat()})
    assert privileged.data["reasons"][0]["record"] == "内部〔2026〕4号"
    after = api.get(url, {**query, "at": (END + timedelta(seconds=1)).isoformat()})
    assert (after.data["eligible"], after.data["reasons"]) == (True, [])
    other = api.get(url, {**query, "category": "procurement", "at": at.isoformat()})
    assert other.data["eligible"] is True
    assert api.get(url, {"uscc": "x", "category": "engineering"}).status_code == 400


def test_repair_via_the_api(entity, fagai, housing, clock):
    record = record_measure(fagai, entity.uscc, valid_from=START, valid_to=END)
    measure = record.measures.get()
    data = {
        "new_valid_to": local(2026, 4, 1, 0, 0).isoformat(),
        "decision_no": "漳发改信修〔2026〕2号",
        "authority": "漳州市发展和改革委员会",
        "decided_on": "2026-03-02",
        "reason": "已整改。",
    }
    url = f"/api/v1/credit/measures/{measure.pk}/repairs/"
    assert client_for(factories.BidderFactory(username="b1")).post(url, data).status_code == 403
    response = client_for(housing).post(url, data, format="json")
    assert response.status_code == 201, response.data  # housing also supervises engineering
    assert response.data["valid_to"] == local(2026, 4, 1).isoformat()
    assert response.data["decided_valid_to"] == END.isoformat()
    assert response.data["repairs"][0]["decision_no"] == "漳发改信修〔2026〕2号"


def test_evidence_is_kept_with_its_digest(entity, fagai, finance):
    record = record_measure(fagai, entity.uscc, valid_from=START, valid_to=END)
    content = b"%PDF-1.4 decision"
    url = f"/api/v1/credit/records/{record.pk}/evidence/"
    upload = SimpleUploadedFile("决定书.pdf", content, content_type="application/pdf")
    assert client_for(finance).post(url, {"files": [upload]}).status_code == 403
    upload = SimpleUploadedFile("决定书.pdf", content, content_type="application/pdf")
    response = client_for(fagai).post(url, {"files": [upload]})
    assert response.status_code == 201, response.data
    assert response.data[0]["sha256"] == hashlib.sha256(content).hexdigest()
    document = EvidenceDocument.objects.get()
    with document.file.open("rb") as handle:
        assert handle.read() == content
    assert TradeLogEntry.objects.filter(action="credit.evidence_added").count() == 1


def test_the_public_ban_list(entity, fagai, api, clock):
    record_measure(
        fagai, entity.uscc, valid_from=START, valid_to=END, decision_no="公开〔2026〕5号"
    )
    hidden = factories.EntityFactory(name="乙公司")
    record_measure(
        fagai,
        hidden.uscc,
        valid_from=START,
        valid_to=END,
        decision_no="内部〔2026〕6号",
        public=False,
    )
    restricted = factories.EntityFactory(name="丙公司")
    record_measure(fagai, restricted.uscc, measure="restriction", valid_from=START, valid_to=END)
    response = api.get("/api/v1/credit/bans/")
    assert response.status_code == 200
    assert [row["uscc"] for row in response.data["results"]] == [entity.uscc]
    assert response.data["results"][0]["measure"]["decision_no"] == "公开〔2026〕5号"


def test_export_is_json_lines_and_public_only_for_the_public(entity, fagai, api):
    record_measure(
        fagai, entity.uscc, valid_from=START, valid_to=END, decision_no="公开〔2026〕7号"
    )
    record_measure(
        fagai,
        entity.uscc,
        valid_from=START,
        valid_to=END,
        decision_no="内部〔2026〕8号",
        public=False,
    )

    def rows(response):
        assert response["Content-Type"] == "application/x-ndjson"
        return [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]

    public = rows(api.get("/api/v1/credit/exports/"))
    assert [row["decision_no"] for row in public] == ["公开〔2026〕7号"]
    assert "evidence" not in public[0]
    full = rows(client_for(fagai).get("/api/v1/credit/exports/"))
    assert {row["decision_no"] for row in full} == {"公开〔2026〕7号", "内部〔2026〕8号"}
    assert full[0]["measure"] == "market_ban" and full[0]["measure_categories"] == ["engineering"]


def test_measure_types_are_published_with_their_sources(api):
    response = api.get("/api/v1/credit/measure-types/")
    codes = {row["code"]: row for row in response.data}
    assert {"market_ban", "negative_list", "restriction", "higher_bid_security"} <= set(codes)
    assert "招标投标法" in codes["market_ban"]["source"]


def test_public_lists_do_not_grow_queries_with_rows(fagai, api, clock, django_assert_num_queries):
    entities = [factories.EntityFactory(name=f"禁入公司{i}") for i in range(6)]
    for i, banned in enumerate(entities):
        record_measure(
            fagai, banned.uscc, valid_from=START, valid_to=END, decision_no=f"禁〔{i}〕号"
        )
        record_measure(
            fagai,
            entities[0].uscc,
            measure="restriction",
            valid_from=START,
            valid_to=END,
            decision_no=f"限〔{i}〕号",
        )
    # count for the page, the measures with their type, record and region, their scopes,
    # their repairs.
    with django_assert_num_queries(4):
        assert len(api.get("/api/v1/credit/bans/").data["results"]) == 6
    # entity; records (+ category, region), their measures (+ type, region), scopes, repairs;
    # measures in force (+ type, record, region), their scopes, their repairs.
    with django_assert_num_queries(8):
        profile = api.get(f"/api/v1/credit/entities/{entities[0].uscc}/").data
    assert len(profile["records"]) == 7 and len(profile["measures_in_force"]) == 7
