# ruff: noqa: F811  (fixtures imported from other conftest files are used by name)
"""The change feed carries everything public, not only announcements: a tender's every step,
its contract performance, public credit records with their market bans and repairs, and
notices — each once, in commit order, created then updated or deleted."""

from datetime import date

import pytest
from django.db import transaction
from django.test import Client

from credit.services import repairs
from portal.notices.models import Notice
from portal.notices.services import publish_notice
from tests import factories
from tests.credit.conftest import (  # noqa: F401  (fixtures)
    credit_reference_data,
    fagai,
    record_measure,
    zhangzhou,
)
from tests.publicportal.conftest import local

pytestmark = pytest.mark.django_db


def everything() -> list[dict]:
    """The whole feed, read page by page as a consumer would."""
    changes, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = Client().get("/api/v1/changes/", params).json()
        if not page["results"]:
            return changes
        changes += page["results"]
        cursor = page["next_cursor"]


def of_type(object_type: str) -> list[dict]:
    return [c for c in everything() if c["object_type"] == object_type]


def test_a_tender_run_to_its_end_feeds_every_step_and_the_contract_performance(contracted):
    changes = everything()
    steps = [
        (c["object_type"], c["data"].get("kind"))
        for c in changes
        if c["data"].get("project_key", "") == f"trading:{contracted.pk}"
    ]
    assert steps == [
        ("publication", "tender"),
        ("publication", "opening_record"),
        ("publication", "candidates"),
        ("publication", "result"),
        ("publication", "contract"),
        ("performance", None),
    ]
    (performance,) = [c for c in changes if c["object_type"] == "performance"]
    assert performance["action"] == "created"
    assert performance["data"]["milestone"] == "基础工程完工"
    assert performance["data"]["amount_paid"] == "1000000.00"
    assert performance["data"]["contract"]["amount"] == "4198000.00"
    assert performance["data"]["transaction_code"] == contracted.transaction_code
    result = next(c for c in changes if c["data"].get("kind") == "result")
    assert result["data"]["data"]["price"]  # the award's public content rides along


def test_a_public_penalty_with_a_market_ban_then_its_repair(fagai, zhangzhou, clock):
    clock.move_to(local(2026, 3, 2, 9, 0))
    entity = factories.EntityFactory(name="甲建设有限公司", region=zhangzhou)
    start, end = local(2026, 3, 1, 9, 0), local(2027, 2, 28, 23, 59)
    record = record_measure(fagai, entity.uscc, valid_from=start, valid_to=end)
    (created,) = of_type("credit_record")
    assert (created["object_key"], created["action"]) == (f"credit:{record.pk}", "created")
    data = created["data"]
    assert (data["uscc"], data["kind"], data["measure"]) == (
        entity.uscc,
        "administrative_penalty",
        "market_ban",
    )
    assert data["measure_categories"] == ["engineering"]
    assert data["measure_valid_to"].startswith("2027-02-28T23:59")
    assert data["decision_no"] == record.decision_no and data["repairs"] == []

    repairs.repair_measure(
        actor=fagai,
        measure=record.measures.get(),
        new_valid_to=local(2026, 6, 30, 23, 59),
        decision_no="漳发改信修〔2026〕1号",
        authority="漳州市发展和改革委员会",
        decided_on=date(2026, 3, 2),
        reason="已履行行政处罚决定并作出信用承诺。",
    )
    created_again, updated = of_type("credit_record")
    assert created_again == created  # the feed is append-only: the first entry is unchanged
    assert (updated["object_key"], updated["action"]) == (f"credit:{record.pk}", "updated")
    assert updated["data"]["measure_valid_to"].startswith("2026-06-30T23:59")
    assert [r["decision_no"] for r in updated["data"]["repairs"]] == ["漳发改信修〔2026〕1号"]


def test_a_record_that_is_not_public_or_that_rolls_back_stays_out(fagai, zhangzhou, clock):
    clock.move_to(local(2026, 3, 2, 9, 0))
    entity = factories.EntityFactory(region=zhangzhou)
    start, end = local(2026, 3, 1, 9, 0), local(2026, 12, 31, 23, 59)
    record_measure(fagai, entity.uscc, valid_from=start, valid_to=end, public=False)
    with pytest.raises(RuntimeError), transaction.atomic():
        record_measure(fagai, entity.uscc, valid_from=start, valid_to=end)
        raise RuntimeError("the recording transaction fails after the service")
    assert of_type("credit_record") == []


def test_a_notice_is_fed_when_published_updated_when_edited_and_withdrawn(platform_admin):
    notice = Notice.objects.create(
        kind=Notice.Kind.FEE_STANDARD, title="交易服务收费标准", body="按成交金额分档收取。"
    )
    assert of_type("notice") == []  # a draft is not public
    publish_notice(notice=notice, actor=platform_admin)
    notice.title = "交易服务收费标准（2026年修订）"
    notice.save()
    pk = notice.pk
    notice.delete()
    changes = of_type("notice")
    assert [(c["object_key"], c["action"]) for c in changes] == [
        (f"notice:{pk}", "created"),
        (f"notice:{pk}", "updated"),
        (f"notice:{pk}", "deleted"),
    ]
    assert changes[0]["data"]["kind"] == "fee_standard"
    assert changes[0]["data"]["path"] == f"/notices/{pk}/"
    assert changes[1]["data"]["title"] == "交易服务收费标准（2026年修订）"
