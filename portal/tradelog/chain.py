"""Pure functions of the hash chain: canonical encoding, digests, verification."""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64


def canonical_json(value: Any) -> str:
    """One byte-exact encoding: sorted keys, no blanks, UTF-8 text, non-JSON types as text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def normalise_payload(payload: dict) -> dict:
    """The payload as it will read back from the database (Decimals, dates become text)."""
    return json.loads(canonical_json(payload))


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainFields:
    """What an entry's hash covers."""

    seq: int
    occurred_at: datetime
    action: str
    object_type: str
    object_id: str
    actor_id: int | None
    category: str
    centre_id_ref: int | None
    payload_digest: str
    prev_hash: str

    def material(self) -> str:
        return canonical_json(
            {
                "seq": self.seq,
                "occurred_at": self.occurred_at.astimezone(UTC).isoformat(),
                "action": self.action,
                "object_type": self.object_type,
                "object_id": self.object_id,
                "actor_id": self.actor_id,
                "category": self.category,
                "centre_id_ref": self.centre_id_ref,
                "payload_digest": self.payload_digest,
                "prev_hash": self.prev_hash,
            }
        )

    def entry_hash(self) -> str:
        return sha256_hex(self.material())


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    kind: str  # "missing" | "payload_altered" | "entry_altered" | "broken_link" | "head_mismatch"
    detail: str


def verify_entries(entries: Iterable[Any], head_seq: int | None = None) -> list[ChainProblem]:
    """Check a stream of entries (ordered by seq) against the chain; return every problem.

    Each entry needs the attributes of `ChainFields` plus `payload` and `entry_hash`.
    """
    problems: list[ChainProblem] = []
    expected_seq = 1
    prev_hash = GENESIS_HASH
    for entry in entries:
        if entry.seq != expected_seq:
            problems.append(
                ChainProblem(
                    expected_seq,
                    "missing",
                    f"entries {expected_seq}..{entry.seq - 1} are missing",
                )
            )
        if sha256_hex(canonical_json(entry.payload)) != entry.payload_digest:
            problems.append(
                ChainProblem(entry.seq, "payload_altered", "payload does not match its digest")
            )
        if entry.prev_hash != prev_hash:
            problems.append(
                ChainProblem(entry.seq, "broken_link", "previous-hash link does not match")
            )
        fields = ChainFields(
            seq=entry.seq,
            occurred_at=entry.occurred_at,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            actor_id=entry.actor_id,
            category=entry.category,
            centre_id_ref=entry.centre_id_ref,
            payload_digest=entry.payload_digest,
            prev_hash=entry.prev_hash,
        )
        if fields.entry_hash() != entry.entry_hash:
            problems.append(
                ChainProblem(entry.seq, "entry_altered", "entry does not match its hash")
            )
        prev_hash = entry.entry_hash
        expected_seq = entry.seq + 1
    if head_seq is not None and head_seq != expected_seq - 1:
        problems.append(
            ChainProblem(
                expected_seq,
                "head_mismatch",
                f"the chain head says {head_seq} entries, the log holds {expected_seq - 1}",
            )
        )
    return problems
