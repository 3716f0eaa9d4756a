"""Web URLs of notices."""

app_name = "notices"
urlpatterns: list = []
