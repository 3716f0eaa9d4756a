"""Who a draw invites, in which order, and who finally sits: a pure, re-computable sequence.

The algorithm (`ALGORITHM`, recorded on every draw):

1. Before anything is drawn the platform takes a 32-byte seed from the operating system's
   CSPRNG and publishes its commitment, SHA-256(seed), together with the digest of the
   eligible set of every specialty group (`eligible_digest`), in the trade log.
2. The public value is the hash of that trade-log entry: it exists only once the commitment
   has been written (it covers the commitment, the entry's time and the previous entry).
3. Each group g (in request order) gets its own HMAC-DRBG (SHA-256, SP 800-90A) instantiated
   with entropy = seed, nonce = public value, personalisation = "expert-draw/v1|draw=<id>|
   group=<g>", and orders its eligible experts (sorted by id) by a partial Fisher–Yates
   shuffle: position i takes the element at i + randbelow(n − i), randbelow being rejection
   sampling (no modulo bias). The order is produced lazily, one position at a time.
4. Groups are filled in request order with `count + backups` experts each, taking the next
   expert of the group's order who has not been invited by this draw yet (an expert with two
   specialties is invited once).
5. Each vacancy — a decline, no answer in time, a recusal, an expert no longer eligible when
   invited — removes that expert from its group, which is refilled from its order (step 4).
   Vacancies are replayed in the order they were recorded.
6. The members are, per group, the first `count` experts still holding an invitation, in
   invitation order; the rest are reserves.

`verify_draw(audit_record)` re-runs steps 3–6 from the record once the seed is revealed and
returns the members; it refuses a record whose seed, eligible sets or invitations do not
match what was committed.
"""

import hashlib
import itertools
import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import orjson

from experts.drbg import HmacDrbg

ALGORITHM = "expert-draw/v1"
ALGORITHM_DESCRIPTION = (
    "commitment = SHA-256(seed); per group HMAC-DRBG/SHA-256 (SP 800-90A) with entropy = seed, "
    "nonce = public value (hash of the commitment's trade-log entry), personalisation = "
    "'expert-draw/v1|draw=<id>|group=<position>'; partial Fisher-Yates over the eligible ids "
    "sorted ascending, randbelow by rejection sampling; groups filled in order with "
    "count + backups experts not yet invited; vacancies replayed in recorded order refill "
    "their group; members = first count holders per group."
)
SEED_BYTES = 32


class AuditMismatch(ValueError):
    """The audit record does not re-run: a digest, the commitment or the sequence differs."""


@dataclass(frozen=True)
class GroupSpec:
    """One specialty group of a draw: how many members, how many reserves, from whom."""

    code: str
    count: int
    backups: int
    eligible: tuple[int, ...]  # expert ids, sorted ascending, unique


@dataclass(frozen=True)
class Invite:
    group: int  # position of the group in the request
    expert_id: int


def commitment_of(seed: bytes) -> str:
    return hashlib.sha256(seed).hexdigest()


def group_digest(eligible: Sequence[int]) -> str:
    """SHA-256 of the group's eligible ids, ascending, comma-separated (in decimal).

    The ids are printed by orjson, whose JSON array of integers is exactly the ids in
    decimal joined by commas between two brackets: ten times faster than `str` on each of
    20,000 ids, the same bytes (tests/experts/test_draw_plan.py compares the two)."""
    ids = orjson.dumps(eligible if isinstance(eligible, list | tuple) else list(eligible))
    return hashlib.sha256(b"expert-draw/v1|eligible|" + ids[1:-1]).hexdigest()


def eligible_digest(groups: Sequence[GroupSpec], digests: Sequence[str] | None = None) -> str:
    """The digest published in the commitment: every group's parameters and eligible set
    (`digests`: the groups' own digests, when the caller has them already)."""
    digests = digests or [group_digest(group.eligible) for group in groups]
    lines = [
        f"{position}|{group.code}|{group.count}|{group.backups}|{digest}"
        for position, (group, digest) in enumerate(zip(groups, digests, strict=True))
    ]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def personalization(draw_id: int, position: int) -> bytes:
    return f"{ALGORITHM}|draw={draw_id}|group={position}".encode()


class _LazyOrder:
    """A uniformly random order of `items`, produced one position at a time (partial
    Fisher–Yates): the first k positions are a uniform k-permutation whatever k is."""

    def __init__(self, drbg: HmacDrbg, items: Sequence[int]):
        self._drbg = drbg
        self._items = list(items)
        self._next = 0

    def next(self) -> int | None:
        i = self._next
        remaining = len(self._items) - i
        if remaining <= 0:
            return None
        j = i + self._drbg.randbelow(remaining)
        self._items[i], self._items[j] = self._items[j], self._items[i]
        self._next += 1
        return self._items[i]


class DrawSequence:
    """The deterministic state of one draw: invitations so far, members and reserves.

    The services use it to decide whom to invite next; `verify_draw` uses it to re-run a
    draw from its audit record. Same inputs, same vacancies in the same order → the same
    invitations.
    """

    def __init__(
        self, *, seed: bytes, public_value: bytes, draw_id: int, groups: Sequence[GroupSpec]
    ):
        self.groups = tuple(groups)
        for group in self.groups:
            eligible = group.eligible
            # Strictly ascending is sorted and unique (one pass, no set or copy of 20,000 ids).
            if not all(map(operator.lt, eligible, itertools.islice(eligible, 1, None))):
                raise ValueError("eligible ids must be sorted ascending and unique")
            if group.count < 1 or group.backups < 0:
                raise ValueError("a group draws at least one member and no negative reserves")
        self._orders = [
            _LazyOrder(
                HmacDrbg(
                    entropy=seed,
                    nonce=public_value,
                    personalization=personalization(draw_id, position),
                ),
                group.eligible,
            )
            for position, group in enumerate(self.groups)
        ]
        self._used: set[int] = set()
        self._holders: list[list[int]] = [[] for _ in self.groups]
        self._group_of: dict[int, int] = {}
        self._invited: list[Invite] = []
        self._started = False

    def _fill(self, position: int) -> list[Invite]:
        group = self.groups[position]
        holders = self._holders[position]
        new: list[Invite] = []
        while len(holders) < group.count + group.backups:
            expert = self._orders[position].next()
            if expert is None:
                break
            if expert in self._used:
                continue
            self._used.add(expert)
            self._group_of[expert] = position
            holders.append(expert)
            invite = Invite(position, expert)
            self._invited.append(invite)
            new.append(invite)
        return new

    def start(self) -> list[Invite]:
        """The first invitations: every group filled in request order."""
        if self._started:
            raise RuntimeError("the sequence has started already")
        self._started = True
        invites: list[Invite] = []
        for position in range(len(self.groups)):
            invites += self._fill(position)
        return invites

    def vacate(self, expert_id: int) -> list[Invite]:
        """The expert no longer holds the invitation: refill the group from its order."""
        position = self._group_of.get(expert_id)
        if position is None or expert_id not in self._holders[position]:
            raise AuditMismatch(f"expert {expert_id} holds no invitation of this draw")
        self._holders[position].remove(expert_id)
        return self._fill(position)

    @property
    def invited(self) -> tuple[Invite, ...]:
        return tuple(self._invited)

    def holders(self, position: int) -> tuple[int, ...]:
        return tuple(self._holders[position])

    def members(self) -> list[list[int]]:
        return [
            holders[: group.count]
            for holders, group in zip(self._holders, self.groups, strict=True)
        ]

    def reserves(self) -> list[list[int]]:
        return [
            holders[group.count :]
            for holders, group in zip(self._holders, self.groups, strict=True)
        ]

    def shortfall(self) -> dict[int, int]:
        """Groups whose eligible set ran out, with the number of members missing."""
        return {
            position: group.count - len(holders)
            for position, (holders, group) in enumerate(
                zip(self._holders, self.groups, strict=True)
            )
            if len(holders) < group.count
        }


def replay(
    *,
    seed: bytes,
    public_value: bytes,
    draw_id: int,
    groups: Sequence[GroupSpec],
    vacancies: Sequence[int],
) -> DrawSequence:
    """The draw's sequence after its first invitations and the recorded vacancies."""
    sequence = DrawSequence(seed=seed, public_value=public_value, draw_id=draw_id, groups=groups)
    sequence.start()
    for expert in vacancies:
        sequence.vacate(expert)
    return sequence


def verify_draw(audit_record: Mapping) -> list[int]:
    """Re-run a draw from its audit record and return the members' expert ids (group by
    group, in invitation order). Raises AuditMismatch when the record does not hold up:
    the seed does not match the commitment, an eligible set does not match its digest, or
    the recorded invitations differ from the re-run."""
    if audit_record.get("algorithm") != ALGORITHM:
        raise AuditMismatch(f"unknown algorithm {audit_record.get('algorithm')!r}")
    seed_hex = audit_record.get("seed")
    if not seed_hex:
        raise AuditMismatch("the seed is revealed only once the evaluation has started")
    seed = bytes.fromhex(seed_hex)
    if commitment_of(seed) != audit_record["commitment"]:
        raise AuditMismatch("SHA-256(seed) differs from the published commitment")
    groups = []
    for position, raw in enumerate(audit_record["groups"]):
        group = GroupSpec(
            code=raw["specialty"],
            count=int(raw["count"]),
            backups=int(raw["backups"]),
            eligible=tuple(int(expert) for expert in raw["eligible"]),
        )
        if group_digest(group.eligible) != raw["eligible_digest"]:
            raise AuditMismatch(f"group {position}: the eligible set does not match its digest")
        groups.append(group)
    if eligible_digest(groups) != audit_record["eligible_digest"]:
        raise AuditMismatch("the eligible sets differ from the committed digest")
    sequence = replay(
        seed=seed,
        public_value=bytes.fromhex(audit_record["public_value"]),
        draw_id=int(audit_record["draw"]),
        groups=groups,
        vacancies=[int(expert) for expert in audit_record.get("vacancies", [])],
    )
    recorded = audit_record.get("invitations")
    if recorded is not None:
        expected = [(invite.group, invite.expert_id) for invite in sequence.invited]
        actual = [(int(row["group"]), int(row["expert"])) for row in recorded]
        if expected != actual:
            raise AuditMismatch("the recorded invitations differ from the re-run")
    return [expert for members in sequence.members() for expert in members]
