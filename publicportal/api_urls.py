"""The portal's API endpoints under /api/v1/ (mounted before trading's, which used to serve
the announcement list)."""

from django.urls import path

from publicportal import api

urlpatterns = [
    path("announcements/", api.AnnouncementListApi.as_view(), name="announcements"),
    path(
        "announcements/<int:publication_id>/",
        api.AnnouncementDetailApi.as_view(),
        name="announcement-detail",
    ),
    path("ocds/releases/", api.OcdsReleasesApi.as_view(), name="ocds-releases"),
    path("ocds/bulk/<int:year>-<int:month>/", api.OcdsBulkApi.as_view(), name="ocds-bulk"),
    path("ocds/records/<str:ocid>/", api.OcdsRecordApi.as_view(), name="ocds-record"),
    path("changes/", api.ChangesApi.as_view(), name="changes"),
    path("exchange/systems/", api.SystemRegistrationApi.as_view(), name="exchange-systems"),
    path("exchange/announcements/", api.PushApi.as_view(), name="exchange-push"),
    path("statistics/", api.StatisticsApi.as_view(), name="statistics"),
    path("open-data/transfers/", api.TransfersApi.as_view(), name="transfers"),
    path("open-data/transfers/schema/", api.TransferSchemaApi.as_view(), name="transfers-schema"),
]
