"""A bid (出价): serialised per lot by the listing's row lock, checked against the announced
increment rule, the end moved forward in the same transaction, appended to the bid log and
to the trade log. The server clock is the only clock."""

import functools
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from auctions import live, policies, rules
from auctions.compiled import CompiledQuery
from auctions.models import Bid, Listing, Registration
from auctions.services.common import check_eligible, listing_not_found, refuse
from auctions.services.registrations import parse_amount
from auctions.services.settlement import advance_listing, is_due
from auctions.state_machine import BIDDING_STATES, log

REFUSAL_MESSAGES = {
    "too_low": gettext_noop("The bid must be at least %(minimum)s yuan."),
    "not_exactly_one_increment": gettext_noop(
        "The bid must be exactly one increment above: %(minimum)s yuan."
    ),
    "not_whole_fen": gettext_noop("Amounts are in yuan, to the fen (two decimals)."),
}


@dataclass(frozen=True)
class Accepted:
    bid: Bid
    listing: Listing
    registration: Registration


class _MoveDue(Exception):
    """A time-driven move fell due before this bid: make it, then look again."""


_LOCKED_LISTING = CompiledQuery(
    lambda listing_id: (
        Listing.objects.select_for_update(of=("self",))
        .select_related("category", "method", "region")
        .filter(pk=listing_id)
    ),
    listing_id=-1,
)
_REGISTRATION_WITH_ENTITY = CompiledQuery(
    lambda listing_id, entity_id: (
        Registration.objects.select_related("entity")
        .filter(listing_id=listing_id, entity_id=entity_id)
        .order_by()[:1]
    ),
    listing_id=-1,
    entity_id=-2,
)


def _lock(listing_id: int) -> Listing:
    listing = _LOCKED_LISTING.first(listing_id=listing_id)
    if listing is None:
        raise listing_not_found()
    return listing


def _ended_refusal(listing: Listing):
    if listing.method.code == "tender":
        return refuse(
            _("This listing is a tender: submit a sealed bid before the deadline."),
            "not_an_auction",
            status=409,
        )
    if listing.state in {Listing.State.ANNOUNCED, Listing.State.DRAFT, Listing.State.AGREEMENT}:
        return refuse(_("Bidding has not started."), "not_started", status=409)
    if listing.state == Listing.State.SUSPENDED:
        return refuse(_("The session is suspended by a fault."), "suspended", status=409)
    return refuse(_("Bidding has ended."), "ended", status=409)


def refusal_error(refusal):
    """The 409 of a rule's refusal, naming the amount and the minimum."""
    message = _(REFUSAL_MESSAGES[refusal.code]) % {"minimum": refusal.minimum}
    error = refuse(message, refusal.code, "amount", status=409)
    error.fields["minimum"] = [str(refusal.minimum)]
    return error


def _refuse_if_already_too_low(listing_id: int, amount) -> None:
    """While bidding, the price only rises: a bid below the minimum over the last committed
    price would be refused under the lock too, so it is refused here without queueing for
    the lot's row lock (most bids in a busy auction are overtaken before they arrive). Read
    from the live snapshot (`live.minimum_refusal`: never a higher minimum than the committed
    row), so a refusal costs no query; without a snapshot, one plain read of the row.
    Acceptance is decided only under the lock, with every check."""
    now = timezone.now()
    if live.enabled():
        refusal = live.minimum_refusal(listing_id, amount, now)
        if refusal is not None:
            raise refusal_error(refusal)
        return
    row = (
        Listing.objects.filter(pk=listing_id)
        .values(
            "state",
            "current_price",
            "starting_price",
            "increment",
            "increment_rule",
            "ends_at",
            "listing_ends_at",
        )
        .first()
    )
    if row is None or row["state"] not in BIDDING_STATES:
        return
    end = row["ends_at"] if row["state"] == Listing.State.LIVE else row["listing_ends_at"]
    if end is None or now >= end:  # a move is due: the locked path makes it
        return
    refusal = rules.check_bid(
        amount=amount,
        current_price=row["current_price"],
        starting_price=row["starting_price"],
        increment=row["increment"],
        increment_rule=row["increment_rule"],
    )
    if refusal is not None and refusal.code == "too_low":
        raise refusal_error(refusal)


def _registration_of(actor, listing_id: int) -> Registration | None:
    """The bidder's registration with its entity, read before the row lock: once its deposit
    is confirmed it changes only at the result (refund or application, under the same lock,
    which also ends bidding), and bidding is checked under the lock."""
    return _REGISTRATION_WITH_ENTITY.first(listing_id=listing_id, entity_id=actor.entity_id)


@transaction.atomic
def _place(*, actor, listing_id: int, amount, registration: Registration | None) -> Accepted:
    """Under the lot's row lock only what must be serialised: the state and due-move checks,
    the increment rule, the credit check at the bid's instant (after a too-low refusal, which
    needs none), the bid, the row's update, the trade log. The registration was read before
    the lock (`_registration_of`)."""
    listing = _lock(listing_id)
    now = timezone.now()
    if is_due(listing, now):
        raise _MoveDue
    if listing.state not in BIDDING_STATES:
        raise _ended_refusal(listing)
    if registration is None:
        raise refuse(
            _("Your entity is not registered for this listing."), "not_registered", status=409
        )
    if registration.qualification_state == Registration.QualificationState.NOT_QUALIFIED:
        raise refuse(
            _("The centre found your entity not qualified for this transfer: %(reason)s")
            % {"reason": registration.qualification_reason},
            "not_qualified",
            status=409,
        )
    if registration.deposit_state != Registration.DepositState.CONFIRMED:
        raise refuse(
            _("Your deposit has not been confirmed received."), "deposit_not_confirmed", status=409
        )
    refusal = rules.check_bid(
        amount=amount,
        current_price=listing.current_price,
        starting_price=listing.starting_price,
        increment=listing.increment,
        increment_rule=listing.increment_rule,
    )
    # Overtaken while it waited for the lock (the bids at one price queue behind the
    # winner's transaction): refused at once, as the early refusal would have, so that each
    # holds the lot's lock for the rule alone, not for the credit query as well.
    if refusal is not None and refusal.code == "too_low":
        raise refusal_error(refusal)
    check_eligible(listing, registration.entity, at=now)
    if refusal is not None:
        raise refusal_error(refusal)
    phase = Bid.Phase.LIVE if listing.state == Listing.State.LIVE else Bid.Phase.LISTING
    if phase == Bid.Phase.LIVE:
        listing.ends_at = rules.extended_end(
            ends_at=listing.ends_at,
            placed_at=now,
            extension=timedelta(minutes=listing.extension_minutes),
        )
    listing.bid_count += 1
    bid = Bid.objects.create(
        listing=listing,
        registration=registration,
        sequence=listing.bid_count,
        amount=amount,
        phase=phase,
        placed_at=now,
        ends_at_after=listing.ends_at if phase == Bid.Phase.LIVE else None,
    )
    listing.current_price = amount
    listing.leader = registration
    listing.version += 1
    # An UPDATE, not save(): the snapshot is published from this row on commit (below), not
    # re-read by the post_save hook of auctions.live.
    Listing.objects.filter(pk=listing.pk).update(
        ends_at=listing.ends_at,
        bid_count=listing.bid_count,
        current_price=amount,
        leader=registration,
        version=listing.version,
    )
    transaction.on_commit(
        functools.partial(live.publish_bid, listing, bid, registration.number), robust=True
    )
    log(
        "auction.bid",
        listing,
        actor=actor,
        obj=bid,
        sequence=bid.sequence,
        number=registration.number,
        amount=str(amount),
        phase=phase,
        ends_at=listing.ends_at if phase == Bid.Phase.LIVE else None,
    )
    return Accepted(bid=bid, listing=listing, registration=registration)


def place_bid(*, actor, listing: Listing | int, amount) -> Accepted:
    """Bid `amount` yuan on the listing as the actor's entity. Refusals (409) say why: too
    low (with the minimum), not exactly one increment, ended, not registered, deposit."""
    if not policies.is_bidder(actor):
        raise refuse(
            _("Only a bidder account of a market entity may bid."), "forbidden", status=403
        )
    amount = parse_amount(amount)
    listing_id = listing if isinstance(listing, int) else listing.pk
    _refuse_if_already_too_low(listing_id, amount)
    registration = _registration_of(actor, listing_id)
    try:
        return _place(actor=actor, listing_id=listing_id, amount=amount, registration=registration)
    except _MoveDue:
        advance_listing(listing_id)
        return _place(actor=actor, listing_id=listing_id, amount=amount, registration=registration)
