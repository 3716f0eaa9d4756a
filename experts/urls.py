"""Web URLs of the expert pool, under /experts/."""

from django.urls import path

from experts import views

app_name = "experts"
urlpatterns = [
    path("", views.index, name="index"),
    path("me/", views.me, name="me"),
    path("invitations/<int:pk>/", views.invitation, name="invitation"),
    path("pool/", views.pool, name="pool"),
    path("pool/<int:pk>/", views.profile, name="profile"),
    path("draws/", views.draws, name="draws"),
    path("draws/new/", views.draw_new, name="draw-new"),
    path("draws/<int:pk>/", views.draw, name="draw"),
    path("draws/<int:pk>/cancel/", views.draw_cancel, name="draw-cancel"),
    path("draws/<int:pk>/conduct/", views.draw_conduct, name="draw-conduct"),
    path("draws/<int:pk>/audit/", views.draw_audit, name="draw-audit"),
]
