"""URLs of the supervision app (the regulators' workbench)."""

from django.urls import path

from supervision import views

app_name = "supervision"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("alerts/rows/", views.alert_rows, name="alert_rows"),
    path("alerts/<int:alert_id>/", views.alert_detail, name="alert"),
    path("projects/<int:project_id>/history/", views.project_history, name="history"),
    path("cases/", views.cases, name="cases"),
    path("statistics/", views.statistics, name="statistics"),
    path("export/", views.export, name="export"),
    path("complaints/", views.complaints, name="complaints"),
    path("complaints/new/", views.file_complaint, name="file_complaint"),
    path("complaints/<int:complaint_id>/", views.complaint_detail, name="complaint"),
]
