"""The trade log: append-only in the database, hash-chained, tampering found (H1, H4, H7)."""

import pgtrigger
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, transaction

from portal.tradelog.models import TradeLogEntry, TradeLogHead
from portal.tradelog.selectors import verify_trade_log
from portal.tradelog.services import TradeLogOutsideTransaction, append_entry

pytestmark = pytest.mark.django_db

IGNORE = "tradelog.TradeLogEntry:trade_log_append_only"


def _append(n: int, actor=None) -> list[TradeLogEntry]:
    entries = []
    for i in range(n):
        with transaction.atomic():
            entries.append(
                append_entry(
                    action="test.step",
                    object_type="test",
                    object_id=i,
                    actor=actor,
                    payload={"price": "1000000.00", "lot": i, "名称": "标段"},
                )
            )
    return entries


def test_entries_chain_and_verify(bidder_a):
    entries = _append(5, actor=bidder_a)
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[1].prev_hash == entries[0].entry_hash
    assert verify_trade_log() == []
    assert TradeLogHead.objects.get().seq == 5
    call_command("verify_trade_log")


@pytest.mark.django_db(transaction=True)
def test_append_outside_a_transaction_is_refused():
    with pytest.raises(TradeLogOutsideTransaction):
        append_entry(action="x", object_type="t", object_id=1)
    assert not TradeLogEntry.objects.exists()


def test_update_and_delete_are_refused_by_the_database():
    entry = _append(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        TradeLogEntry.objects.filter(pk=entry.pk).update(action="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        TradeLogEntry.objects.filter(pk=entry.pk).delete()
    assert TradeLogEntry.objects.get(pk=entry.pk).action == "test.step"


def test_altered_payload_is_found():
    entries = _append(3)
    with pgtrigger.ignore(IGNORE):  # what a DBA with the trigger disabled could do
        TradeLogEntry.objects.filter(pk=entries[1].pk).update(payload={"price": "1.00"})
    problems = verify_trade_log()
    assert [(p.seq, p.kind) for p in problems] == [(2, "payload_altered")]
    with pytest.raises(CommandError):
        call_command("verify_trade_log")


def test_payload_and_digest_rewritten_together_are_found():
    from portal.tradelog.chain import canonical_json, sha256_hex

    entries = _append(3)
    forged = {"price": "1.00"}
    with pgtrigger.ignore(IGNORE):
        TradeLogEntry.objects.filter(pk=entries[1].pk).update(
            payload=forged, payload_digest=sha256_hex(canonical_json(forged))
        )
    assert [(p.seq, p.kind) for p in verify_trade_log()] == [(2, "entry_altered")]


def test_deleted_entry_is_found():
    entries = _append(4)
    with pgtrigger.ignore(IGNORE):
        TradeLogEntry.objects.filter(pk=entries[2].pk).delete()
    kinds = {(p.seq, p.kind) for p in verify_trade_log()}
    assert (3, "missing") in kinds
    assert (4, "broken_link") in kinds


def test_truncated_tail_is_found_by_the_head():
    entries = _append(3)
    with pgtrigger.ignore(IGNORE):
        TradeLogEntry.objects.filter(pk=entries[2].pk).delete()
    assert [p.kind for p in verify_trade_log()] == ["head_mismatch"]
