"""Who may do what: one place for the platform's access rules (pure checks, no writes).

Role-level rules are read off the account's single role; object-level rules (this centre,
this entity) use django-guardian permissions or the account's scope.
"""

from portal.accounts.models import ENTITY_ROLES, Role


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def can_manage_centre(user, centre) -> bool:
    """Staff of centre X manage centre X (and nothing else); guardian holds the grant."""
    if not _active(user) or user.role != Role.CENTRE_STAFF:
        return False
    return user.has_perm("centres.manage_centre", centre)


def can_edit_entity(user, entity) -> bool:
    """An entity's administrator edits its profile and invites members."""
    return (
        _active(user)
        and user.role in ENTITY_ROLES
        and user.is_entity_admin
        and user.entity_id == entity.pk
    )


def can_view_entity_history(user, entity) -> bool:
    """Profile history is visible to the entity's own members and to regulators."""
    if not _active(user):
        return False
    if user.role == Role.REGULATOR:
        return True
    return user.role in ENTITY_ROLES and user.entity_id == entity.pk


def can_publish_notice(user) -> bool:
    return _active(user) and user.role == Role.PLATFORM_ADMIN


def can_edit_catalog(user) -> bool:
    """The catalog, statutory rules, fee standards and holiday calendar are administered data."""
    return _active(user) and user.role == Role.PLATFORM_ADMIN


def can_use_admin_site(user) -> bool:
    return _active(user) and user.role == Role.PLATFORM_ADMIN and user.is_staff


def can_read_trade_log(user) -> bool:
    """Regulators (and the platform's auditors) read the whole trade log."""
    return _active(user) and user.role in {Role.REGULATOR, Role.PLATFORM_ADMIN}
