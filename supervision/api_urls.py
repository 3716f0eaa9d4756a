"""Supervision's API under /api/v1/ (paths auditors and integrators depend on)."""

from django.urls import path

from supervision import api

urlpatterns = [
    path("supervision/alerts/", api.AlertListApi.as_view(), name="supervision-alerts"),
    path(
        "supervision/alerts/<int:alert_id>/",
        api.AlertDetailApi.as_view(),
        name="supervision-alert",
    ),
    path(
        "supervision/alerts/<int:alert_id>/triage/",
        api.AlertTriageApi.as_view(),
        name="supervision-alert-triage",
    ),
    path("supervision/rules/", api.AlertRuleListApi.as_view(), name="supervision-rules"),
    path("supervision/cases/", api.CaseListApi.as_view(), name="supervision-cases"),
    path(
        "supervision/trade-log/head/",
        api.TradeLogHeadApi.as_view(),
        name="supervision-trade-log-head",
    ),
    path(
        "supervision/trade-log/public-key/",
        api.PublicKeyApi.as_view(),
        name="supervision-public-key",
    ),
    path("complaints/", api.ComplaintCreateApi.as_view(), name="complaints"),
    path("complaints/rulings/", api.PublishedRulingListApi.as_view(), name="complaint-rulings"),
    path("complaints/<int:complaint_id>/", api.ComplaintDetailApi.as_view(), name="complaint"),
    path(
        "complaints/<int:complaint_id>/acceptance/",
        api.ComplaintAcceptanceApi.as_view(),
        name="complaint-acceptance",
    ),
    path(
        "complaints/<int:complaint_id>/suspension/",
        api.ComplaintSuspensionApi.as_view(),
        name="complaint-suspension",
    ),
    path(
        "complaints/<int:complaint_id>/ruling/",
        api.ComplaintRulingApi.as_view(),
        name="complaint-ruling",
    ),
]
