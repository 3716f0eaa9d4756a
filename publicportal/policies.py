"""Who may connect a third-party trading system (pure checks)."""

from portal.accounts import policies as account_policies


def can_register_system(user, centre) -> bool:
    """The platform administrator, or the staff of the centre the system will publish for."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_platform_admin or account_policies.can_manage_centre(user, centre))
