from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    """Supervision (监督)."""

    name = "supervision"
    label = "supervision"
