from django.apps import AppConfig


class CreditConfig(AppConfig):
    """The credit registry (信用)."""

    name = "credit"
    label = "credit"
