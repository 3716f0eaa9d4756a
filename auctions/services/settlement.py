"""Time-driven moves and the result: the listing period ends, the live auction starts and
ends, the disclosure ends. Each is decided from the bid log under the listing's row lock,
so running it twice (the sweep on read, the Celery beat task, several workers) is safe.

An outage never produces a result: the end of a live auction is computed from the bid log
(`rules.end_from_log`), a suspended session is never closed here, and the winner is the
log's best bid (`rules.outcome`), not a cached counter.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from auctions import rules
from auctions.models import (
    AuctionAnnouncement,
    Bid,
    DepositMovement,
    Listing,
    Registration,
    TenderBid,
)
from auctions.services.common import deposit_refund_due
from auctions.state_machine import log, move

S = Listing.State

CONSEQUENCE_LABELS = {
    "revoked": gettext_lazy("treated as revoked (the bidder's failure)"),
    "withdrawn": gettext_lazy("treated as withdrawn (not the bidder's fault)"),
}


def logged_bids(listing: Listing, *, phase: str | None = None) -> list[rules.LoggedBid]:
    bids = Bid.objects.filter(listing=listing).order_by("sequence")
    if phase:
        bids = bids.filter(phase=phase)
    return [
        rules.LoggedBid(
            sequence=bid.sequence,
            bidder=bid.registration_id,
            amount=bid.amount,
            placed_at=bid.placed_at,
        )
        for bid in bids
    ]


def live_end(listing: Listing) -> datetime:
    """The end of the live phase as the bid log says (the row's `ends_at` is its cache).

    The base is the announced end of the free bidding period, or one full period after the
    start of a live phase that follows a listing period or a disclosure; after a fault, the
    time that was left (at least one full period) from the resumption. Each bid counted from
    that base moves the end to a full period after it.
    """
    extension = timedelta(minutes=listing.extension_minutes)
    live_bids = Bid.objects.filter(listing=listing, phase=Bid.Phase.LIVE)
    if listing.resumed_at is not None:
        remaining = timedelta(seconds=listing.remaining_seconds_at_suspension or 0)
        base = listing.resumed_at + max(remaining, extension)
        live_bids = live_bids.filter(placed_at__gte=listing.resumed_at)
    elif listing.method.code == "listing":
        base = listing.auction_starts_at + extension
    else:
        base = listing.scheduled_ends_at
    return rules.end_from_log(
        scheduled_end=base,
        bid_times=live_bids.values_list("placed_at", flat=True),
        extension=extension,
    )


def _confirmation_number(listing: Listing) -> str:
    return f"CJ-{listing.transaction_code or listing.pk}"


def conclude(listing: Listing, *, actor, winner: Registration, price, method: str, now) -> Listing:
    """The result (成交): winner, price, the confirmation (成交确认书), the result
    announcement; the winner's deposit applied, everyone else's refunded in full."""
    listing.winner = winner
    listing.final_price = price
    listing.result_method = method
    listing.result_at = now
    listing.confirmation_number = _confirmation_number(listing)
    move(
        listing,
        "sell",
        actor=actor,
        update_fields=[
            "winner",
            "final_price",
            "result_method",
            "result_at",
            "confirmation_number",
        ],
        winner_number=winner.number,
        winner_entity=winner.entity.uscc,
        price=str(price),
        by=method,
        reserve_price=None if listing.reserve_price is None else str(listing.reserve_price),
        bids=listing.bid_count,
    )
    AuctionAnnouncement.objects.create(
        listing=listing,
        kind=AuctionAnnouncement.Kind.RESULT,
        title=_("Result: %(title)s") % {"title": listing.title},
        body=_("Sold to %(winner)s (bidder number %(number)s) for %(price)s yuan.")
        % {"winner": winner.entity.name, "number": winner.number, "price": price},
        published_at=now,
        category=listing.category,
        region=listing.region,
        centre=listing.centre,
    )
    refund_all(listing, actor=actor, now=now, keep=winner)
    return listing


def fail(listing: Listing, *, actor, reason: str, now) -> Listing:
    listing.result_at = now
    listing.result_note = reason
    move(
        listing,
        "fail",
        actor=actor,
        update_fields=["result_at", "result_note"],
        reason=reason,
        reserve_price=None if listing.reserve_price is None else str(listing.reserve_price),
        bids=listing.bid_count,
    )
    AuctionAnnouncement.objects.create(
        listing=listing,
        kind=AuctionAnnouncement.Kind.FAILURE,
        title=_("Failed: %(title)s") % {"title": listing.title},
        body=_("The transfer failed: %(reason)s") % {"reason": reason},
        published_at=now,
        category=listing.category,
        region=listing.region,
        centre=listing.centre,
    )
    refund_all(listing, actor=actor, now=now, keep=None)
    return listing


def refund_all(listing: Listing, *, actor, now, keep: Registration | None) -> None:
    """Refund in full every deposit still held, except the winner's, which is applied to the
    price (J3, D4): no fee, no deduction; the due date from the category's rule. A deposit
    already settled (an unqualified buyer's, refunded at the qualification review) is not
    touched again."""
    held = (
        Registration.objects.filter(
            listing=listing, deposit_state=Registration.DepositState.CONFIRMED
        )
        .order_by("pk")
        .select_for_update(of=("self",))
    )
    due = deposit_refund_due(listing, ended_at=now)
    for registration in held:
        settle_deposit(
            listing,
            registration,
            actor=actor,
            now=now,
            apply=keep is not None and registration.pk == keep.pk,
            due=due,
        )


def settle_deposit(
    listing: Listing, registration: Registration, *, actor, now, apply: bool, due=None
) -> None:
    """Return a held deposit in full (or apply it to the price): one movement of what was
    received, the registration's deposit state, the trade-log entry."""
    received = DepositMovement.objects.filter(
        registration=registration, kind=DepositMovement.Kind.RECEIVED
    ).aggregate(total=Sum("amount"))["total"]
    if received is None:
        return
    if not apply and due is None:
        due = deposit_refund_due(listing, ended_at=now)
    kind = DepositMovement.Kind.APPLIED if apply else DepositMovement.Kind.REFUNDED
    DepositMovement.objects.create(registration=registration, kind=kind, amount=received, at=now)
    registration.deposit_state = (
        Registration.DepositState.APPLIED if apply else Registration.DepositState.REFUNDED
    )
    registration.refund_due_on = None if apply else due
    registration.save(update_fields=["deposit_state", "refund_due_on"])
    log(
        f"auction.deposit_{kind}",
        listing,
        actor=actor,
        obj=registration,
        number=registration.number,
        amount=str(received),
        due=str(due) if due and not apply else None,
    )


def start_live(listing: Listing, *, at: datetime, reason: str, actor=None) -> Listing:
    """A live phase after a listing period or a disclosure: one full period from `at`."""
    listing.auction_starts_at = at
    listing.ends_at = at + timedelta(minutes=listing.extension_minutes)
    return move(
        listing,
        "start_auction",
        actor=actor,
        update_fields=["auction_starts_at", "ends_at"],
        reason=reason,
        ends_at=listing.ends_at,
    )


def _finish_live(listing: Listing, now: datetime) -> Listing:
    result = rules.outcome(logged_bids(listing), reserve=listing.reserve_price)
    if result.winner is None:
        reason = {
            "no_bids": _("no valid bid"),
            "below_reserve": _("the best bid stayed below the reserve price"),
        }[result.reason]
        return fail(listing, actor=None, reason=reason, now=now)
    winner = Registration.objects.select_related("entity").get(pk=result.winner.bidder)
    method = "online_bidding" if listing.category.code == "equity" else "auction"
    return conclude(
        listing, actor=None, winner=winner, price=result.winner.amount, method=method, now=now
    )


def close_opening(listing: Listing, *, actor, now: datetime) -> Listing:
    """End a tender's opening (开标) on a listing locked by the caller: every bid still
    sealed is invalid (revoked when the bidder failed or never tried, withdrawn when the
    envelope failed through no fault of its own: 电子招标投标办法 第31条, applied by analogy),
    then the decrypted bids decide by price (价高者得, 39号令(国土) 第14条): the highest
    valid price at or above the reserve wins, the earliest receipt at an equal price; below
    the reserve, or with no valid bid, the tender fails. Deposits as for an auction."""
    sealed = (
        TenderBid.objects.filter(listing=listing, state=TenderBid.State.SEALED)
        .select_related("registration")
        .order_by("pk")
        .select_for_update(of=("self",))
    )
    for bid in sealed:
        cause = bid.last_failure or None
        consequence = rules.failed_decryption_consequence(cause)
        bid.state = TenderBid.State.INVALID
        bid.invalid_reason = (
            _("Not decrypted within the window (%(cause)s): %(consequence)s (%(source)s).")
            % {
                "cause": cause or _("no attempt"),
                "consequence": CONSEQUENCE_LABELS[consequence],
                "source": rules.FAILED_DECRYPTION_SOURCE,
            }
        )[:300]
        bid.save(update_fields=["state", "invalid_reason"])
        log(
            "auction.tender_bid_invalid",
            listing,
            actor=actor,
            obj=bid,
            number=bid.registration.number,
            cause=cause,
            consequence=consequence,
            source=rules.FAILED_DECRYPTION_SOURCE,
        )
    opened = TenderBid.objects.filter(listing=listing, state=TenderBid.State.DECRYPTED)
    result = rules.outcome(
        rules.sealed_bids_in_receipt_order(
            (bid.registration_id, bid.price, bid.received_at, bid.pk) for bid in opened
        ),
        reserve=listing.reserve_price,
    )
    if result.winner is None:
        reason = {
            "no_bids": _("no valid bid"),
            "below_reserve": _("the best bid stayed below the reserve price"),
        }[result.reason]
        return fail(listing, actor=actor, reason=reason, now=now)
    winner = Registration.objects.select_related("entity").get(pk=result.winner.bidder)
    return conclude(
        listing, actor=actor, winner=winner, price=result.winner.amount, method="tender", now=now
    )


def contenders(listing: Listing):
    """Intended buyers whose deposit is held: the registrations the review must decide."""
    return Registration.objects.filter(
        listing=listing, deposit_state=Registration.DepositState.CONFIRMED
    )


def qualified_buyers(listing: Listing):
    """Intended buyers found qualified by the centre's staff, with their deposit held: their
    number decides agreement or online bidding. An unreviewed registration never counts."""
    return contenders(listing).filter(qualification_state=Registration.QualificationState.QUALIFIED)


def advance(listing: Listing, now: datetime) -> Listing:
    """Make every move that has fallen due for a listing locked by the caller."""
    method = listing.method.code
    if listing.state == S.ANNOUNCED:
        if method == "listing" and listing.category.code != "equity":
            if now >= listing.listing_starts_at:
                move(listing, "open_listing", actor=None)
        elif method == "auction" and now >= listing.auction_starts_at:
            move(listing, "start_auction", actor=None, ends_at=listing.ends_at)
        elif method == "tender" and now >= listing.tender_starts_at:
            move(listing, "open_tender", actor=None, opening_at=listing.opening_at)
    if listing.state == S.OPENING and now >= listing.opening_closes_at:
        return close_opening(listing, actor=None, now=now)
    if (
        listing.state in {S.ANNOUNCED, S.LISTING}
        and method == "listing"
        and now >= listing.listing_ends_at
    ):
        if listing.category.code == "equity":
            # The staff review the intended buyers now; nobody is counted qualified unseen.
            count = contenders(listing).count()
            if count == 0:
                return fail(
                    listing, actor=None, reason=_("no qualified buyer"), now=listing.listing_ends_at
                )
            move(listing, "open_review", actor=None, reason="disclosure_ended", contenders=count)
            return listing
        else:
            bids = logged_bids(listing, phase=Bid.Phase.LISTING)
            decision = rules.listing_end_decision(bids, reserve=listing.reserve_price)
            if decision == "auction":
                start_live(listing, at=listing.listing_ends_at, reason="two_or_more_competing")
            elif decision == "sold":
                best = rules.outcome(bids, reserve=listing.reserve_price).winner
                winner = Registration.objects.select_related("entity").get(pk=best.bidder)
                return conclude(
                    listing,
                    actor=None,
                    winner=winner,
                    price=best.amount,
                    method="listing",
                    now=listing.listing_ends_at,
                )
            else:
                reason = (
                    _("the best bid stayed below the reserve price") if bids else _("no valid bid")
                )
                return fail(listing, actor=None, reason=reason, now=listing.listing_ends_at)
    if listing.state == S.LIVE:
        end = live_end(listing)
        if now >= end:
            return _finish_live(listing, now)
    return listing


def _lock(pk: int) -> Listing | None:
    return (
        Listing.objects.select_for_update(of=("self",))
        .select_related("category", "method", "region", "centre")
        .filter(pk=pk)
        .first()
    )


@transaction.atomic
def advance_listing(listing_id: int, *, now: datetime | None = None) -> Listing | None:
    listing = _lock(listing_id)
    if listing is None:
        return None
    return advance(listing, now or timezone.now())


def due_listing_ids(now: datetime) -> list[int]:
    """Listings with a move due (one indexed query; cheap when nothing is due)."""
    return list(
        Listing.objects.filter(
            (
                Q(state=S.ANNOUNCED, method__code="listing", listing_starts_at__lte=now)
                & ~Q(category__code="equity")
            )
            | Q(state__in=[S.ANNOUNCED, S.LISTING], listing_ends_at__lte=now)
            | Q(state=S.ANNOUNCED, method__code="auction", auction_starts_at__lte=now)
            | Q(state=S.ANNOUNCED, method__code="tender", tender_starts_at__lte=now)
            | Q(state=S.OPENING, opening_closes_at__lte=now)
            | Q(state=S.LIVE, ends_at__lte=now)
        ).values_list("pk", flat=True)
    )


def is_due(listing: Listing, now: datetime) -> bool:
    """Has a move fallen due for this listing (no query; the row's cached times)?"""
    method = listing.method.code
    if listing.state == S.ANNOUNCED:
        if method == "auction":
            return now >= listing.auction_starts_at
        if method == "tender":
            return now >= listing.tender_starts_at
        if listing.category.code != "equity" and now >= listing.listing_starts_at:
            return True
        return now >= listing.listing_ends_at
    if listing.state == S.LISTING:
        return now >= listing.listing_ends_at
    if listing.state == S.LIVE:
        return now >= listing.ends_at
    if listing.state == S.OPENING:
        return now >= listing.opening_closes_at
    return False


def run_due_events(*, now: datetime | None = None) -> int:
    """Due moves also happen when nobody runs Celery beat (the embedded default): reads of
    auctions first run what has fallen due. Idempotent: each listing is locked and re-checked."""
    now = now or timezone.now()
    moved = 0
    for pk in due_listing_ids(now):
        before = Listing.objects.filter(pk=pk).values_list("state", flat=True).first()
        listing = advance_listing(pk, now=now)
        if listing is not None and listing.state != before:
            moved += 1
    return moved
