"""Web URLs of the catalog app, under /catalog/."""

from django.urls import path

from catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.catalog_index, name="index"),
    path("fees/", views.fee_standards, name="fees"),
]
