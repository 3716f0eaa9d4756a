"""Web pages of accounts: log in, log out, and "my area", which shows what the role can do."""

from datetime import timedelta

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from portal.accounts.models import ENTITY_ROLES, Role
from portal.centres.models import VenueBooking
from portal.entities.forms import EntityLookupForm

#: How far ahead the centre staff's area lists the schedule.
SCHEDULE_DAYS = 7


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    next_page = "accounts:dashboard"


@login_required
@require_GET
def dashboard(request):
    user = request.user
    context = {"role": user.get_role_display()}
    if user.role in ENTITY_ROLES:
        context["entity"] = user.entity
    elif user.role == Role.CENTRE_STAFF:
        now = timezone.now()
        context["centre"] = user.centre
        context["venues"] = user.centre.venues.all()
        context["schedule_days"] = SCHEDULE_DAYS
        context["bookings"] = VenueBooking.objects.filter(
            venue__centre=user.centre,
            status=VenueBooking.Status.ACTIVE,
            ends_at__gt=now,
            starts_at__lt=now + timedelta(days=SCHEDULE_DAYS),
        ).select_related("venue")
    elif user.role == Role.REGULATOR:
        context["department"] = user.get_department_display()
        context["region"] = user.region
        context["lookup_form"] = EntityLookupForm()
    return render(request, "accounts/dashboard.html", context)
