from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicPortalConfig(AppConfig):
    """The public service portal (公共服务门户) and open data (OCDS, change feed, exchange)."""

    name = "publicportal"
    label = "publicportal"
    verbose_name = _("public service portal")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The sources feed the publication index through their signals.
        from publicportal import signals  # noqa: F401
