"""Auctions' API endpoints under /api/v1/auctions/."""

from django.urls import path

from auctions.api import qualification, tender, views

urlpatterns = [
    path("", views.ListingsApi.as_view(), name="auction-list"),
    path("<int:listing_id>/", views.ListingDetailApi.as_view(), name="auction-detail"),
    path("<int:listing_id>/announce/", views.AnnounceApi.as_view(), name="auction-announce"),
    path(
        "<int:listing_id>/registrations/",
        views.RegistrationsApi.as_view(),
        name="auction-register",
    ),
    path("<int:listing_id>/bids/", views.BidsApi.as_view(), name="auction-bids"),
    path("<int:listing_id>/state/", views.StateApi.as_view(), name="auction-state"),
    path("<int:listing_id>/stream/", views.StreamApi.as_view(), name="auction-stream"),
    path(
        "<int:listing_id>/pre-disclosure/",
        views.PreDisclosureApi.as_view(),
        name="auction-pre-disclosure",
    ),
    path("<int:listing_id>/tender-bid/", tender.TenderBidApi.as_view(), name="auction-tender-bid"),
    path(
        "<int:listing_id>/tender-bid/decrypt/",
        tender.TenderDecryptApi.as_view(),
        name="auction-tender-decrypt",
    ),
    path("<int:listing_id>/opening/", tender.OpeningApi.as_view(), name="auction-opening"),
    path("<int:listing_id>/agreement/", views.AgreementApi.as_view(), name="auction-agreement"),
    path("<int:listing_id>/session/", views.SessionFaultApi.as_view(), name="auction-session"),
    path(
        "registrations/<int:registration_id>/deposit/",
        views.DepositConfirmApi.as_view(),
        name="auction-deposit-confirm",
    ),
    path(
        "registrations/<int:registration_id>/qualification/",
        qualification.QualificationDecisionApi.as_view(),
        name="auction-qualification-decision",
    ),
    path(
        "<int:listing_id>/qualification-review/close/",
        qualification.CloseReviewApi.as_view(),
        name="auction-qualification-close",
    ),
    path("deposits/bank-callback/", views.BankCallbackApi.as_view(), name="auction-bank-callback"),
]
