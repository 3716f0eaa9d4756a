"""The web pages: public credit information (public records only, the ban list), the
entity's own credit file with the score explained, the regulator's forms."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from catalog.models import Category
from credit.models import CreditRecord, CreditRepair, MeasureType
from tests import factories
from tests.credit.conftest import local, record_measure

pytestmark = pytest.mark.django_db

START = local(2026, 3, 1, 9, 0)
END = local(2027, 2, 28, 23, 59, 59)


def browser(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def banned(db, fagai, zhangzhou, clock):
    entity = factories.EntityFactory(name="甲建设有限公司", region=zhangzhou)
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
        reason="内部掌握的事实",
    )
    return entity


def test_the_public_page_shows_public_records_only_to_everyone(banned, fagai):
    for viewer in (None, fagai):  # even a regulator sees only public records on it
        page = browser(viewer).get(f"/credit/entities/{banned.uscc}/")
        assert page.status_code == 200
        html = page.content.decode()
        assert "公开〔2026〕1号" in html and "市场禁入" in html
        assert "内部〔2026〕2号" not in html and "内部掌握的事实" not in html
    assert browser().get(f"/credit/entities/{factories.make_uscc(5)}/").status_code == 404
    lookup = browser().get("/credit/", {"uscc": banned.uscc.lower()})
    assert lookup.status_code == 302 and lookup["Location"].endswith(
        f"/credit/entities/{banned.uscc}/"
    )


def test_the_ban_list_is_public(banned):
    page = browser().get("/credit/bans/")
    assert page.status_code == 200
    html = page.content.decode()
    assert banned.uscc in html and "公开〔2026〕1号" in html and "内部〔2026〕2号" not in html


def test_the_entity_sees_its_whole_file_and_why_its_score_is_what_it_is(banned):
    member = factories.BidderFactory(username="member", entity=banned)
    mine = browser(member).get("/credit/mine/")
    assert mine.status_code == 302 and mine["Location"].endswith(f"/entities/{banned.uscc}/file/")
    page = browser(member).get(mine["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "内部〔2026〕2号" in html  # its own non-public record
    assert page.context["score"].score == 80 and page.context["score"].grade == "D"
    assert len(page.context["contributions"]) == 2
    outsider = factories.BidderFactory(username="outsider")
    assert browser(outsider).get(f"/credit/entities/{banned.uscc}/file/").status_code == 403


def test_a_regulator_records_through_the_form(fagai, zhangzhou, media, clock):
    entity = factories.EntityFactory(region=zhangzhou)
    client = browser(fagai)
    assert client.get("/credit/records/new/").status_code == 200
    response = client.post(
        "/credit/records/new/",
        {
            "uscc": entity.uscc,
            "kind": "platform_misconduct",
            "severity": "serious",
            "category": _category_pk("engineering"),
            "authority": "漳州市发展和改革委员会",
            "legal_basis": "招标投标法 第54条",
            "decision_no": "漳发改罚〔2026〕30号",
            "reason": "中标后无正当理由放弃中标。",
            "valid_from": "2026-03-02T09:00:00",
            "valid_to": "2026-09-01T23:59:59",
            "public": "on",
            "measure": _measure_pk("market_ban"),
            "evidence": [SimpleUploadedFile("决定书.pdf", b"%PDF decision")],
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    record = CreditRecord.objects.get()
    assert record.valid_from == local(2026, 3, 2, 9, 0)  # entered in Beijing time
    document = record.evidence.get()
    assert document.name == "决定书.pdf"
    download = client.get(f"/credit/evidence/{document.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF decision"
    stranger = browser(factories.BidderFactory(username="stranger"))
    assert stranger.get(f"/credit/evidence/{document.pk}/").status_code == 403


def test_the_form_shows_why_a_regulator_may_not_record(finance, zhangzhou, clock):
    entity = factories.EntityFactory(region=zhangzhou)
    response = browser(finance).post(
        "/credit/records/new/",
        {
            "uscc": entity.uscc,
            "kind": "administrative_penalty",
            "category": _category_pk("engineering"),
            "authority": "A",
            "legal_basis": "B",
            "decision_no": "C",
            "reason": "D",
            "valid_from": "2026-03-02T09:00:00",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["category"]
    assert not CreditRecord.objects.exists()


@pytest.mark.parametrize("persona", ["staff", "platform_admin", "bidder_a"])
def test_the_form_is_for_regulators_only(request, persona):
    user = request.getfixturevalue(persona)
    assert browser(user).get("/credit/records/new/").status_code == 403
    assert browser(user).get("/credit/imports/new/").status_code == 403


def test_a_regulator_records_a_credit_repair(banned, fagai):
    measure = CreditRecord.objects.get(decision_no="公开〔2026〕1号").measures.get()
    url = f"/credit/measures/{measure.pk}/repair/"
    assert browser(fagai).get(url).status_code == 200
    response = browser(fagai).post(
        url,
        {
            "new_valid_to": "2026-03-15T23:59:59",
            "decision_no": "漳发改信修〔2026〕3号",
            "authority": "漳州市发展和改革委员会",
            "decided_on": "2026-03-02",
            "reason": "已整改到位。",
        },
    )
    assert response.status_code == 302
    assert CreditRepair.objects.get().new_valid_to == local(2026, 3, 15, 23, 59, 59)


def test_the_import_page_shows_the_report(fagai, zhangzhou, clock):
    entity = factories.EntityFactory(region=zhangzhou)
    good = {
        "uscc": entity.uscc,
        "kind": "court_judgment",
        "category": "engineering",
        "authority": "漳州市中级人民法院",
        "legal_basis": "刑法 第223条",
        "decision_no": "（2026）闽06刑终1号",
        "reason": "串通投标罪。",
        "valid_from": "2026-03-01T00:00:00+08:00",
    }
    content = (json.dumps(good, ensure_ascii=False) + "\nnot json\n").encode()
    response = browser(fagai).post(
        "/credit/imports/new/", {"file": SimpleUploadedFile("a.jsonl", content)}
    )
    assert response.status_code == 200
    report = response.context["credit_import"]
    assert (report.created, report.rejected) == (1, 1)
    assert "（2026）闽06刑终1号" in response.content.decode()


def _category_pk(code: str) -> int:
    return Category.objects.get(code=code).pk


def _measure_pk(code: str) -> int:
    return MeasureType.objects.get(code=code).pk
