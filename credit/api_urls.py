"""Credit API URLs, under /api/v1/credit/ (paths integrators depend on)."""

from django.urls import path

from credit import api

urlpatterns = [
    path("records/", api.CreditRecordCreateApi.as_view(), name="credit-records"),
    path(
        "records/<int:record_id>/evidence/",
        api.CreditEvidenceApi.as_view(),
        name="credit-record-evidence",
    ),
    path("entities/<str:uscc>/", api.CreditProfileApi.as_view(), name="credit-profile"),
    path("entities/<str:uscc>/file/", api.CreditFileApi.as_view(), name="credit-file"),
    path("eligibility/", api.CreditEligibilityApi.as_view(), name="credit-eligibility"),
    path("imports/", api.CreditImportApi.as_view(), name="credit-imports"),
    path("exports/", api.CreditExportApi.as_view(), name="credit-exports"),
    path(
        "measures/<int:measure_id>/repairs/",
        api.CreditRepairApi.as_view(),
        name="credit-measure-repairs",
    ),
    path("bans/", api.CreditBanListApi.as_view(), name="credit-bans"),
    path("measure-types/", api.CreditMeasureTypeListApi.as_view(), name="credit-measure-types"),
]
