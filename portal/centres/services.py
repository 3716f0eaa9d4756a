"""Writes on centres and venues: staff assignment and venue booking."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, get_objects_for_user, remove_perm

from portal.accounts.models import Role, User
from portal.accounts.policies import can_manage_centre
from portal.centres.models import Centre, Venue, VenueBooking
from portal.errors import ApplicationError
from portal.tradelog.services import append_entry

#: The constraint (PostgreSQL) and trigger (SQLite) of migration 0002 raise with this name.
OVERLAP_CONSTRAINT = "venue_booking_no_overlap"


@transaction.atomic
def assign_centre_staff(*, user: User, centre: Centre) -> User:
    """Make `user` staff of `centre`: object permission on that centre and nothing else.

    A member of staff moved from another centre loses the grant on the old one.
    """
    user.role = Role.CENTRE_STAFF
    user.centre = centre
    user.full_clean()
    user.save()
    previous = get_objects_for_user(
        user, "centres.manage_centre", klass=Centre, use_groups=False, with_superuser=False
    ).exclude(pk=centre.pk)
    for old in previous:
        remove_perm("centres.manage_centre", user, old)
    assign_perm("centres.manage_centre", user, centre)
    return user


@transaction.atomic
def book_venue(
    *, venue: Venue, actor: User, starts_at: datetime, ends_at: datetime, purpose: str
) -> VenueBooking:
    """Reserve a venue. Overlaps are refused by the database, so two requests cannot race."""
    if not can_manage_centre(actor, venue.centre):
        raise ApplicationError(
            _("Only staff of %(centre)s may book its venues.") % {"centre": venue.centre.name},
            code="permission_denied",
            status_code=403,
        )
    if not venue.is_active:
        message = _("This venue is out of service.")
        raise ApplicationError(message, code="venue_inactive", fields={"venue": [message]})
    if ends_at <= starts_at:
        message = _("The end must be after the start.")
        raise ApplicationError(message, code="booking_range", fields={"ends_at": [message]})
    booking = VenueBooking(
        venue=venue, starts_at=starts_at, ends_at=ends_at, purpose=purpose, booked_by=actor
    )
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError as exc:
        if OVERLAP_CONSTRAINT not in str(exc):
            raise
        message = _("%(venue)s is already booked for part of this time.") % {"venue": venue.name}
        raise ApplicationError(
            message, code="venue_double_booked", fields={"starts_at": [message]}, status_code=409
        ) from exc
    append_entry(
        action="venue.booked",
        obj=booking,
        actor=actor,
        centre_id=venue.centre_id,
        payload={
            "venue": venue.pk,
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
            "purpose": purpose,
        },
    )
    return booking


@transaction.atomic
def cancel_booking(*, booking: VenueBooking, actor: User) -> VenueBooking:
    if not can_manage_centre(actor, booking.venue.centre):
        raise ApplicationError(
            _("Only staff of this centre may cancel its bookings."),
            code="permission_denied",
            status_code=403,
        )
    booking.status = VenueBooking.Status.CANCELLED
    booking.save(update_fields=["status"])
    append_entry(
        action="venue.booking_cancelled",
        obj=booking,
        actor=actor,
        centre_id=booking.venue.centre_id,
        payload={},
    )
    return booking
