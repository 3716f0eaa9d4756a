"""Who may do what in supervision: pure checks, no writes.

Regulators oversee and never operate (管办分离, H1): nothing here grants a step of a trade.
A regulator acts on alerts, cases and complaints of their own department, in their region
and below; audit and discipline departments read every department's (H4).
"""

from portal.accounts.models import ENTITY_ROLES, Department, Role

READ_ALL_DEPARTMENTS = frozenset({Department.AUDIT, Department.DISCIPLINE})


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_regulator(user) -> bool:
    return _active(user) and user.role == Role.REGULATOR and bool(user.department)


def can_view_workbench(user) -> bool:
    return is_regulator(user) or (_active(user) and user.role == Role.PLATFORM_ADMIN)


def can_act_on(user, *, department: str, region_ids: list[int], region_id: int | None) -> bool:
    """Triage, investigate, rule: only a regulator of the department, in whose region the
    trade is (audit and discipline read, they do not triage another department's alerts)."""
    if not is_regulator(user):
        return False
    if department and user.department != department:
        return False
    return region_id is None or region_id in region_ids


def can_file_complaint(user) -> bool:
    """Bidders (and other parties with an entity) file complaints about a trade."""
    return _active(user) and user.role in ENTITY_ROLES and user.entity_id is not None
