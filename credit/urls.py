"""Web URLs of the credit registry, under /credit/."""

from django.urls import path

from credit import views

app_name = "credit"
urlpatterns = [
    path("", views.index, name="index"),
    path("bans/", views.bans, name="bans"),
    path("mine/", views.mine, name="mine"),
    path("records/new/", views.add_record, name="add_record"),
    path("imports/new/", views.import_records, name="import"),
    path("measures/<int:measure_id>/repair/", views.repair, name="repair"),
    path("evidence/<int:document_id>/", views.evidence, name="evidence"),
    path("entities/<str:uscc>/", views.entity, name="entity"),
    path("entities/<str:uscc>/file/", views.credit_file, name="file"),
]
