"""The live state's public part (竞价实时状态), one snapshot per listing in the cache.

Hundreds of bidders read the state of one lot once a second (or follow its stream); without
this each read would query the listing with its joins. The snapshot holds what every reader
may see: state, version, the end of the phase, current price, minimum next bid, bidder
numbers (the leader's, the winner's, and those that have bid) — never an identity, and the
reserve price only once the result is known. A reader adds its own standing from its own
registration (one query).

It is replaced on commit of every change of the listing (`install()` connects a post_save
hook that registers `transaction.on_commit`), read back from the database so it is the
committed row. A put replaces the stored snapshot only if it is not older (same listing
identity, lower version): a reader that rebuilt from an older row cannot put it back over a
newer one (compare-and-set in Redis, a lock in the local-memory cache). A missing snapshot,
or one whose phase end has passed (a time-driven move is due), sends the reader to the
database, which makes the move and rebuilds it. A lost refresh (a process killed between
commit and hook) is bounded by the snapshot's lifetime, TTL_SECONDS.

The local-memory cache of the embedded default is per process: correct for one process
(`runserver`), not shared between several workers; production uses Redis.
"""

from __future__ import annotations

import functools
import json
import threading
from datetime import datetime
from decimal import Decimal

# Imported with the module, not on the first bid: loading redis-py costs 0.2–0.3 s here,
# which the first bid of each worker paid at the opening burst (seconds under load).
import redis
import redis.asyncio
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_save

from auctions import rules
from auctions.models import Bid, Listing
from auctions.state_machine import BIDDING_STATES

TTL_SECONDS = 30
#: Bids in the snapshot's public history (the live panel's "latest bids").
LATEST_BIDS = 20
PUBLIC_STATES = frozenset(set(Listing.State) - {Listing.State.DRAFT})
#: States whose phase end triggers a time-driven move (settlement.is_due).
TIMED_STATES = frozenset(
    {Listing.State.ANNOUNCED, Listing.State.LISTING, Listing.State.LIVE, Listing.State.OPENING}
)

# KEYS[1] the snapshot's key; ARGV: the new JSON, its identity, its version, the TTL.
_PUT_IF_NOT_OLDER = """
local current = redis.call('GET', KEYS[1])
if current then
  local old = cjson.decode(current)
  if old['identity'] == ARGV[2] and tonumber(old['version']) > tonumber(ARGV[3]) then
    return 0
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[4]))
return 1
"""


def enabled() -> bool:
    return settings.AUCTIONS_LIVE_SNAPSHOT


def key(listing_id: int) -> str:
    return cache.make_key(f"auctions:live:{listing_id}")


def phase_end(listing: Listing) -> datetime | None:
    """The end of the current phase: what the countdown counts down to."""
    if listing.state == Listing.State.LIVE:
        return listing.ends_at
    if listing.state == Listing.State.LISTING:
        return listing.listing_ends_at
    if listing.state == Listing.State.TENDER:
        return listing.opening_at
    if listing.state == Listing.State.OPENING:
        return listing.opening_closes_at
    if listing.state == Listing.State.ANNOUNCED:
        if listing.method.code == "auction":
            return listing.auction_starts_at
        if listing.method.code == "tender":
            return listing.tender_starts_at
        if listing.category.code == "equity":
            return listing.listing_ends_at
        return listing.listing_starts_at
    return None


def reserve_visible(listing: Listing):
    """The reserve price, only once the result is known (39号令(国土) 第10条)."""
    return listing.reserve_price if listing.has_result else None


def _text(value) -> str | None:
    return None if value is None else str(value)


def snapshot_of(
    listing: Listing, *, bid_numbers: list[str] | None, latest_bids: list[dict] | None = None
) -> dict:
    """The public part of the live state of `listing` (with `leader` and `winner` loaded), as
    JSON-ready values. `bid_numbers`: the numbers that have bid; `latest_bids`: the last
    LATEST_BIDS bids as the public history shows them (None: not looked up)."""
    end = phase_end(listing)
    return {
        "listing_id": listing.pk,
        # A listing's pk may be reused by a recreated database: the CAS compares this too.
        "identity": f"{listing.pk}:{listing.created_at.isoformat()}",
        "version": listing.version,
        "state": listing.state,
        "ends_at": end.isoformat() if end else None,
        "current_price": _text(listing.current_price),
        "minimum_next_bid": str(
            rules.minimum_next_bid(
                current_price=listing.current_price,
                starting_price=listing.starting_price,
                increment=listing.increment,
            )
        ),
        "increment": str(listing.increment),
        "increment_rule": listing.increment_rule,
        "bid_count": listing.bid_count,
        "leader_number": listing.leader.number if listing.leader_id else None,
        "has_result": listing.has_result,
        "final_price": _text(listing.final_price),
        "winner_number": listing.winner.number if listing.winner_id else None,
        "reserve_price": _text(reserve_visible(listing)),
        "bid_numbers": bid_numbers,
        "latest_bids": latest_bids,
    }


def is_stale(snapshot: dict, now: datetime) -> bool:
    """A time-driven move is due (the phase has ended): the database must make it first."""
    if snapshot["state"] not in TIMED_STATES or snapshot["ends_at"] is None:
        return False
    return now >= datetime.fromisoformat(snapshot["ends_at"])


def bid_numbers(listing_id: int) -> list[str]:
    """The numbers that have bid, each once (`order_by()`: the model's default ordering would
    add its columns to the DISTINCT and return one row per bid)."""
    return sorted(
        Bid.objects.filter(listing_id=listing_id)
        .order_by()
        .values_list("registration__number", flat=True)
        .distinct()
    )


def bid_entry(*, sequence: int, number: str, amount, placed_at: datetime, phase: str) -> dict:
    """One bid as the public history shows it: its bidder number, never an identity."""
    return {
        "sequence": sequence,
        "number": number,
        "amount": str(amount),
        "placed_at": placed_at.isoformat(),
        "phase": phase,
    }


def latest_bids(listing_id: int) -> list[dict]:
    return [
        bid_entry(sequence=sequence, number=number, amount=amount, placed_at=at, phase=phase)
        for sequence, number, amount, at, phase in Bid.objects.filter(listing_id=listing_id)
        .order_by("-sequence")
        .values_list("sequence", "registration__number", "amount", "placed_at", "phase")[
            :LATEST_BIDS
        ]
    ]


def build(listing: Listing) -> dict:
    """The snapshot of a loaded listing (two queries: the numbers that have bid, the latest
    bids), stored when the listing is public. Returns it either way."""
    snapshot = snapshot_of(
        listing, bid_numbers=bid_numbers(listing.pk), latest_bids=latest_bids(listing.pk)
    )
    if enabled() and listing.state in PUBLIC_STATES:
        _store().put(snapshot)
    return snapshot


def refresh(listing_id: int) -> None:
    """Rebuild from the committed row (run on commit of a change)."""
    listing = (
        Listing.objects.select_related("category", "method", "leader", "winner")
        .filter(pk=listing_id)
        .first()
    )
    if listing is None or listing.state not in PUBLIC_STATES:
        _store().forget(listing_id)
        return
    build(listing)


def publish_bid(listing: Listing, bid: Bid, number: str) -> None:
    """On commit of an accepted bid: the snapshot from the row the bid's transaction just
    wrote (locked, so it is the committed row), without reading it back. The numbers that
    have bid and the latest bids are the previous snapshot's with this bid added when that
    snapshot is the one just before (same identity, version one lower); otherwise they are
    queried. The put is compare-and-set on the version like every other."""
    if not enabled():
        return
    store = _store()
    snapshot = snapshot_of(listing, bid_numbers=None)
    previous = store.get(listing.pk)
    if (
        previous is not None
        and previous["identity"] == snapshot["identity"]
        and previous["version"] == listing.version - 1
        and previous["bid_numbers"] is not None
        and previous.get("latest_bids") is not None
    ):
        numbers = previous["bid_numbers"]
        if number not in numbers:
            numbers = sorted([*numbers, number])
        entry = bid_entry(
            sequence=bid.sequence,
            number=number,
            amount=bid.amount,
            placed_at=bid.placed_at,
            phase=bid.phase,
        )
        latest = [entry, *previous["latest_bids"][: LATEST_BIDS - 1]]
    else:
        numbers, latest = bid_numbers(listing.pk), latest_bids(listing.pk)
    snapshot["bid_numbers"], snapshot["latest_bids"] = numbers, latest
    store.put(snapshot)


def minimum_refusal(listing_id: int, amount, now: datetime) -> rules.BidRefusal | None:
    """A `too_low` refusal read from the snapshot alone, or None (undecided: the locked path
    decides). Safe because a snapshot never shows a higher minimum than the committed row:
    it is written only after a commit, from the committed values, and while bidding the
    price only rises (the increment and the starting price never change once announced), so
    an older snapshot shows a lower minimum, never a higher one. A snapshot whose phase has
    ended, or of a listing not in a bidding state, decides nothing."""
    snapshot = current(listing_id, now)
    if snapshot is None or snapshot["state"] not in BIDDING_STATES:
        return None
    return rules.too_low(amount, Decimal(snapshot["minimum_next_bid"]))


def current(listing_id: int, now: datetime) -> dict | None:
    """The listing's snapshot if it can answer for the database: stored, of this listing,
    and with no time-driven move due. None: the database decides."""
    snapshot = get(listing_id)
    if snapshot is None or snapshot["listing_id"] != listing_id or is_stale(snapshot, now):
        return None
    return snapshot


def is_public_now(listing_id: int, now: datetime) -> bool:
    """The listing is public with no move due, by its snapshot alone (one is stored only for
    a public listing and forgotten when it leaves the public states)."""
    snapshot = current(listing_id, now)
    return snapshot is not None and snapshot["state"] in PUBLIC_STATES


def get(listing_id: int) -> dict | None:
    return _store().get(listing_id) if enabled() else None


async def aget(listing_id: int) -> dict | None:
    """`get` for the event loop of an ASGI worker (the streams' watch)."""
    if not enabled():
        return None
    store = _store()
    if isinstance(store, _RedisStore):
        raw = await store.async_client().get(key(listing_id))
        return None if raw is None else json.loads(raw)
    return store.get(listing_id)


def _listing_saved(sender, instance: Listing, **kwargs) -> None:
    if enabled():
        transaction.on_commit(functools.partial(refresh, instance.pk), robust=True)


def install() -> None:
    post_save.connect(_listing_saved, sender=Listing, dispatch_uid="auctions.live.refresh")


# --- Where snapshots are kept --------------------------------------------------------------


class _RedisStore:
    def __init__(self, url: str):
        self.url = url
        self.client = redis.Redis.from_url(url)
        self._async = None
        self.put_script = self.client.register_script(_PUT_IF_NOT_OLDER)

    def async_client(self):
        """One asyncio client per event loop (a client is bound to the loop it runs on)."""
        import asyncio

        loop = asyncio.get_running_loop()
        if self._async is None or self._async[0] is not loop:
            self._async = (loop, redis.asyncio.Redis.from_url(self.url))
        return self._async[1]

    def get(self, listing_id: int) -> dict | None:
        raw = self.client.get(key(listing_id))
        return None if raw is None else json.loads(raw)

    def put(self, snapshot: dict) -> bool:
        return bool(
            self.put_script(
                keys=[key(snapshot["listing_id"])],
                args=[json.dumps(snapshot), snapshot["identity"], snapshot["version"], TTL_SECONDS],
            )
        )

    def forget(self, listing_id: int) -> None:
        self.client.delete(key(listing_id))


class _LocalStore:
    """Django's configured cache (local memory in the embedded default), guarded by a lock."""

    lock = threading.Lock()

    def get(self, listing_id: int) -> dict | None:
        return cache.get(f"auctions:live:{listing_id}")

    def put(self, snapshot: dict) -> bool:
        name = f"auctions:live:{snapshot['listing_id']}"
        with self.lock:
            old = cache.get(name)
            if (
                old is not None
                and old["identity"] == snapshot["identity"]
                and old["version"] > snapshot["version"]
            ):
                return False
            cache.set(name, snapshot, TTL_SECONDS)
            return True

    def forget(self, listing_id: int) -> None:
        cache.delete(f"auctions:live:{listing_id}")


@functools.cache
def _store_for(url: str):
    return _RedisStore(url) if url else _LocalStore()


def _store():
    return _store_for(settings.REDIS_URL)
