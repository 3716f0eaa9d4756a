"""URLs of the experts app."""

app_name = "experts"
urlpatterns: list = []
