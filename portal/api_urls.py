"""The core's API endpoints under /api/v1/ (paths integrators depend on)."""

from django.urls import path
from rest_framework.authtoken.views import ObtainAuthToken

from portal.centres.api import CentreListApi, RegionListApi, VenueBookingApi
from portal.entities.api import (
    EntityDetailApi,
    EntityHistoryApi,
    EntityRegistrationApi,
    InvitationAcceptApi,
    InvitationApi,
)
from portal.notices.api import NoticeListApi

urlpatterns = [
    path("auth/token/", ObtainAuthToken.as_view(), name="auth-token"),
    path("entities/", EntityRegistrationApi.as_view(), name="entity-register"),
    path("entities/<str:uscc>/", EntityDetailApi.as_view(), name="entity-detail"),
    path("entities/<str:uscc>/history/", EntityHistoryApi.as_view(), name="entity-history"),
    path("entities/<str:uscc>/invitations/", InvitationApi.as_view(), name="entity-invite"),
    path(
        "invitations/<str:token>/accept/", InvitationAcceptApi.as_view(), name="invitation-accept"
    ),
    path("regions/", RegionListApi.as_view(), name="regions"),
    path("centres/", CentreListApi.as_view(), name="centres"),
    path("venues/<int:venue_id>/bookings/", VenueBookingApi.as_view(), name="venue-bookings"),
    path("notices/", NoticeListApi.as_view(), name="notices"),
]
