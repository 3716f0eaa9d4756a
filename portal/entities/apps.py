from django.apps import AppConfig


class EntitiesConfig(AppConfig):
    """Market entities (市场主体)."""

    name = "portal.entities"
    label = "entities"
