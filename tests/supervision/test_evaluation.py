"""The evaluation loop over trades run through the operation side's own services, read back
through the read-only supervision connection (so these tests commit: transaction=True)."""

import pytest

from portal.tradelog.models import TradeLogEntry
from supervision.models import Alert, EvaluationCursor
from supervision.services.evaluation import evaluate_pending
from tests import document_files
from tests.supervision import scenarios

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "supervision"])


def _fired(project_id) -> dict[str, list[Alert]]:
    fired: dict[str, list[Alert]] = {}
    for alert in Alert.objects.filter(project_id_ref=project_id):
        fired.setdefault(alert.rule_code, []).append(alert)
    return fired


def test_a_clean_tender_raises_no_alert(clock, centre, venue, staff, tenderee, bidders, experts):
    trade = scenarios.full_tender(
        clock=clock,
        centre=centre,
        venue=venue,
        staff=staff,
        tenderee=tenderee,
        bidders=bidders,
        experts=experts,
        plans=scenarios.independent_bids(),
    )
    result = evaluate_pending()
    assert result.entries > 20
    assert _fired(trade.project.pk) == {}
    assert EvaluationCursor.objects.get().last_seq == result.last_seq


def test_two_entities_from_one_ip_with_identical_documents(
    clock, centre, venue, staff, tenderee, bidders, experts
):
    """The collusion scenario: a and b bid from the same address with the same document."""
    plans = scenarios.independent_bids()
    plans["b"].ip = plans["a"].ip
    plans["b"].document = plans["a"].document
    trade = scenarios.announce(clock=clock, centre=centre, staff=staff, tenderee=tenderee)
    scenarios.submit_bids(trade, bidders, plans)

    # Raised as soon as the bids arrive: the IP is known at submission, while still sealed.
    evaluate_pending()
    fired = _fired(trade.project.pk)
    assert set(fired) == {"collusion.shared_ip"}
    alert = fired["collusion.shared_ip"][0]
    a, b = bidders["a"].entity.uscc, bidders["b"].entity.uscc
    assert sorted(alert.entities) == sorted([a, b])
    assert alert.evidence["client_ip"] == plans["a"].ip
    assert alert.severity == "high" and alert.department == "development_reform"
    assert alert.lot_id_ref == trade.lot.pk and alert.status == "new"

    # The documents' digests exist once the bidders decrypt at the opening.
    scenarios.open_bids(trade, clock=clock, venue=venue, staff=staff, bidders=bidders)
    evaluate_pending()
    fired = _fired(trade.project.pk)
    assert set(fired) == {"collusion.shared_ip", "collusion.identical_documents"}
    documents = fired["collusion.identical_documents"][0]
    assert sorted(documents.entities) == sorted([a, b])
    assert documents.severity == "critical"
    assert len(fired["collusion.shared_ip"]) == 1  # re-evaluated, not raised twice


def _open_with_documents(documents, *, clock, centre, venue, staff, tenderee, bidders):
    plans = scenarios.independent_bids()
    for key, docs in documents.items():
        plans[key].documents = docs
    trade = scenarios.announce(clock=clock, centre=centre, staff=staff, tenderee=tenderee)
    scenarios.submit_bids(trade, bidders, plans)
    scenarios.open_bids(trade, clock=clock, venue=venue, staff=staff, bidders=bidders)
    evaluate_pending()
    return trade


def test_documents_of_two_bidders_sharing_an_author(
    clock, centre, venue, staff, tenderee, bidders, experts
):
    """a's Word file and b's PDF were both written by 王五 (different files, different
    digests): read at the opening, compared across bidders."""
    trade = _open_with_documents(
        {
            "a": [("商务标.docx", document_files.ooxml(creator="王五", company="甲建设有限公司"))],
            "b": [
                ("技术标.pdf", document_files.pdf(author="王五")),
                ("报价.xlsx", document_files.ooxml(creator="Administrator", kind="xlsx")),
            ],
            "c": [("商务标.docx", document_files.ooxml(creator="Administrator"))],
        },
        clock=clock,
        centre=centre,
        venue=venue,
        staff=staff,
        tenderee=tenderee,
        bidders=bidders,
    )
    fired = _fired(trade.project.pk)
    assert set(fired) == {"collusion.shared_authoring_metadata"}
    (alert,) = fired["collusion.shared_authoring_metadata"]
    a, b = bidders["a"].entity.uscc, bidders["b"].entity.uscc
    assert sorted(alert.entities) == sorted([a, b])
    assert alert.evidence["value"] == "王五"
    assert sorted(
        (d["bidder"], d["document"], d["field"]) for d in alert.evidence["documents"]
    ) == (sorted([(a, "商务标.docx", "creator"), (b, "技术标.pdf", "author")]))
    assert alert.source.startswith("实施条例 第40条(一)")

    # Trading keeps what it read on the bid and in the opening's trade-log entry.
    bid_b = trade.bids["b"]
    bid_b.refresh_from_db()
    assert [
        (r["name"], r["format"], r["fields"].get("author")) for r in bid_b.documents_metadata
    ] == [
        ("技术标.pdf", "pdf", "王五"),
        ("报价.xlsx", "ooxml", None),
    ]
    entry = TradeLogEntry.objects.get(action="bid.decrypted", object_id=str(bid_b.pk))
    assert entry.payload["documents_metadata"] == bid_b.documents_metadata


def test_distinct_authors_and_a_malformed_document_raise_nothing_and_open_normally(
    clock, centre, venue, staff, tenderee, bidders, experts
):
    trade = _open_with_documents(
        {
            "a": [("商务标.docx", document_files.ooxml(creator="陈一", last_modified_by="陈一"))],
            "b": [
                ("技术标.pdf", b"%PDF-1.7 this is not a real PDF"),
                ("图纸.docx", b"PK\x03\x04 broken zip"),
            ],
            "c": [("技术标.pdf", document_files.pdf(author="黄三"))],
        },
        clock=clock,
        centre=centre,
        venue=venue,
        staff=staff,
        tenderee=tenderee,
        bidders=bidders,
    )
    assert _fired(trade.project.pk) == {}
    bid_b = trade.bids["b"]
    bid_b.refresh_from_db()
    assert bid_b.state == "decrypted"
    assert [(r["name"], r["status"]) for r in bid_b.documents_metadata] == [
        ("技术标.pdf", "unreadable"),
        ("图纸.docx", "unreadable"),
    ]


def test_evaluating_twice_raises_nothing_new(
    clock, centre, venue, staff, tenderee, bidders, experts
):
    plans = scenarios.independent_bids()
    plans["c"].device = plans["a"].device
    trade = scenarios.announce(clock=clock, centre=centre, staff=staff, tenderee=tenderee)
    scenarios.submit_bids(trade, bidders, plans)
    first = evaluate_pending()
    assert first.alerts == 1
    EvaluationCursor.objects.update(last_seq=0)  # a worker replaying the whole log
    again = evaluate_pending()
    assert again.entries == first.entries and again.alerts == 0
    assert Alert.objects.filter(rule_code="collusion.shared_device").count() == 1


def test_competition_rules_on_a_lowest_bid_disqualified(
    clock, centre, venue, staff, tenderee, bidders, experts
):
    plans = scenarios.independent_bids()
    plans["b"].qualified = False  # b is the lowest
    plans["c"].qualified = False
    trade = scenarios.full_tender(
        clock=clock,
        centre=centre,
        venue=venue,
        staff=staff,
        tenderee=tenderee,
        bidders=bidders,
        experts=experts,
        plans=plans,
    )
    evaluate_pending()
    fired = _fired(trade.project.pk)
    assert set(fired) == {
        "competition.lowest_bid_disqualified",
        "competition.all_but_winner_disqualified",
    }
    assert fired["competition.lowest_bid_disqualified"][0].evidence["bid"] == trade.bids["b"].pk


def test_a_step_slipped_in_during_a_suspension_is_a_critical_alert(
    clock, centre, staff, tenderee, regulator_dr
):
    """What an import or a manual fix could write past the state machine is still caught."""
    from django.db import transaction

    from portal.holds.services import suspend_project
    from portal.tradelog.services import append_entry

    trade = scenarios.announce(clock=clock, centre=centre, staff=staff, tenderee=tenderee)
    suspend_project(
        project_id=trade.project.pk,
        actor=regulator_dr,
        reason="投诉处理中",
        ordered_by_ref="test",
    )
    with transaction.atomic():
        slipped = append_entry(
            action="lot.start_opening",
            obj=trade.lot,
            payload={
                "project": trade.project.pk,
                "lot": trade.lot.pk,
                "from": "bidding",
                "to": "opening",
            },
        )
    evaluate_pending()
    alert = Alert.objects.get(rule_code="process.step_outside_state")
    assert alert.subject_key == f"entry:{slipped.seq}:hold"
    assert alert.severity == "critical" and alert.evidence["hold_reason"] == "投诉处理中"
