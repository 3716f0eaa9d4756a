"""URLs of the trading app."""

app_name = "trading"
urlpatterns: list = []
