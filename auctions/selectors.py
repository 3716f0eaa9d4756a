"""Reads of auctions, with who-may-see-what applied: the reserve price stays secret until
the result, competitors appear only as bidder numbers, drafts only to the centre's staff."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from auctions import policies, rules
from auctions.models import AuctionAnnouncement, Bid, Listing, Registration
from auctions.services.settlement import advance_listing, is_due, run_due_events

PUBLIC_STATES = frozenset(set(Listing.State) - {Listing.State.DRAFT})


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
    return listing.reserve_price if listing.has_result else None


@dataclass(frozen=True)
class LiveState:
    """What a bidder's screen shows: cheap to compute (two queries), safe to poll."""

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


def _phase_end(listing: Listing) -> datetime | None:
    if listing.state == Listing.State.LIVE:
        return listing.ends_at
    if listing.state == Listing.State.LISTING:
        return listing.listing_ends_at
    if listing.state == Listing.State.ANNOUNCED:
        if listing.method.code == "auction":
            return listing.auction_starts_at
        if listing.category.code == "equity":
            return listing.listing_ends_at
        return listing.listing_starts_at
    return None


def live_state(user, listing: Listing) -> LiveState:
    """The current price, the end, the server's clock and the reader's own standing
    (leading, outbid, not bidding). Competitors are numbers; the reserve stays secret."""
    now = timezone.now()
    own = own_registration(user, listing)
    end = _phase_end(listing)
    if own is None:
        standing = "not_registered" if policies.is_bidder(user) else "observer"
    elif listing.has_result:
        standing = "won" if listing.winner_id == own.pk else "lost"
    elif listing.leader_id is None:
        standing = "no_bids"
    elif listing.leader_id == own.pk:
        standing = "leading"
    elif Bid.objects.filter(listing=listing, registration=own).exists():
        standing = "outbid"
    else:
        standing = "not_bidding"
    return LiveState(
        listing_id=listing.pk,
        state=listing.state,
        version=listing.version,
        server_time=now,
        ends_at=end,
        seconds_left=max(0, int((end - now).total_seconds())) if end else None,
        current_price=listing.current_price,
        minimum_next_bid=rules.minimum_next_bid(
            current_price=listing.current_price,
            starting_price=listing.starting_price,
            increment=listing.increment,
        ),
        increment=listing.increment,
        increment_rule=listing.increment_rule,
        bid_count=listing.bid_count,
        leader_number=listing.leader.number if listing.leader_id else None,
        own_number=own.number if own else None,
        own_standing=standing,
        deposit_state=own.deposit_state if own else None,
        final_price=listing.final_price,
        winner_number=listing.winner.number if listing.winner_id else None,
        reserve_price=reserve_visible(listing),
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
