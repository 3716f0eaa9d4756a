"""Reads of the trade log."""

from portal.tradelog.chain import ChainProblem, verify_entries
from portal.tradelog.models import TradeLogEntry, TradeLogHead


def verify_trade_log(*, using: str = "default") -> list[ChainProblem]:
    """Every problem in the chain: missing, altered or re-linked entries, or a wrong head."""
    head = TradeLogHead.objects.using(using).filter(id=1).first()
    entries = (
        TradeLogEntry.objects.using(using)
        .order_by("seq")
        .only(
            "seq",
            "occurred_at",
            "action",
            "object_type",
            "object_id",
            "actor_id",
            "category",
            "centre_id_ref",
            "payload",
            "payload_digest",
            "prev_hash",
            "entry_hash",
        )
        .iterator(chunk_size=2000)
    )
    return verify_entries(entries, head_seq=head.seq if head else None)


def entries_for_object(obj_type: str, obj_id: str | int):
    return TradeLogEntry.objects.filter(object_type=obj_type, object_id=str(obj_id)).order_by("seq")
