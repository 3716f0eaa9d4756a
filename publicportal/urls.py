"""Web URLs of the public service portal (mounted at /public/)."""

from django.urls import path

from publicportal import feeds, views

app_name = "publicportal"
urlpatterns = [
    path("", views.search, name="search"),
    path("announcements/<int:publication_id>/", views.publication_detail, name="publication"),
    path("projects/<str:project_key>/", views.project_history, name="project"),
    path("feeds/rss/", feeds.AnnouncementsFeed(), name="feed_rss"),
    path("feeds/atom/", feeds.AnnouncementsAtomFeed(), name="feed_atom"),
]
