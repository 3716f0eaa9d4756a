"""Web URLs of centres."""

app_name = "centres"
urlpatterns: list = []
