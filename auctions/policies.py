"""Who may do what in an auction (pure checks over the account's role and scope)."""

from portal.accounts.models import Role
from portal.accounts.policies import can_manage_centre


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_bidder(user) -> bool:
    """Only a bidder account of a market entity registers and bids."""
    return _active(user) and user.role == Role.BIDDER and user.entity_id is not None


def is_centre_staff_of(user, listing) -> bool:
    """The staff of the listing's centre run it: announce, confirm deposits, record results."""
    return can_manage_centre(user, listing.centre)
