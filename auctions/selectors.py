"""Reads of auctions, with who-may-see-what applied: the reserve price stays secret until
the result, competitors appear only as bidder numbers, drafts only to the centre's staff."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from auctions import live, policies
from auctions.compiled import CompiledQuery
from auctions.models import AuctionAnnouncement, Bid, Listing, Registration
from auctions.services.settlement import advance_listing, is_due, run_due_events

PUBLIC_STATES = live.PUBLIC_STATES


def listing_detail(listing_id: int) -> Listing:
    return Listing.objects.select_related(
        "category", "method", "centre", "region", "transferor", "leader", "winner__entity"
    ).get(pk=listing_id)


def listing_for_reader(user, listing_id: int, *, sweep: bool = True) -> Listing:
    """The listing if `user` may read it: anyone once announced; a draft only to its
    centre's staff (404 to others, not a hint that it exists). A due move is made first."""
    try:
        listing = listing_detail(listing_id)
    except Listing.DoesNotExist as exc:
        raise Http404 from exc
    if sweep and is_due(listing, timezone.now()):
        advance_listing(listing.pk)
        listing = listing_detail(listing_id)
    if listing.state in PUBLIC_STATES or policies.is_centre_staff_of(user, listing):
        return listing
    raise Http404


def public_listings() -> QuerySet[Listing]:
    run_due_events()
    return (
        Listing.objects.exclude(state=Listing.State.DRAFT)
        .select_related("category", "method", "centre", "region")
        .order_by("-announcement_published_at", "-pk")
    )


def centre_listings(centre) -> QuerySet[Listing]:
    run_due_events()
    return (
        Listing.objects.filter(centre=centre)
        .select_related("category", "method", "region")
        .order_by("-created_at")
    )


def own_registration(user, listing: Listing) -> Registration | None:
    if not policies.is_bidder(user):
        return None
    return Registration.objects.filter(listing=listing, entity_id=user.entity_id).first()


def reserve_visible(listing: Listing):
    """The reserve price, only once the result is known (39号令(国土) 第10条)."""
    return live.reserve_visible(listing)


@dataclass(frozen=True)
class LiveState:
    """What a bidder's screen shows: the listing's public snapshot and the reader's own
    standing. Competitors are numbers; the reserve stays secret until the result."""

    listing_id: int
    state: str
    version: int
    server_time: datetime
    ends_at: datetime | None
    seconds_left: int | None
    current_price: object
    minimum_next_bid: object
    increment: object
    increment_rule: str
    bid_count: int
    leader_number: str | None
    own_number: str | None
    own_standing: str
    deposit_state: str | None
    final_price: object
    winner_number: str | None
    reserve_price: object

    def as_dict(self) -> dict:
        return {
            key: (str(value) if hasattr(value, "quantize") else value)
            for key, value in self.__dict__.items()
        }


@dataclass(frozen=True)
class OwnRegistration:
    """The reader's bidder number and deposit state on one listing."""

    number: str
    deposit_state: str


_OWN_REGISTRATION = CompiledQuery(
    lambda listing_id, entity_id: (
        Registration.objects.filter(listing_id=listing_id, entity_id=entity_id)
        .order_by()
        .values_list("number", "deposit_state")[:1]
    ),
    listing_id=-1,
    entity_id=-2,
)


def own_registration_of(user, listing_id: int) -> OwnRegistration | None:
    """One indexed query (the registration is unique per listing and entity), compiled once:
    every poll and stream opening of every bidder runs it."""
    if not policies.is_bidder(user):
        return None
    rows = _OWN_REGISTRATION.values(listing_id=listing_id, entity_id=user.entity_id)
    return OwnRegistration(*rows[0]) if rows else None


def own_standing(user, snapshot: dict, own: OwnRegistration | None, *, has_bid) -> str:
    """leading, outbid, not_bidding, no_bids, won, lost; `has_bid()` answers whether the
    reader's number has bid (asked only when it decides the answer)."""
    if own is None:
        return "not_registered" if policies.is_bidder(user) else "observer"
    if snapshot["has_result"]:
        return "won" if snapshot["winner_number"] == own.number else "lost"
    if snapshot["leader_number"] is None:
        return "no_bids"
    if snapshot["leader_number"] == own.number:
        return "leading"
    return "outbid" if has_bid() else "not_bidding"


def state_from_snapshot(
    user, snapshot: dict, own: OwnRegistration | None, *, has_bid=None, now=None
) -> LiveState:
    now = now or timezone.now()
    end = datetime.fromisoformat(snapshot["ends_at"]) if snapshot["ends_at"] else None
    if has_bid is None:
        numbers = snapshot["bid_numbers"] or ()

        def has_bid():
            return own.number in numbers

    return LiveState(
        listing_id=snapshot["listing_id"],
        state=snapshot["state"],
        version=snapshot["version"],
        server_time=now,
        ends_at=end,
        seconds_left=max(0, int((end - now).total_seconds())) if end else None,
        current_price=snapshot["current_price"],
        minimum_next_bid=snapshot["minimum_next_bid"],
        increment=snapshot["increment"],
        increment_rule=snapshot["increment_rule"],
        bid_count=snapshot["bid_count"],
        leader_number=snapshot["leader_number"],
        own_number=own.number if own else None,
        own_standing=own_standing(user, snapshot, own, has_bid=has_bid),
        deposit_state=own.deposit_state if own else None,
        final_price=snapshot["final_price"],
        winner_number=snapshot["winner_number"],
        reserve_price=snapshot["reserve_price"],
    )


def live_state(user, listing: Listing) -> LiveState:
    """The state of a loaded listing from the database (the bid's answer): the reader's
    registration, and whether it has bid only when that decides its standing."""
    own = own_registration_of(user, listing.pk)
    snapshot = live.snapshot_of(listing, bid_numbers=None)
    return state_from_snapshot(
        user,
        snapshot,
        own,
        has_bid=lambda: Bid.objects.filter(
            listing=listing, registration__number=own.number
        ).exists(),
    )


def accepted_bid_state(user, listing: Listing, registration: Registration) -> LiveState:
    """The bidder's state in the answer to its accepted bid, from the locked row it just
    updated and its registration (no further query): it leads."""
    own = OwnRegistration(registration.number, registration.deposit_state)
    snapshot = live.snapshot_of(listing, bid_numbers=None)
    return state_from_snapshot(user, snapshot, own, has_bid=lambda: True)


def current_state(user, listing_id: int) -> LiveState:
    """The state as a poll or the stream reads it: the cached snapshot and the reader's
    registration (one query); from the database (and the snapshot rebuilt) when the
    snapshot is missing or a time-driven move is due."""
    if not live.enabled():
        return live_state(user, listing_for_reader(user, listing_id))
    now = timezone.now()
    snapshot = live.get(listing_id)
    if snapshot is None or live.is_stale(snapshot, now):
        snapshot = live.build(listing_for_reader(user, listing_id))
    return state_from_snapshot(user, snapshot, own_registration_of(user, listing_id), now=now)


@dataclass(frozen=True)
class LivePanel:
    """What the live panel (the htmx fragment polled every second) shows."""

    listing_id: int
    state: LiveState
    history: list[dict]

    @property
    def state_label(self) -> str:
        return Listing.State(self.state.state).label


def live_panel(user, listing_id: int) -> LivePanel:
    """From the cached snapshot and the reader's registration (one query), like the API's
    state; from the database (a due move made first) when the snapshot is missing or due,
    or the listing is not public (a draft, for its centre's staff)."""
    if live.enabled():
        now = timezone.now()
        snapshot = live.get(listing_id)
        if (
            snapshot is not None
            and snapshot.get("latest_bids") is not None
            and not live.is_stale(snapshot, now)
        ):
            own = own_registration_of(user, listing_id)
            history = [
                {**bid, "placed_at": datetime.fromisoformat(bid["placed_at"])}
                for bid in snapshot["latest_bids"]
            ]
            return LivePanel(listing_id, state_from_snapshot(user, snapshot, own, now=now), history)
    listing = listing_for_reader(user, listing_id)
    if live.enabled() and listing.state in PUBLIC_STATES:
        live.build(listing)
    return LivePanel(
        listing.pk, live_state(user, listing), bid_history(listing)[: live.LATEST_BIDS]
    )


def bid_history(listing: Listing) -> list[dict]:
    """The bids as everyone may see them: sequence, bidder number, amount, time."""
    return [
        {
            "sequence": sequence,
            "number": number,
            "amount": amount,
            "placed_at": placed_at,
            "phase": phase,
        }
        for sequence, number, amount, placed_at, phase in Bid.objects.filter(listing=listing)
        .order_by("-sequence")
        .values_list("sequence", "registration__number", "amount", "placed_at", "phase")
    ]


def announcements(listing: Listing) -> QuerySet[AuctionAnnouncement]:
    return listing.announcements.order_by("published_at")


def registrations_for_reader(user, listing: Listing) -> QuerySet[Registration]:
    """Registrations as `user` may see them: all to the listing's centre staff (for the
    qualification review), a bidder's own to the bidder; nobody else's to anyone."""
    rows = Registration.objects.filter(listing=listing).select_related("listing", "entity")
    if policies.is_centre_staff_of(user, listing):
        return rows.order_by("number")
    if policies.is_bidder(user):
        return rows.filter(entity_id=user.entity_id)
    raise PermissionDenied(_("Only the centre's staff and the registered buyers see this."))
