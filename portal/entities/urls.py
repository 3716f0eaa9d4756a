"""Web URLs of entities."""

app_name = "entities"
urlpatterns: list = []
