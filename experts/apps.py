from django.apps import AppConfig


class ExpertsConfig(AppConfig):
    """The expert pool (专家库)."""

    name = "experts"
    label = "experts"
