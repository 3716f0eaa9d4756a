"""Interconnection (G1): bulk import in the exchange format — idempotent, each bad row
reported with its line and reason while the good rows load; export and re-import."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from credit.exchange import parse_document
from credit.models import CreditImport, CreditRecord, Measure, MeasureScope
from credit.services.imports import import_records
from portal.tradelog.models import TradeLogEntry
from tests import factories
from tests.credit.conftest import client_for, local

pytestmark = pytest.mark.django_db


def row(uscc, number, **overrides):
    data = {
        "external_id": f"NCP-{number}",
        "uscc": uscc,
        "kind": "administrative_penalty",
        "severity": "general",
        "category": "engineering",
        "region": "350600",
        "authority": "漳州市发展和改革委员会",
        "legal_basis": "招标投标法 第54条",
        "decision_no": f"漳发改罚〔2025〕{number}号",
        "reason": "串通投标。",
        "valid_from": "2026-01-01T00:00:00+08:00",
        "valid_to": "2026-12-31T23:59:59+08:00",
        "public": True,
        "measure": "market_ban",
    }
    data.update(overrides)
    return data


@pytest.fixture
def entities(db, zhangzhou):
    return [factories.EntityFactory(name=f"导入测试公司{i}", region=zhangzhou) for i in range(3)]


@pytest.fixture
def lines(entities):
    """Six lines: three good rows, broken JSON, a bad code, a category finance supervises."""
    good = [json.dumps(row(e.uscc, i + 1), ensure_ascii=False) for i, e in enumerate(entities)]
    wrong_code = entities[0].uscc[:17] + ("0" if entities[0].uscc[17] != "0" else "1")
    return [
        good[0],
        '{"uscc": "broken", ',
        good[1],
        json.dumps(row(wrong_code, 9), ensure_ascii=False),
        json.dumps(row(entities[2].uscc, 10, category="procurement"), ensure_ascii=False),
        good[2],
    ]


def test_bad_rows_are_reported_with_their_line_and_good_rows_load(fagai, lines):
    content = ("\n".join(lines) + "\n").encode()
    result = import_records(actor=fagai, content=content, file_name="ncp.jsonl")
    by_line = {entry["line"]: entry for entry in result.report}
    assert [by_line[n]["status"] for n in range(1, 7)] == [
        "created",
        "rejected",
        "created",
        "rejected",
        "rejected",
        "created",
    ]
    assert by_line[2]["errors"]["row"]  # why the line is not JSON
    assert "uscc" in by_line[4]["errors"]
    assert "category" in by_line[5]["errors"]  # the importer must be competent too
    assert (result.created, result.unchanged, result.rejected) == (3, 0, 3)
    assert CreditRecord.objects.count() == 3 and Measure.objects.count() == 3
    assert set(CreditRecord.objects.values_list("source", flat=True)) == {"import"}
    assert TradeLogEntry.objects.filter(action="credit.record_added").count() == 3
    assert TradeLogEntry.objects.filter(action="credit.import_completed").count() == 1


def test_loading_the_same_file_twice_changes_nothing(fagai, lines):
    content = ("\n".join(lines) + "\n").encode()
    import_records(actor=fagai, content=content)
    before = (
        list(CreditRecord.objects.order_by("pk").values()),
        list(Measure.objects.order_by("pk").values()),
        list(MeasureScope.objects.order_by("pk").values()),
    )
    again = import_records(actor=fagai, content=content)
    assert (again.created, again.unchanged, again.rejected) == (0, 3, 3)
    after = (
        list(CreditRecord.objects.order_by("pk").values()),
        list(Measure.objects.order_by("pk").values()),
        list(MeasureScope.objects.order_by("pk").values()),
    )
    assert after == before
    assert TradeLogEntry.objects.filter(action="credit.record_added").count() == 3


def test_a_row_that_contradicts_a_loaded_record_is_a_conflict(fagai, entities):
    first = json.dumps(row(entities[0].uscc, 1), ensure_ascii=False)
    import_records(actor=fagai, content=first.encode())
    changed = json.dumps(row(entities[0].uscc, 1, reason="另一事实。"), ensure_ascii=False)
    result = import_records(actor=fagai, content=changed.encode())
    assert result.rejected == 1 and "decision_no" in result.report[0]["errors"]
    assert CreditRecord.objects.get().reason == "串通投标。"


def test_a_json_array_reports_the_line_where_each_row_starts(fagai, entities):
    rows = [row(entities[0].uscc, 1), row(entities[1].uscc, 2, kind="nonsense")]
    text = json.dumps(rows, ensure_ascii=False, indent=2)
    parsed = parse_document(text)
    assert [p.line for p in parsed] == [2, 18]
    result = import_records(actor=fagai, content=text.encode())
    assert [(e["line"], e["status"]) for e in result.report] == [(2, "created"), (18, "rejected")]
    assert "kind" in result.report[1]["errors"]


def test_parse_document_survives_broken_input():
    assert [p.error is not None for p in parse_document('[{"a": 1}, {"b": ')] == [False, True]
    assert [p.error is not None for p in parse_document('[{"a": 1} {"b": 2}]')] == [False, True]
    assert parse_document("[]") == []
    assert [p.error is not None for p in parse_document('\ufeff{"a": 1}\n[1]\n\n')] == [False, True]


def test_the_api_imports_json_json_lines_and_files(fagai, entities, finance):
    url = "/api/v1/credit/imports/"
    client = client_for(fagai)
    body = json.dumps([row(entities[0].uscc, 1)], ensure_ascii=False)
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 201, response.data
    assert response.data["created"] == 1 and response.data["report"][0]["line"] == 1
    ndjson = json.dumps(row(entities[1].uscc, 2), ensure_ascii=False) + "\n"
    response = client.post(url, ndjson, content_type="application/x-ndjson")
    assert response.status_code == 201 and response.data["created"] == 1
    upload = SimpleUploadedFile("ncp.jsonl", (body + "\n").encode(), "application/octet-stream")
    response = client.post(url, {"file": upload})
    assert response.status_code == 201 and response.data["unchanged"] == 1
    assert CreditImport.objects.count() == 3
    # Rows of a category the importer does not supervise are rejected, not loaded.
    response = client_for(finance).post(url, body, content_type="application/json")
    assert response.data["rejected"] == 1
    assert (
        client_for(factories.BidderFactory(username="b2"))
        .post(url, body, content_type="application/json")
        .status_code
        == 403
    )
    assert client.post(url, b"\xff\xfe", content_type="application/json").status_code == 400


def test_an_export_loads_back_as_already_loaded(fagai, entities, clock):
    import_records(
        actor=fagai,
        content="\n".join(
            json.dumps(row(e.uscc, i + 1), ensure_ascii=False) for i, e in enumerate(entities)
        ).encode(),
    )
    exported = b"".join(client_for(fagai).get("/api/v1/credit/exports/").streaming_content)
    assert len(exported.splitlines()) == 3
    result = import_records(actor=fagai, content=exported)
    assert (result.created, result.unchanged, result.rejected) == (0, 3, 0)
    assert json.loads(exported.splitlines()[0])["valid_from"] == "2026-01-01T00:00:00+08:00"
    assert local(2026, 1, 1) == CreditRecord.objects.order_by("pk").first().valid_from
