"""Web URLs of the public service portal (mounted at /public/)."""

from django.urls import path

from publicportal import feeds, views

app_name = "publicportal"
urlpatterns = [
    path("", views.search, name="search"),
    path("announcements/<int:publication_id>/", views.publication_detail, name="publication"),
    path("projects/<str:project_key>/", views.project_history, name="project"),
    path("statistics/", views.statistics_page, name="statistics"),
    path("statistics.csv", views.statistics_csv, name="statistics_csv"),
    path("statistics.xlsx", views.statistics_xlsx, name="statistics_xlsx"),
    path("feeds/rss/", feeds.AnnouncementsFeed(), name="feed_rss"),
    path("feeds/atom/", feeds.AnnouncementsAtomFeed(), name="feed_atom"),
]
