"""Root URLs: the public portal, the web areas, the REST API under /api/v1/, the admin."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from portal import views

api_v1 = [
    # First: the live auction's endpoints take hundreds of requests a second, and every
    # pattern tried before a match costs (the other apps' includes have no prefix).
    path("auctions/", include("auctions.api.urls")),
    path("", include("portal.api_urls")),
    path("catalog/", include("catalog.api.urls")),
    path("credit/", include("credit.api_urls")),
    path("", include("publicportal.api_urls")),
    path("", include("trading.api_urls")),
    path("", include("experts.api_urls")),
    path("", include("supervision.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("accounts/", include("portal.accounts.urls")),
    path("entities/", include("portal.entities.urls")),
    path("centres/", include("portal.centres.urls")),
    path("notices/", include("portal.notices.urls")),
    path("catalog/", include("catalog.urls")),
    path("experts/", include("experts.urls")),
    path("credit/", include("credit.urls")),
    path("trading/", include("trading.urls")),
    path("public/", include("publicportal.urls")),
    path("auctions/", include("auctions.urls")),
    path("supervision/", include("supervision.urls")),
    path("api/v1/", include((api_v1, "api"))),
    path("admin/", admin.site.urls),
]
