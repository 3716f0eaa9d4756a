"""The states of a listing, the only moves between them, and the one function that makes a
move and writes it to the trade log. No code sets `Listing.state` anywhere else."""

from django.utils.translation import gettext as _

from auctions.models import Listing
from portal.errors import ApplicationError
from portal.tradelog.services import append_entry

S = Listing.State

#: event -> (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "announce": (frozenset({S.DRAFT}), S.ANNOUNCED),
    "open_listing": (frozenset({S.ANNOUNCED}), S.LISTING),
    # Equity: the disclosure ends in the staff's review of the intended buyers; the review's
    # close decides agreement, online bidding or failure by the number found qualified.
    "open_review": (frozenset({S.ANNOUNCED}), S.REVIEW),
    "start_auction": (frozenset({S.ANNOUNCED, S.LISTING, S.REVIEW}), S.LIVE),
    "start_agreement": (frozenset({S.REVIEW}), S.AGREEMENT),
    # A tender (招标出让): sealed bids until the deadline, then the opening (开标), where the
    # bidders decrypt; fewer than the legal minimum of bids terminates the tender (fail).
    "open_tender": (frozenset({S.ANNOUNCED}), S.TENDER),
    "open_bids": (frozenset({S.TENDER}), S.OPENING),
    "sell": (frozenset({S.LISTING, S.LIVE, S.AGREEMENT, S.OPENING}), S.SOLD),
    "fail": (
        frozenset({S.ANNOUNCED, S.LISTING, S.REVIEW, S.LIVE, S.AGREEMENT, S.TENDER, S.OPENING}),
        S.FAILED,
    ),
    # A fault interrupts a live session: it resumes or is voided, never closed.
    "suspend": (frozenset({S.LIVE}), S.SUSPENDED),
    "resume": (frozenset({S.SUSPENDED}), S.LIVE),
    "void": (frozenset({S.SUSPENDED}), S.VOIDED),
}

#: States in which bids are accepted.
BIDDING_STATES = frozenset({S.LISTING, S.LIVE})
#: States in which bidders may register.
REGISTRATION_STATES = frozenset({S.ANNOUNCED, S.LISTING, S.TENDER})
FINAL_STATES = frozenset({S.SOLD, S.FAILED, S.VOIDED})


class StateError(ApplicationError):
    """An action attempted in a state that does not allow it."""


def log(action: str, listing: Listing, *, actor, obj=None, **payload):
    """Append to the trade log with the routing keys supervision filters on."""
    return append_entry(
        action=action,
        obj=obj or listing,
        actor=actor,
        category=listing.category.code,
        centre_id=listing.centre_id,
        payload={"listing": listing.pk, **payload},
    )


def refuse_state(listing: Listing) -> StateError:
    return StateError(
        _("This step is not possible now: the listing is “%(state)s”.")
        % {"state": listing.get_state_display()},
        code="invalid_state",
        status_code=409,
    )


def move(listing: Listing, event: str, *, actor, update_fields=(), **payload) -> Listing:
    """Move a locked listing by `event`, save it (with `update_fields`) and log the move."""
    allowed, target = TRANSITIONS[event]
    if listing.state not in allowed:
        raise refuse_state(listing)
    previous = listing.state
    listing.state = target
    listing.version += 1
    listing.save(update_fields=["state", "version", *update_fields])
    log(f"auction.{event}", listing, actor=actor, **{"from": previous, "to": target, **payload})
    return listing
