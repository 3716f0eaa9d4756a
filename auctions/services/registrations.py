"""Registration to bid (竞买申请) and the deposit (保证金): a bidder may bid only once its
deposit is confirmed received, by the centre's staff or by the bank's callback (J3)."""

import secrets
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from auctions import policies
from auctions.models import DepositMovement, Listing, Registration
from auctions.rules import CENT, is_whole_fen
from auctions.services.common import check_eligible, refuse
from auctions.services.settlement import advance_listing, is_due
from auctions.state_machine import REGISTRATION_STATES, log, refuse_state


def _new_number(listing: Listing) -> str:
    """A random bidder number (竞买号): it says nothing about who or in which order."""
    taken = set(Registration.objects.filter(listing=listing).values_list("number", flat=True))
    while True:
        number = f"{secrets.randbelow(9000) + 1000}"
        if number not in taken:
            return number


@transaction.atomic
def _register(*, actor, listing_id: int, qualifications: str) -> Registration:
    listing = (
        Listing.objects.select_for_update(of=("self",))
        .select_related("category", "method", "region", "centre")
        .get(pk=listing_id)
    )
    now = timezone.now()
    if listing.state not in REGISTRATION_STATES:
        raise refuse_state(listing)
    if now > listing.registration_ends_at:
        raise refuse(
            _("Registration closed at %(end)s.")
            % {"end": timezone.localtime(listing.registration_ends_at).strftime("%Y-%m-%d %H:%M")},
            "registration_closed",
            status=409,
        )
    if Registration.objects.filter(listing=listing, entity_id=actor.entity_id).exists():
        raise refuse(_("Your entity is already registered."), "already_registered", status=409)
    qualifications = (qualifications or "").strip()
    if listing.category.code == "equity" and not qualifications:
        raise refuse(
            _(
                "State the qualifications the disclosure asks of an intended buyer; the "
                "centre's staff review them at the end of the disclosure."
            ),
            "required",
            "qualifications",
        )
    check_eligible(listing, actor.entity, at=now)
    registration = Registration.objects.create(
        listing=listing,
        entity=actor.entity,
        user=actor,
        number=_new_number(listing),
        qualifications=qualifications,
        registered_at=now,
    )
    log(
        "auction.register",
        listing,
        actor=actor,
        obj=registration,
        number=registration.number,
        entity=actor.entity.uscc,
    )
    return registration


def register(*, actor, listing: Listing, qualifications: str = "") -> Registration:
    """Register the actor's entity to bid; the credit registry is asked first (a banned
    entity is refused with the decision number named)."""
    if not policies.is_bidder(actor):
        raise refuse(
            _("Only a bidder account of a market entity may register."), "forbidden", status=403
        )
    if is_due(listing, timezone.now()):
        advance_listing(listing.pk)
    try:
        return _register(actor=actor, listing_id=listing.pk, qualifications=qualifications)
    except IntegrityError as exc:  # two registrations of one entity at once
        raise refuse(
            _("Your entity is already registered."), "already_registered", status=409
        ) from exc


def parse_amount(value, field: str = "amount") -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise refuse(_("Give an amount in yuan, e.g. 1250000.00."), "invalid", field) from exc
    if not amount.is_finite() or amount <= 0:
        raise refuse(_("Give an amount in yuan, e.g. 1250000.00."), "invalid", field)
    # Exact to the fen as stored; a finer amount is left for the rule to refuse by name.
    return amount.quantize(CENT) if is_whole_fen(amount) else amount


@transaction.atomic
def confirm_deposit(
    *, actor, registration: Registration, amount, reference: str, by_bank: bool = False
) -> Registration:
    """Record the deposit as received, in full: the amount must be the announced deposit to
    the fen. `by_bank` is the bank's verified callback (no user); otherwise the centre's staff."""
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("listing__centre", "listing__category", "entity")
        .get(pk=registration.pk)
    )
    listing = registration.listing
    if not by_bank and not policies.is_centre_staff_of(actor, listing):
        raise refuse(
            _("Only the staff of this centre may confirm deposits."), "forbidden", status=403
        )
    amount = parse_amount(amount)
    if registration.deposit_state != Registration.DepositState.PENDING:
        raise refuse(_("This deposit is already recorded."), "deposit_already_recorded", status=409)
    if amount != listing.deposit_amount:
        raise refuse(
            _("The deposit is %(deposit)s yuan; %(amount)s yuan was given.")
            % {"deposit": listing.deposit_amount, "amount": amount},
            "deposit_amount_mismatch",
            "amount",
        )
    if listing.state not in REGISTRATION_STATES | {Listing.State.LIVE}:
        raise refuse_state(listing)
    now = timezone.now()
    DepositMovement.objects.create(
        registration=registration,
        kind=DepositMovement.Kind.RECEIVED,
        amount=amount,
        at=now,
        reference=reference[:64],
        recorded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    registration.deposit_state = Registration.DepositState.CONFIRMED
    registration.deposit_confirmed_at = now
    registration.save(update_fields=["deposit_state", "deposit_confirmed_at"])
    log(
        "auction.deposit_received",
        listing,
        actor=actor,
        obj=registration,
        number=registration.number,
        amount=str(amount),
        reference=reference[:64],
        by="bank" if by_bank else "staff",
    )
    return registration
