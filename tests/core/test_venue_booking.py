"""A venue can never be double-booked, also under concurrent requests (B4)."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from portal.centres.models import VenueBooking
from portal.centres.services import book_venue
from portal.errors import ApplicationError
from tests.factories import CentreFactory, VenueFactory, make_centre_staff

SHANGHAI = ZoneInfo("Asia/Shanghai")
NINE = datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)


@pytest.mark.django_db
def test_overlapping_booking_is_refused_adjacent_is_fine(venue, staff):
    book_venue(
        venue=venue, actor=staff, starts_at=NINE, ends_at=NINE + timedelta(hours=2), purpose="开标"
    )
    with pytest.raises(ApplicationError) as refused:
        book_venue(
            venue=venue,
            actor=staff,
            starts_at=NINE + timedelta(hours=1),
            ends_at=NINE + timedelta(hours=3),
            purpose="开标",
        )
    assert refused.value.code == "venue_double_booked"
    # [start, end): a booking may start exactly when the previous one ends.
    book_venue(
        venue=venue,
        actor=staff,
        starts_at=NINE + timedelta(hours=2),
        ends_at=NINE + timedelta(hours=3),
        purpose="开标",
    )
    assert VenueBooking.objects.filter(venue=venue).count() == 2


@pytest.mark.django_db
def test_cancelled_booking_frees_the_slot(venue, staff):
    from portal.centres.services import cancel_booking

    first = book_venue(
        venue=venue, actor=staff, starts_at=NINE, ends_at=NINE + timedelta(hours=2), purpose="开标"
    )
    cancel_booking(booking=first, actor=staff)
    book_venue(
        venue=venue, actor=staff, starts_at=NINE, ends_at=NINE + timedelta(hours=2), purpose="开标"
    )


@pytest.mark.django_db
def test_staff_of_another_centre_cannot_book(venue, other_staff):
    with pytest.raises(ApplicationError) as refused:
        book_venue(
            venue=venue,
            actor=other_staff,
            starts_at=NINE,
            ends_at=NINE + timedelta(hours=1),
            purpose="开标",
        )
    assert refused.value.status_code == 403
    assert not VenueBooking.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_overlapping_bookings_exactly_one_wins():
    centre = CentreFactory()
    venue = VenueFactory(centre=centre)
    staff_users = [make_centre_staff(centre, username=f"staff{i}") for i in range(8)]
    barrier = threading.Barrier(len(staff_users))
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(user, offset_minutes):
        try:
            barrier.wait()
            start = NINE + timedelta(minutes=offset_minutes)
            book_venue(
                venue=venue,
                actor=user,
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                purpose="开标",
            )
            result = "booked"
        except ApplicationError as exc:
            result = exc.code
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [
        threading.Thread(target=attempt, args=(u, i * 10)) for i, u in enumerate(staff_users)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Every attempt overlaps every other (all start within 70 minutes, each lasts 2 hours).
    assert sorted(outcomes) == ["booked"] + ["venue_double_booked"] * 7
    assert VenueBooking.objects.filter(venue=venue, status="active").count() == 1


@pytest.mark.django_db
def test_staff_moved_to_another_centre_lose_the_old_one(venue, staff, other_centre):
    from portal.centres.services import assign_centre_staff

    assign_centre_staff(user=staff, centre=other_centre)
    staff = type(staff).objects.get(pk=staff.pk)  # fresh permission cache
    with pytest.raises(ApplicationError):
        book_venue(
            venue=venue,
            actor=staff,
            starts_at=NINE,
            ends_at=NINE + timedelta(hours=1),
            purpose="开标",
        )
    assert staff.has_perm("centres.manage_centre", other_centre)
