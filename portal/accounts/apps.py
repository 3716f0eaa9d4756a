from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Accounts and roles (账户与角色)."""

    name = "portal.accounts"
    label = "accounts"
