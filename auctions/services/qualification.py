"""Equity: the centre's staff review the intended buyers' qualifications (意向受让方资格审核)
at the end of the disclosure, then close the review, which decides the transfer by the number
of *qualified* buyers (32号令 第20–21条 (check), `rules.equity_disclosure_decision`).

- Only the staff of the listing's centre decide (object-level: `policies.is_centre_staff_of`).
- A refusal names its reason, which the buyer sees; every decision is in the trade log.
- A decision may be revised while the review is open (each revision is logged with the one
  it replaces); the close is refused while any buyer with a deposit held is unreviewed, so
  an unreviewed registration is never counted as qualified, nor silently dropped.
- At the close, an unqualified buyer's deposit is refunded in full at once: it cannot bid.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from auctions import policies, rules
from auctions.models import Listing, Registration
from auctions.services.common import refuse
from auctions.services.settlement import (
    contenders,
    fail,
    qualified_buyers,
    settle_deposit,
    start_live,
)
from auctions.state_machine import log, move, refuse_state

Q = Registration.QualificationState


def _lock_listing(pk: int) -> Listing:
    return (
        Listing.objects.select_for_update(of=("self",))
        .select_related("category", "method", "region", "centre")
        .get(pk=pk)
    )


def _require_staff(actor, listing: Listing) -> None:
    if not policies.is_centre_staff_of(actor, listing):
        raise refuse(
            _("Only the staff of this listing's centre may review qualifications."),
            "forbidden",
            status=403,
        )


@transaction.atomic
def review_qualification(
    *, actor, registration: Registration, qualified: bool, reason: str = ""
) -> Registration:
    """Record the staff's decision on one intended buyer: qualified, or not qualified with
    the reason (required). Possible while the listing is in its qualification review."""
    listing = _lock_listing(registration.listing_id)  # the listing first, as everywhere
    _require_staff(actor, listing)
    registration = Registration.objects.select_for_update(of=("self",)).get(pk=registration.pk)
    if listing.state != Listing.State.REVIEW:
        raise refuse(
            _("Qualifications are reviewed when the disclosure has ended (now: “%(state)s”).")
            % {"state": listing.get_state_display()},
            "invalid_state",
            status=409,
        )
    if registration.deposit_state != Registration.DepositState.CONFIRMED:
        raise refuse(
            _(
                "This buyer's deposit was not received by the end of the disclosure: "
                "it takes no part."
            ),
            "deposit_not_confirmed",
            status=409,
        )
    reason = (reason or "").strip()
    if not qualified and not reason:
        raise refuse(
            _("Give the reason why the buyer is not qualified; the buyer will see it."),
            "required",
            "reason",
        )
    previous = registration.qualification_state
    registration.qualification_state = Q.QUALIFIED if qualified else Q.NOT_QUALIFIED
    registration.qualification_reason = reason
    registration.qualification_reviewed_by = actor
    registration.qualification_reviewed_at = timezone.now()
    registration.full_clean(exclude=["listing", "entity", "user"])
    registration.save(
        update_fields=[
            "qualification_state",
            "qualification_reason",
            "qualification_reviewed_by",
            "qualification_reviewed_at",
        ]
    )
    log(
        "auction.qualification_review",
        listing,
        actor=actor,
        obj=registration,
        number=registration.number,
        entity=registration.entity.uscc,
        decision=registration.qualification_state,
        reason=reason,
        previous=previous,
    )
    return registration


@transaction.atomic
def close_review(*, actor, listing: Listing) -> Listing:
    """Close the qualification review: refused while any buyer with a deposit held is
    unreviewed (naming their bidder numbers). Unqualified buyers' deposits are refunded in
    full; one qualified buyer → agreement; several → online bidding, opening now for one
    full time-limited period; none → the transfer fails."""
    listing = _lock_listing(listing.pk)
    _require_staff(actor, listing)
    if listing.state != Listing.State.REVIEW:
        raise refuse_state(listing)
    held = list(contenders(listing).order_by("pk").select_for_update(of=("self",)))
    unreviewed = [r.number for r in held if r.qualification_state == Q.PENDING]
    if unreviewed:
        message = _("Review every buyer first; not yet reviewed: %(numbers)s.") % {
            "numbers": ", ".join(sorted(unreviewed))
        }
        raise refuse(message, "review_incomplete", "registrations", status=409)
    now = timezone.now()
    refused = [r for r in held if r.qualification_state == Q.NOT_QUALIFIED]
    for registration in refused:
        settle_deposit(listing, registration, actor=actor, now=now, apply=False)
    qualified = sorted(qualified_buyers(listing).values_list("number", flat=True))
    summary = {"qualified": qualified, "not_qualified": sorted(r.number for r in refused)}
    log("auction.qualification_review_closed", listing, actor=actor, **summary)
    decision = rules.equity_disclosure_decision(len(qualified))
    if decision == "auction":
        return start_live(listing, at=now, reason="several_qualified_buyers", actor=actor)
    if decision == "agreement":
        return move(listing, "start_agreement", actor=actor, reason="one_qualified_buyer")
    return fail(listing, actor=actor, reason=_("no qualified buyer"), now=now)
