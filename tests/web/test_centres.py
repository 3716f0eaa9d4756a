"""Centres through the web pages: the public list, the staff's calendar and bookings."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from portal.centres import services
from portal.centres.models import VenueBooking
from tests import factories
from tests.web.conftest import BEIJING

pytestmark = pytest.mark.django_db


def _staff_url(centre, **query):
    url = reverse("centres:staff", args=[centre.code])
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def _book(venue, staff, starts, ends, purpose="开标"):
    return services.book_venue(
        venue=venue,
        actor=staff,
        starts_at=datetime.fromisoformat(starts).replace(tzinfo=BEIJING),
        ends_at=datetime.fromisoformat(ends).replace(tzinfo=BEIJING),
        purpose=purpose,
    )


def test_public_list_shows_centres_and_venues_in_two_queries(
    client, django_assert_max_num_queries, centre, other_centre
):
    for each in (centre, other_centre):
        factories.VenueFactory.create_batch(3, centre=each)
    factories.CentreFactory(name="长泰分中心", level="branch", parent=centre, region=centre.region)

    # 1. the centres with their region and parent centre, 2. their venues (prefetched).
    with django_assert_max_num_queries(2):
        response = client.get(reverse("centres:list"))

    assert response.status_code == 200
    assert centre.name in response.text and "长泰分中心" in response.text
    assert centre.venues.first().name in response.text


def test_staff_sees_the_week_calendar(client_for, staff, venue, monday_noon):
    _book(venue, staff, "2026-11-25T09:00", "2026-11-25T11:30", purpose="某某项目开标")

    response = client_for(staff).get(_staff_url(venue.centre))

    assert response.status_code == 200
    calendar = response.context["calendar"]
    assert calendar["week"].isoformat() == "2026-11-23"
    wednesday = calendar["rows"][0]["cells"][2]
    assert [booking.purpose for booking in wednesday] == ["某某项目开标"]
    assert "09:00" in response.text and "11:30" in response.text  # Beijing time
    assert 'id="calendar"' in response.text


def test_a_booking_over_midnight_shows_on_both_days(client_for, staff, venue, monday_noon):
    _book(venue, staff, "2026-11-24T20:00", "2026-11-25T02:00")
    _book(venue, staff, "2026-11-26T20:00", "2026-11-27T00:00")  # ends at midnight exactly

    cells = client_for(staff).get(_staff_url(venue.centre)).context["calendar"]["rows"][0]["cells"]

    assert [len(day) for day in cells] == [0, 1, 1, 1, 0, 0, 0]


def test_week_navigation_with_htmx_swaps_only_the_calendar(client_for, staff, venue, monday_noon):
    _book(venue, staff, "2026-12-01T09:00", "2026-12-01T10:00", purpose="下周开标")
    browser = client_for(staff)
    url = _staff_url(venue.centre, week="2026-11-30")

    partial = browser.get(url, headers={"HX-Request": "true"})
    full = browser.get(url)

    assert "<html" not in partial.text
    assert partial.text.lstrip().startswith('<section id="calendar"')
    assert "下周开标" in partial.text
    assert "<html" in full.text and "下周开标" in full.text
    assert "HX-Request" in partial["Vary"]


def test_an_unreadable_week_shows_this_week(client_for, staff, venue, monday_noon):
    for week in ["yesterday", "0001-01-01", "9999-12-31"]:
        response = client_for(staff).get(_staff_url(venue.centre, week=week))
        assert response.context["calendar"]["week"].isoformat() == "2026-11-23"


def test_staff_books_through_the_form(client_for, staff, venue, monday_noon):
    response = client_for(staff).post(
        _staff_url(venue.centre),
        {
            "venue": venue.pk,
            "starts_at": "2026-12-02T09:00",
            "ends_at": "2026-12-02T11:00",
            "purpose": "漳州某道路工程开标",
        },
    )

    booking = VenueBooking.objects.get()
    # Typed in Beijing time, stored in UTC.
    assert booking.starts_at == datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
    assert booking.booked_by == staff
    assert response.status_code == 302
    assert response.url == _staff_url(venue.centre, week="2026-11-30")


def test_double_booking_is_refused_with_the_error_on_the_start(
    client_for, staff, venue, monday_noon
):
    _book(venue, staff, "2026-11-25T09:00", "2026-11-25T11:00")

    response = client_for(staff).post(
        _staff_url(venue.centre),
        {
            "venue": venue.pk,
            "starts_at": "2026-11-25T10:30",
            "ends_at": "2026-11-25T12:00",
            "purpose": "冲突的预约",
        },
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["starts_at"]
    assert venue.name in errors["starts_at"][0]
    assert 'id="id_starts_at_error"' in response.text
    assert VenueBooking.objects.count() == 1
    # The input is kept, so the user corrects it rather than typing it again.
    assert 'value="冲突的预约"' in response.text


def test_end_before_start_is_refused_on_the_end(client_for, staff, venue, monday_noon):
    response = client_for(staff).post(
        _staff_url(venue.centre),
        {
            "venue": venue.pk,
            "starts_at": "2026-11-25T10:00",
            "ends_at": "2026-11-25T09:00",
            "purpose": "倒置",
        },
    )
    assert list(response.context["form"].errors) == ["ends_at"]
    assert not VenueBooking.objects.exists()


def test_a_venue_of_another_centre_cannot_be_chosen(client_for, staff, centre, other_centre):
    foreign = factories.VenueFactory(centre=other_centre)
    response = client_for(staff).post(
        _staff_url(centre),
        {
            "venue": foreign.pk,
            "starts_at": "2026-11-25T10:00",
            "ends_at": "2026-11-25T11:00",
            "purpose": "越权",
        },
    )
    assert list(response.context["form"].errors) == ["venue"]
    assert not VenueBooking.objects.exists()


@pytest.mark.parametrize("persona", ["other_staff", "bidder_a", "regulator", "platform_admin"])
def test_staff_area_is_refused_to_everyone_but_the_centres_staff(
    request, client_for, venue, persona
):
    browser = client_for(request.getfixturevalue(persona))
    url = _staff_url(venue.centre)

    assert browser.get(url).status_code == 403
    posted = browser.post(
        url,
        {
            "venue": venue.pk,
            "starts_at": "2026-11-25T10:00",
            "ends_at": "2026-11-25T11:00",
            "purpose": "越权",
        },
    )
    assert posted.status_code == 403
    assert not VenueBooking.objects.exists()


def test_staff_area_sends_anonymous_to_log_in(client, centre):
    response = client.get(_staff_url(centre))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_unknown_centre_is_404(client_for, staff):
    assert client_for(staff).get(reverse("centres:staff", args=["nowhere"])).status_code == 404


def test_staff_cancels_a_booking(client_for, staff, venue, monday_noon):
    booking = _book(venue, staff, "2026-11-25T09:00", "2026-11-25T11:00")
    url = reverse("centres:cancel_booking", args=[venue.centre.code, booking.pk])

    response = client_for(staff).post(url)

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == VenueBooking.Status.CANCELLED
    assert client_for(staff).post(url).status_code == 404  # already cancelled


def test_staff_of_another_centre_cannot_cancel(client_for, staff, other_staff, venue, monday_noon):
    booking = _book(venue, staff, "2026-11-25T09:00", "2026-11-25T11:00")
    url = reverse("centres:cancel_booking", args=[venue.centre.code, booking.pk])
    own_centre_url = reverse("centres:cancel_booking", args=[other_staff.centre.code, booking.pk])

    assert client_for(other_staff).post(url).status_code == 403
    # Through their own centre's address, the booking is not theirs to know.
    assert client_for(other_staff).post(own_centre_url).status_code == 404
    booking.refresh_from_db()
    assert booking.status == VenueBooking.Status.ACTIVE


def test_calendar_queries_do_not_grow_with_bookings(
    client_for, django_assert_max_num_queries, staff, centre, monday_noon
):
    venues = factories.VenueFactory.create_batch(4, centre=centre)
    for venue in venues:
        for day in range(23, 30):
            _book(venue, staff, f"2026-11-{day}T09:00", f"2026-11-{day}T10:00")
    browser = client_for(staff)

    # session, user, centre, the guardian grant (user and group permissions), venues,
    # bookings with who booked them, the form's venue choices.
    with django_assert_max_num_queries(8):
        response = browser.get(_staff_url(centre))
    assert (
        sum(len(cell) for row in response.context["calendar"]["rows"] for cell in row["cells"])
        == 28
    )
