"""Web URLs of auctions (mounted at /auctions/)."""

from django.urls import path

from auctions import views

app_name = "auctions"
urlpatterns = [
    path("", views.listing_list, name="list"),
    path("<int:listing_id>/", views.listing_detail, name="listing"),
    path("<int:listing_id>/register/", views.register, name="register"),
    path("<int:listing_id>/live/", views.live, name="live"),
    path("<int:listing_id>/live/state/", views.live_state, name="live_state"),
    path("<int:listing_id>/bid/", views.bid, name="bid"),
    path("<int:listing_id>/result/", views.result, name="result"),
    path("<int:listing_id>/tender/", views.tender_page, name="tender"),
    path("<int:listing_id>/tender/bid/", views.tender_bid, name="tender_bid"),
    path("<int:listing_id>/tender/decrypt/", views.tender_decrypt, name="tender_decrypt"),
    path("manage/", views.manage_list, name="manage_list"),
    path("manage/new/", views.create, name="create"),
    path("manage/<int:listing_id>/", views.manage, name="manage"),
    path("manage/<int:listing_id>/announce/", views.announce, name="announce"),
    path("manage/<int:listing_id>/pre-disclosure/", views.pre_disclose, name="pre_disclose"),
    path("manage/<int:listing_id>/opening/open/", views.open_bids, name="open_bids"),
    path("manage/<int:listing_id>/opening/close/", views.close_opening, name="close_opening"),
    path("manage/<int:listing_id>/agreement/", views.agreement, name="agreement"),
    path("manage/<int:listing_id>/session/<str:action>/", views.session, name="session"),
    path(
        "manage/<int:listing_id>/qualification-review/close/",
        views.close_review,
        name="close_review",
    ),
    path(
        "manage/registrations/<int:registration_id>/qualification/",
        views.review_qualification,
        name="review_qualification",
    ),
    path(
        "manage/deposits/<int:registration_id>/",
        views.confirm_deposit,
        name="confirm_deposit",
    ),
]
