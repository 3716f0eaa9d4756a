"""Appending to the trade log. Every service that changes a trade calls `append_entry`."""

from typing import Any

from django.db import connection, models
from django.utils import timezone

from portal.tradelog.chain import ChainFields, canonical_json, normalise_payload, sha256_hex
from portal.tradelog.models import TradeLogEntry, TradeLogHead


class TradeLogOutsideTransaction(RuntimeError):
    """The log must be written in the transaction of the change it records."""


def append_entry(
    *,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    actor: Any = None,
    payload: dict | None = None,
    category: str = "",
    centre_id: int | None = None,
) -> TradeLogEntry:
    """Append one entry, chained to the previous one.

    Call it last in the service's atomic block: the head row's lock is held to commit, and
    it is what orders the chain (seq order is commit order).
    """
    if not connection.in_atomic_block:
        raise TradeLogOutsideTransaction(
            "append_entry must run inside the transaction of the change it records"
        )
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    stored_payload = normalise_payload(payload or {})
    payload_digest = sha256_hex(canonical_json(stored_payload))
    actor_id = getattr(actor, "pk", None) if actor is not None and actor.is_authenticated else None

    head, _ = TradeLogHead.objects.select_for_update().get_or_create(id=1)
    fields = ChainFields(
        seq=head.seq + 1,
        occurred_at=timezone.now(),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        actor_id=actor_id,
        category=category,
        centre_id_ref=centre_id,
        payload_digest=payload_digest,
        prev_hash=head.entry_hash,
    )
    entry_hash = fields.entry_hash()
    entry = TradeLogEntry.objects.create(
        seq=fields.seq,
        occurred_at=fields.occurred_at,
        action=action,
        object_type=fields.object_type,
        object_id=fields.object_id,
        actor_id=actor_id,
        category=category,
        centre_id_ref=centre_id,
        payload=stored_payload,
        payload_digest=payload_digest,
        prev_hash=fields.prev_hash,
        entry_hash=entry_hash,
    )
    TradeLogHead.objects.filter(id=1).update(seq=fields.seq, entry_hash=entry_hash)
    return entry
