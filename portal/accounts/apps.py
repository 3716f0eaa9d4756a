from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Accounts and roles (账户与角色)."""

    name = "portal.accounts"
    label = "accounts"
    verbose_name = _("accounts and roles")
