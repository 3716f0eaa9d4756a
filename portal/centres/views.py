"""Web pages of centres: the public list, and the staff's week calendar of venue bookings."""

from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.accounts.policies import can_manage_centre
from portal.centres import services
from portal.centres.forms import BookingForm
from portal.centres.models import Centre, VenueBooking
from portal.errors import ApplicationError
from portal.views import add_service_errors


@require_GET
def centre_list(request):
    centres = Centre.objects.select_related("region", "parent").prefetch_related("venues")
    return render(request, "centres/list.html", {"centres": centres})


def _centre_for_staff(request, code: str) -> Centre:
    """The centre, if the user is its staff: 403 to anyone else (the centre itself is public)."""
    centre = get_object_or_404(Centre, code=code)
    if not can_manage_centre(request.user, centre):
        raise PermissionDenied(_("Only staff of this centre may manage it."))
    return centre


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _week_asked(value: str | None) -> date:
    """The Monday of the week asked for (?week=YYYY-MM-DD); this week if absent or unreadable."""
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        day = timezone.localdate()
    if not 2000 <= day.year <= 2999:  # the calendar's arithmetic stays far from date.max
        day = timezone.localdate()
    return _monday(day)


def _staff_url(centre: Centre, moment: datetime) -> str:
    """The staff area showing the week of `moment`."""
    week = _monday(timezone.localdate(moment)).isoformat()
    return f"{reverse('centres:staff', args=[centre.code])}?{urlencode({'week': week})}"


def _week_calendar(centre: Centre, monday: date) -> dict:
    """A venue × day grid of the week's active bookings, in the platform's time zone."""
    days = [monday + timedelta(days=offset) for offset in range(7)]
    zone = timezone.get_current_timezone()
    week_starts = datetime.combine(monday, time.min, tzinfo=zone)
    week_ends = datetime.combine(monday + timedelta(days=7), time.min, tzinfo=zone)
    venues = list(centre.venues.all())
    bookings = VenueBooking.objects.filter(
        venue__centre=centre,
        status=VenueBooking.Status.ACTIVE,
        starts_at__lt=week_ends,
        ends_at__gt=week_starts,
    ).select_related("booked_by")
    cells = {(venue.pk, day): [] for venue in venues for day in days}
    for booking in bookings:
        first = max(timezone.localdate(booking.starts_at), monday)
        # A booking ending at midnight does not occupy the next day.
        last = min(timezone.localdate(booking.ends_at - timedelta(microseconds=1)), days[-1])
        for offset in range((last - first).days + 1):
            cells[(booking.venue_id, first + timedelta(days=offset))].append(booking)
    return {
        "days": days,
        "rows": [
            {"venue": venue, "cells": [cells[(venue.pk, day)] for day in days]} for venue in venues
        ],
        "today": timezone.localdate(),
        "week": monday,
        "previous_week": monday - timedelta(days=7),
        "next_week": monday + timedelta(days=7),
        "last_day": days[-1],
    }


@login_required
@require_http_methods(["GET", "POST"])
def staff_area(request, code: str):
    centre = _centre_for_staff(request, code)
    monday = _week_asked(request.GET.get("week"))
    if request.method == "POST":
        form = BookingForm(request.POST, centre=centre)
        if form.is_valid():
            try:
                booking = services.book_venue(actor=request.user, **form.cleaned_data)
            except ApplicationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The venue is booked."))
                return redirect(_staff_url(centre, booking.starts_at))
    else:
        form = BookingForm(centre=centre)
    context = {"centre": centre, "form": form, "calendar": _week_calendar(centre, monday)}
    # Week navigation with htmx swaps the calendar only; without JavaScript, the whole page.
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "centres/_calendar.html", context)
    else:
        response = render(request, "centres/staff.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_POST
def cancel_booking(request, code: str, booking_id: int):
    centre = _centre_for_staff(request, code)
    booking = get_object_or_404(
        VenueBooking.objects.select_related("venue__centre"),
        pk=booking_id,
        venue__centre=centre,
        status=VenueBooking.Status.ACTIVE,
    )
    services.cancel_booking(booking=booking, actor=request.user)
    messages.success(request, _("The booking is cancelled."))
    return redirect(_staff_url(centre, booking.starts_at))
