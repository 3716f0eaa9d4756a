"""Catalog API URLs, under /api/v1/catalog/ (paths integrators depend on)."""

from django.urls import path

from catalog.api.views import (
    CatalogEntryListApi,
    CategoryListApi,
    FeeStandardListApi,
    RuleListApi,
    ScheduleCheckApi,
)

urlpatterns = [
    path("categories/", CategoryListApi.as_view(), name="catalog-categories"),
    path("rules/", RuleListApi.as_view(), name="catalog-rules"),
    path("fee-standards/", FeeStandardListApi.as_view(), name="catalog-fee-standards"),
    path("entries/", CatalogEntryListApi.as_view(), name="catalog-entries"),
    path("schedule-checks/", ScheduleCheckApi.as_view(), name="catalog-schedule-checks"),
]
