"""A whole engineering open tender and a whole procurement open tender, through the API, in
simulated time: registration, announcement, bids, the opening, evaluation, candidates,
award, contract, filing, archive — with the trade log verified at the end."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

from experts.models import DrawInvitation
from portal import sealing
from portal.tradelog.models import TradeLogEntry
from portal.tradelog.selectors import verify_trade_log
from tests.trading.conftest import SECRETS, client_for, local
from trading.models import (
    BidSecurity,
    CommitteeMember,
    DecryptionAttempt,
    DepositMovement,
    Lot,
    Project,
)
from trading.services.openings import close_due_openings

pytestmark = pytest.mark.django_db

PRICES = {"a": Decimal("4321000.00"), "b": Decimal("4198000.00"), "c": Decimal("4560000.00")}


def _draw_and_confirm(drawer, project_id, lot_id, clock) -> None:
    """The expert drawer draws five road-and-bridge experts for the lot through the API;
    each confirms; the clock moves to the evaluation, when the names may open."""
    starts = timezone.now() + timedelta(hours=1)
    drawn = client_for(drawer).post(
        f"/api/v1/projects/{project_id}/expert-draws/",
        {
            "lot": lot_id,
            "specialties": [{"code": "A0201", "count": 5}],
            "needed_at": starts.isoformat(),
            "needed_until": (starts + timedelta(hours=8)).isoformat(),
            "region_scope": "local",
            "backups": 0,
        },
        format="json",
    )
    assert drawn.status_code == 201, drawn.data
    for invitation in DrawInvitation.objects.filter(draw_id=drawn.data["id"]):
        accepted = client_for(invitation.expert.user).post(
            f"/api/v1/expert-invitations/{invitation.pk}/response/",
            {"accept": True},
            format="json",
        )
        assert accepted.status_code == 200, accepted.data
    clock.move_to(starts)


def _chair_first(experts, chair: str) -> list:
    return sorted(experts, key=lambda user: user.username != chair)


def _document(key: str) -> bytes:
    return f"TECHNICAL-PROPOSAL-{key}-施工组织设计-{'x' * 2000}".encode()


def _submit(client, project_id, key, lot=1, secret=None, security=Decimal("100000.00")):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {
        "lot": lot,
        "price": str(PRICES[key]),
        "secret": secret or SECRETS[key],
        "documents": [SimpleUploadedFile(f"技术标-{key}.pdf", _document(key))],
        "device_fingerprint": f"device-{key}",
    }
    if security:
        data.update(security_form="cash", security_amount=str(security))
    return client.post(f"/api/v1/projects/{project_id}/bids/", data, format="multipart")


def _create_project(
    tenderee,
    centre,
    *,
    category="engineering",
    method="open_tender",
    subject="works",
    evaluation_method="lowest_price",
    security="100000.00",
):
    response = client_for(tenderee).post(
        "/api/v1/projects/",
        {
            "title": "漳州市示范路桥维修工程",
            "category": category,
            "method": method,
            "subject": subject,
            "funding_source": "state_owned" if category == "engineering" else "fiscal",
            "centre": centre.code,
            "region": centre.region.code,
            "lots": [
                {
                    "name": "一标段",
                    "estimate_amount": "5000000.00",
                    "bid_security_amount": security,
                    "evaluation_method": evaluation_method,
                }
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    return response.data


def _announce(tenderee, project_id, *, deadline, issued=None, security=None):
    issued = issued or local(2026, 3, 2, 9, 0)
    body = {
        "title": "漳州市示范路桥维修工程招标公告",
        "body": "招标条件、项目概况、投标人资格要求……",
        "documents_issued_at": issued.isoformat(),
        "documents_sale_ends_at": (issued + timedelta(days=7)).isoformat(),
        "bid_deadline": deadline.isoformat(),
        "opening_at": deadline.isoformat(),
    }
    if security is not None:
        body["bid_securities"] = {"1": security}
    return client_for(tenderee).post(
        f"/api/v1/projects/{project_id}/announcements/", body, format="json"
    )


def _database_text() -> str:
    """Every row of every table as text: what a database dump would contain."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT t::text FROM "{table}" t')  # noqa: S608 - table names from the catalog
            chunks.extend(row[0] for row in cursor.fetchall())
    return "\n".join(chunks)


def test_engineering_open_tender_end_to_end(
    clock, centre, venue, staff, tenderee, bidders, experts, drawer
):
    project = _create_project(tenderee, centre)
    project_id = project["id"]
    lot_id = project["lots"][0]["id"]

    # Registration by the centre gives the unified transaction code.
    registered = client_for(staff).post(f"/api/v1/projects/{project_id}/register/")
    assert registered.status_code == 200
    assert registered.data["transaction_code"].startswith("A350600")

    # A schedule that breaks the law is refused with every violation and its source.
    refused = _announce(
        tenderee, project_id, deadline=local(2026, 3, 12, 9, 30), security="200000.00"
    )
    assert refused.status_code == 400
    rules = {v["rule"]: v for v in refused.data["violations"]}
    assert rules["engineering.documents_to_deadline"]["source"] == "招标投标法 第24条"
    assert rules["engineering.bid_security_cap"]["source"] == "实施条例 第26条"
    assert not client_for(tenderee).get(f"/api/v1/projects/{project_id}/").data["schedule"]

    deadline = local(2026, 3, 23, 9, 30)
    published = _announce(tenderee, project_id, deadline=deadline)
    assert published.status_code == 201, published.data

    # Bids: each bidder keeps its receipt and can prove what it sent.
    receipts = {}
    for key in "abc":
        response = _submit(client_for(bidders[key]), project_id, key)
        assert response.status_code == 201, response.data
        receipts[key] = response.data
    recomputed = sealing.receipt_digest(
        manifest={
            "project": str(project_id),
            "lot": str(lot_id),
            "bidder": bidders["a"].entity.uscc,
            "price": "4321000.00",
            "currency": "CNY",
        },
        documents=[("技术标-a.pdf", _document("a"))],
        salt=bytes.fromhex(receipts["a"]["salt"]),
    )
    assert recomputed == receipts["a"]["receipt_digest"]
    assert TradeLogEntry.objects.filter(
        action="bid.submitted", payload__receipt_digest=recomputed
    ).exists()

    # The bidder tests its secret right after sending; a wrong one is told apart.
    test = client_for(bidders["a"]).post(
        f"/api/v1/bids/{receipts['a']['id']}/test-decrypt/", {"secret": SECRETS["a"]}, format="json"
    )
    assert test.status_code == 200 and test.data["ok"]

    # Sealed: staff and the tenderee see only how many bids arrived.
    for reader in (staff, tenderee):
        listing = client_for(reader).get(f"/api/v1/projects/{project_id}/bids/")
        assert listing.status_code == 200
        text = listing.content.decode()
        assert listing.data["lots"][0]["bids_received"] == 3
        assert "bids" not in listing.data["lots"][0]
        for key in "abc":
            assert bidders[key].entity.name not in text and str(PRICES[key]) not in text
    # ... and neither the database nor the stored envelopes hold a price or a document.
    dump = _database_text()
    for key in "abc":
        assert str(PRICES[key]) not in dump
        assert f"TECHNICAL-PROPOSAL-{key}" not in dump
    for name in default_storage.listdir(f"sealed-bids/{lot_id}")[1]:
        with default_storage.open(f"sealed-bids/{lot_id}/{name}", "rb") as handle:
            stored = handle.read()
        assert b"TECHNICAL-PROPOSAL" not in stored and b"4321000" not in stored

    # Withdraw and resubmit before the deadline: the security is refunded in full at once.
    client_b = client_for(bidders["b"])
    assert client_b.delete(f"/api/v1/bids/{receipts['b']['id']}/").status_code == 204
    security_b = BidSecurity.objects.get(entity=bidders["b"].entity)
    assert security_b.state == "refunded" and security_b.refunded_amount == security_b.amount
    assert _submit(client_b, project_id, "b").status_code == 201

    # After the deadline, the server clock refuses a bid.
    clock.move_to(deadline + timedelta(seconds=1))
    late = _submit(client_for(bidders["b"]), project_id, "b")
    assert late.status_code == 409 and late.data["code"] == "deadline_passed"

    # The opening: scheduled in a venue, started at its time; bidders decrypt.
    opening = client_for(staff).post(
        "/api/v1/openings/", {"project": project_id, "venue": venue.pk}, format="json"
    )
    assert opening.status_code == 201, opening.data
    opening_id = opening.data["id"]
    assert client_for(staff).post(f"/api/v1/openings/{opening_id}/start/").status_code == 200
    own = {
        key: client_for(bidders[key])
        .get(f"/api/v1/projects/{project_id}/bids/")
        .data["lots"][0]["own"]
        for key in "abc"
    }
    bid_ids = {key: next(b["id"] for b in own[key] if b["state"] == "submitted") for key in "abc"}
    for key in "ab":
        decrypted = client_for(bidders[key]).post(
            f"/api/v1/bids/{bid_ids[key]}/decrypt/", {"secret": SECRETS[key]}, format="json"
        )
        assert decrypted.status_code == 200, decrypted.data
    wrong = client_for(bidders["c"]).post(
        f"/api/v1/bids/{bid_ids['c']}/decrypt/", {"secret": "not-the-right-secret-9"}, format="json"
    )
    assert wrong.status_code == 400 and wrong.data["cause"] == "wrong_secret"
    assert DecryptionAttempt.objects.filter(bid_id=bid_ids["c"], outcome="wrong_secret").exists()

    # The window ends without anyone clicking: the sweep rejects the bid not decrypted.
    clock.shift(timedelta(minutes=31))
    assert close_due_openings() == 1
    after = client_for(staff).get(f"/api/v1/projects/{project_id}/bids/").data["lots"][0]
    states = {b["uscc"]: (b["state"], b["price"]) for b in after["bids"]}
    assert states[bidders["a"].entity.uscc] == ("decrypted", "4321000.00")
    assert states[bidders["c"].entity.uscc][0] == "rejected"
    record = client_for(staff).get(
        f"/api/v1/announcements/?project={project_id}&kind=opening_record"
    )
    assert record.data["results"][0]["data"]["bids"][0]["price"] in {"4321000.00", "4198000.00"}

    # Evaluation by a committee of the legal size: nobody names an expert; the pool draws
    # them for the lot, they confirm, and their names open when the evaluation starts.
    named = client_for(staff).post(
        f"/api/v1/lots/{lot_id}/committee/",
        {"members": [{"user": e.username} for e in experts]},
        format="json",
    )
    assert named.status_code == 400 and "members" in named.data
    assert not CommitteeMember.objects.filter(lot_id=lot_id).exists()
    _draw_and_confirm(drawer, project_id, lot_id, clock)
    even = client_for(staff).post(
        f"/api/v1/lots/{lot_id}/committee/",
        {"representatives": [tenderee.username]},
        format="json",
    )
    assert even.status_code == 400
    assert "engineering.committee_size" in {v["rule"] for v in even.data["violations"]}
    seated = client_for(staff).post(f"/api/v1/lots/{lot_id}/committee/", {}, format="json")
    assert seated.status_code == 201, seated.data
    assert seated.data["members"] == seated.data["experts"] == 5
    assert {m.user for m in CommitteeMember.objects.filter(lot_id=lot_id)} == set(experts)
    experts = _chair_first(experts, seated.data["chair"])
    chair = client_for(experts[0])
    for key in "ab":
        assert (
            chair.post(
                f"/api/v1/bids/{bid_ids[key]}/qualification/", {"qualified": True}, format="json"
            ).status_code
            == 200
        )
    for expert in experts:
        signed = client_for(expert).post(f"/api/v1/lots/{lot_id}/sign/")
        assert signed.status_code == 200
    ranking = signed.data["ranking"]
    assert signed.data["complete"] and ranking[0]["bid"] == bid_ids["b"]  # the lowest price

    # Candidates in publicity; an objection; the award after the publicity.
    candidates = client_for(tenderee).post(f"/api/v1/lots/{lot_id}/candidates/")
    assert candidates.status_code == 201
    early = client_for(tenderee).post(f"/api/v1/lots/{lot_id}/award/", {}, format="json")
    assert early.status_code == 409 and early.data["code"] == "publicity_running"
    objection = client_for(bidders["a"]).post(
        f"/api/v1/lots/{lot_id}/objections/", {"text": "对第一中标候选人业绩有异议"}, format="json"
    )
    assert objection.status_code == 201
    clock.shift(timedelta(days=4))
    blocked = client_for(tenderee).post(f"/api/v1/lots/{lot_id}/award/", {}, format="json")
    assert blocked.status_code == 409 and blocked.data["code"] == "objections_open"
    assert (
        client_for(tenderee)
        .post(
            f"/api/v1/objections/{objection.data['id']}/answer/",
            {"answer": "经核查，业绩真实有效。"},
            format="json",
        )
        .status_code
        == 200
    )
    awarded = client_for(tenderee).post(f"/api/v1/lots/{lot_id}/award/", {}, format="json")
    assert awarded.status_code == 201 and awarded.data["bid"] == bid_ids["b"]

    # The contract; every security is returned in full.
    clock.shift(timedelta(days=10))
    contract = client_for(tenderee).post(
        f"/api/v1/lots/{lot_id}/contract/",
        {"amount": "4198000.00", "key_terms": "工期180日"},
        format="json",
    )
    assert contract.status_code == 201
    for security in BidSecurity.objects.filter(lot_id=lot_id):
        assert security.state == "refunded"
        assert security.refunded_amount == security.amount == Decimal("100000.00")
        refunds = DepositMovement.objects.filter(security=security, kind="refunded")
        assert sum(m.amount for m in refunds) == sum(
            m.amount for m in DepositMovement.objects.filter(security=security, kind="received")
        )
    assert (
        client_for(tenderee)
        .post(
            f"/api/v1/contracts/{contract.data['id']}/performance/",
            {"milestone": "开工", "description": "已进场施工"},
            format="json",
        )
        .status_code
        == 201
    )

    # Filing closes the project; the archive keeps the manifest.
    assert client_for(staff).post(f"/api/v1/lots/{lot_id}/filing/").status_code == 200
    archived = client_for(staff).post(f"/api/v1/projects/{project_id}/archive/")
    assert archived.status_code == 200 and archived.data["state"] == "archived"
    assert Lot.objects.get(pk=lot_id).state == "filed"

    # Every step is in the trade log, and the chain verifies.
    actions = set(
        TradeLogEntry.objects.filter(payload__project=project_id).values_list("action", flat=True)
    )
    for step in [
        "project.register",
        "project.announce",
        "bid.submitted",
        "bid.withdrawn",
        "opening.started",
        "bid.decrypted",
        "bid.rejected_not_decrypted",
        "opening.closed",
        "evaluation.committee_seated",
        "evaluation.member_signed",
        "lot.complete_evaluation",
        "lot.publish_candidates",
        "award.objection_raised",
        "lot.award",
        "lot.sign_contract",
        "lot.file",
        "project.close",
        "project.archive",
    ]:
        assert step in actions, step
    assert verify_trade_log() == []


def test_procurement_open_tender_with_comprehensive_scoring(
    clock, centre, venue, staff, tenderee, bidders, experts, drawer
):
    project = _create_project(
        tenderee,
        centre,
        category="procurement",
        subject="goods",
        evaluation_method="comprehensive",
        security="0",
    )
    project_id, lot_id = project["id"], project["lots"][0]["id"]
    registered = client_for(staff).post(f"/api/v1/projects/{project_id}/register/")
    assert registered.data["transaction_code"].startswith("B350600")
    too_little_price = client_for(tenderee).post(
        f"/api/v1/lots/{lot_id}/criteria/",
        {
            "criteria": [
                {"code": "price", "name": "价格", "kind": "price", "weight": "20"},
                {"code": "tech", "name": "技术", "kind": "technical", "weight": "80"},
            ]
        },
        format="json",
    )
    assert too_little_price.status_code == 400  # goods: price weight at least 30 (87号令 第55条)
    criteria = client_for(tenderee).post(
        f"/api/v1/lots/{lot_id}/criteria/",
        {
            "criteria": [
                {"code": "price", "name": "价格", "kind": "price", "weight": "30"},
                {"code": "tech", "name": "技术", "kind": "technical", "weight": "50"},
                {"code": "biz", "name": "商务", "kind": "business", "weight": "20"},
            ]
        },
        format="json",
    )
    assert criteria.status_code == 201, criteria.data
    deadline = local(2026, 3, 23, 9, 30)
    assert _announce(tenderee, project_id, deadline=deadline).status_code == 201
    ids = {
        key: _submit(client_for(bidders[key]), project_id, key, security=None).data["id"]
        for key in "abc"
    }
    clock.move_to(deadline)
    opening = (
        client_for(staff)
        .post("/api/v1/openings/", {"project": project_id, "venue": venue.pk}, format="json")
        .data
    )
    client_for(staff).post(f"/api/v1/openings/{opening['id']}/start/")
    for key in "abc":
        client_for(bidders[key]).post(
            f"/api/v1/bids/{ids[key]}/decrypt/", {"secret": SECRETS[key]}, format="json"
        )
    closed = client_for(staff).post(f"/api/v1/openings/{opening['id']}/close/")
    assert closed.status_code == 200 and closed.data["state"] == "closed"
    _draw_and_confirm(drawer, project_id, lot_id, clock)
    seated = client_for(staff).post(f"/api/v1/lots/{lot_id}/committee/", {}, format="json")
    assert seated.status_code == 201, seated.data
    experts = _chair_first(experts, seated.data["chair"])
    for key in "abc":
        client_for(experts[0]).post(
            f"/api/v1/bids/{ids[key]}/qualification/", {"qualified": True}, format="json"
        )
    # Bidder a has the best technical offer, enough to beat b's lower price.
    technical = {"a": ("48", "18"), "b": ("30", "15"), "c": ("40", "16")}
    for expert in experts:
        scores = {str(ids[k]): {"tech": t, "biz": b} for k, (t, b) in technical.items()}
        assert (
            client_for(expert)
            .post(f"/api/v1/lots/{lot_id}/scores/", {"scores": scores}, format="json")
            .status_code
            == 200
        )
        signed = client_for(expert).post(f"/api/v1/lots/{lot_id}/sign/")
    ranking = signed.data["ranking"]
    assert [r["bid"] for r in ranking] == [ids["a"], ids["c"], ids["b"]]
    # price score = lowest / own × 30: b 30.00, a 29.15, c 27.62; totals a 95.15, c 83.62, b 75.00
    assert ranking[0]["total"] == "95.15"
    assert client_for(tenderee).post(f"/api/v1/lots/{lot_id}/candidates/").status_code == 201
    # Procurement has no candidates' publicity: the purchaser confirms from the report.
    awarded = client_for(tenderee).post(f"/api/v1/lots/{lot_id}/award/", {}, format="json")
    assert awarded.status_code == 201 and awarded.data["bid"] == ids["a"]
    assert (
        client_for(tenderee)
        .post(f"/api/v1/lots/{lot_id}/contract/", {"amount": "4321000.00"}, format="json")
        .status_code
        == 201
    )
    assert client_for(staff).post(f"/api/v1/lots/{lot_id}/filing/").status_code == 200
    assert Project.objects.get(pk=project_id).state == "closed"
    assert verify_trade_log() == []
