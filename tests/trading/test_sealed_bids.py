"""Sealed until the opening, failed decryptions, due events, too few bidders, late changes,
suspension — the rules around the bid box."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage

from portal.errors import ApplicationError
from portal.tradelog.models import TradeLogEntry
from tests import factories
from tests.trading.conftest import SECRETS, client_for, local, submit
from trading.models import Announcement, BidSubmission, Lot, OpeningSession, Schedule
from trading.services import openings, projects

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_bids(announced, bidders):
    lot = announced.lots.get()
    return {
        key: submit(lot, bidders[key], key, price)[0]
        for key, price in {"a": "4321000.00", "b": "4198000.00", "c": "4560000.00"}.items()
    }


def test_before_the_opening_no_role_reads_who_or_how_much(
    announced, three_bids, bidders, staff, other_staff, tenderee, regulator, platform_admin, api
):
    readers = {
        "staff": staff,
        "other_staff": other_staff,
        "tenderee": tenderee,
        "regulator": regulator,
        "admin": platform_admin,
        "bidder_a": bidders["a"],
    }
    secrets_in_clear = [b.entity.name for b in three_bids.values()] + [
        "4321000",
        "4198000",
        "4560000",
    ]
    for name, reader in readers.items():
        response = client_for(reader).get(f"/api/v1/projects/{announced.pk}/bids/")
        assert response.status_code == 200, name
        text = response.content.decode()
        own = bidders["a"].entity.name if name == "bidder_a" else None
        for secret in secrets_in_clear:
            if secret != own:
                assert secret not in text, (name, secret)
        # Only those who run the opening know how many bids arrived (招标投标法 第22条).
        counted = response.data["lots"][0].get("bids_received")
        assert counted == (3 if name in {"staff", "tenderee"} else None), name
    # The public sees the project, not the bids.
    assert api.get(f"/api/v1/projects/{announced.pk}/bids/").status_code in {401, 403}
    # Nothing in the model holds a price before decryption (a check constraint forbids it).
    assert not BidSubmission.objects.filter(price__isnull=False).exists()


def _open(announced, staff, venue, clock):
    clock.move_to(local(2026, 3, 23, 9, 30))
    session = openings.schedule_opening(project=announced, actor=staff, venue=venue)
    return openings.start_opening(session=session, actor=staff)


def test_undecrypted_bids_are_rejected_with_the_consequence_by_cause(
    announced, three_bids, bidders, staff, venue, clock
):
    session = _open(announced, staff, venue, clock)
    openings.decrypt_bid(bid=three_bids["a"], actor=bidders["a"], secret=SECRETS["a"])
    # b's stored envelope is damaged: not b's fault.
    b = three_bids["b"]
    with default_storage.open(b.envelope.name, "rb") as handle:
        data = bytearray(handle.read())
    data[len(data) // 2] ^= 0xFF
    default_storage.delete(b.envelope.name)
    default_storage.save(b.envelope.name, __import__("io").BytesIO(bytes(data)))
    outcome = openings.decrypt_bid(bid=b, actor=bidders["b"], secret=SECRETS["b"])
    assert not outcome.ok and outcome.cause == "corrupted"
    # c never tries.
    clock.shift(timedelta(minutes=31))
    assert openings.close_opening(session=session) is not None
    b.refresh_from_db()
    c = BidSubmission.objects.get(pk=three_bids["c"].pk)
    assert b.state == c.state == "rejected"
    assert "电子招标投标办法 第31条" in b.rejection_reason
    consequences = dict(
        TradeLogEntry.objects.filter(action="bid.rejected_not_decrypted").values_list(
            "object_id", "payload__consequence"
        )
    )
    assert consequences == {str(b.pk): "withdrawn", str(c.pk): "revoked"}
    assert BidSubmission.objects.get(pk=three_bids["a"].pk).price == Decimal("4321000.00")


def test_the_window_closes_on_read_without_any_worker(
    announced, three_bids, bidders, staff, venue, clock, api
):
    session = _open(announced, staff, venue, clock)
    for key in "abc":
        openings.decrypt_bid(bid=three_bids[key], actor=bidders[key], secret=SECRETS[key])
    clock.shift(timedelta(minutes=30, seconds=1))
    assert api.get(f"/api/v1/openings/{session.pk}/").data["state"] == "closed"
    assert Lot.objects.get(project=announced).state == "opened"
    assert Announcement.objects.filter(project=announced, kind="opening_record").exists()


def test_decryption_outside_the_window_is_refused_and_logged(
    announced, three_bids, bidders, staff, venue, clock
):
    outcome = openings.decrypt_bid(bid=three_bids["a"], actor=bidders["a"], secret=SECRETS["a"])
    assert not outcome.ok and outcome.cause == "outside_window"
    assert three_bids["a"].attempts.filter(outcome="outside_window").exists()


def test_too_few_bidders_fail_the_lot_at_the_opening(announced, bidders, staff, venue, clock):
    lot = announced.lots.get()
    submit(lot, bidders["a"], "a")
    submit(lot, bidders["b"], "b")
    _open(announced, staff, venue, clock)
    lot.refresh_from_db()
    assert lot.state == "failed"
    assert "招标投标法 第28条" in lot.failure_reason
    assert Announcement.objects.filter(lot=lot, kind="failure").exists()


def test_a_late_change_pushes_the_deadline_by_the_rule(announced, tenderee, clock):
    clock.move_to(local(2026, 3, 16, 10, 0))  # 7 days before the deadline; the law wants 15
    announcement = projects.publish_clarification(
        project=announced,
        actor=tenderee,
        title="变更公告",
        body="工程量清单更正",
        affects_bid_preparation=True,
    )
    schedule = Schedule.objects.get(project=announced)
    assert schedule.bid_deadline == local(2026, 3, 31, 9, 30)  # 16 March + 15 days
    assert schedule.opening_at == local(2026, 3, 31, 9, 30)
    assert announcement.kind == "change" and announcement.data["deadline_pushed"]
    # A clarification that does not affect the preparation of bids leaves it.
    projects.publish_clarification(
        project=announced, actor=tenderee, title="答疑", body="……", affects_bid_preparation=False
    )
    assert Schedule.objects.get(project=announced).bid_deadline == local(2026, 3, 31, 9, 30)


def test_a_suspended_project_blocks_the_next_step(announced, bidders, staff, venue, clock):
    lot = announced.lots.get()
    type(announced).objects.filter(pk=announced.pk).update(
        suspended=True, suspension_reason="投诉处理中"
    )
    with pytest.raises(ApplicationError) as refused:
        submit(lot, bidders["a"], "a")
    assert refused.value.code == "project_suspended"
    clock.move_to(local(2026, 3, 23, 9, 30))
    with pytest.raises(ApplicationError):
        openings.schedule_opening(project=announced, actor=staff, venue=venue)
    assert not OpeningSession.objects.exists()


def test_only_the_project_centre_registers_and_hosts(announced, other_staff, venue, clock):
    clock.move_to(local(2026, 3, 23, 9, 30))
    with pytest.raises(ApplicationError) as refused:
        openings.schedule_opening(project=announced, actor=other_staff, venue=venue)
    assert refused.value.status_code == 403


def test_one_live_bid_per_entity_and_lot(announced, bidders):
    lot = announced.lots.get()
    submit(lot, bidders["a"], "a")
    with pytest.raises(ApplicationError) as refused:
        submit(lot, bidders["a"], "a")
    assert refused.value.code == "bid_exists"
    # The refused upload left no orphan envelope behind.
    assert len(default_storage.listdir(f"sealed-bids/{lot.pk}")[1]) == 1


def test_a_weak_secret_is_refused_before_anything_is_stored(announced, bidders):
    from trading.services import bids

    with pytest.raises(ApplicationError) as refused:
        bids.submit_bid(
            lot=announced.lots.get(),
            actor=bidders["a"],
            price=Decimal("1.00"),
            documents=[("a.pdf", b"x")],
            secret="short",
            security=bids.SecurityInput(form="cash", amount=Decimal("100000")),
        )
    assert refused.value.fields.get("secret")
    assert not BidSubmission.objects.exists()


def test_non_bidder_roles_cannot_bid(announced, staff, tenderee, regulator):
    for user in (staff, tenderee, regulator, factories.UserFactory(role="expert")):
        with pytest.raises(ApplicationError) as refused:
            submit(announced.lots.get(), user, "a")
        assert refused.value.status_code == 403
