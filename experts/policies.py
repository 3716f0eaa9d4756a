"""Who may do what with the pool: pure checks over the account's single role and scope.

Three-end separation (三端分离, F6): the pool maintainer keeps profiles and admissions, the
drawer requests draws, the pool supervisor reads everything and changes nothing. Each is a
role of its own and an account has exactly one role, so no person holds two ends.

County ports (F8): counties keep no pool and have no drawer of their own (B1, F4). Staff of a
county-level centre (a `branch` of the city centre, or a Chongqing-style `district` centre)
may request a draw for a project of their own centre — the terminal port function
"专家抽取申请". Staff of city and provincial centres go through the drawer: they run the
evaluation, and whoever uses the experts should not also be the one who draws them.

Names are sealed while a draw is live: nobody sees them then, on the operation side or off
it, except each invited expert his or her own invitation. Once the evaluation starts the
centre running it, the pool supervisor and regulators see them; the tenderee, its agent and
the bidders never learn them from the pool (招标投标法 第37条: the committee's names stay
confidential until the result is decided).
"""

from portal.accounts.models import Role
from portal.accounts.policies import can_manage_centre

#: Centre levels that act as county ports.
COUNTY_PORT_LEVELS = frozenset({"branch", "district"})


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _has_role(user, *roles: str) -> bool:
    return _active(user) and user.role in roles


# --- Pool maintenance ------------------------------------------------------------------------


def can_maintain_pool(user) -> bool:
    """Profiles, admission, assessment, suspension and exit (F7)."""
    return _has_role(user, Role.POOL_MAINTAINER)


def can_read_pool(user) -> bool:
    """The profiles: their maintainer, the pool's supervisor and regulators."""
    return _has_role(user, Role.POOL_MAINTAINER, Role.POOL_SUPERVISOR, Role.REGULATOR)


def is_expert(user) -> bool:
    return _has_role(user, Role.EXPERT)


def owns_profile(user, profile) -> bool:
    return is_expert(user) and profile.user_id == user.pk


def can_edit_declarations(user, profile) -> bool:
    """Relations and unavailable periods: the expert, or the maintainer on the expert's word."""
    return owns_profile(user, profile) or can_maintain_pool(user)


# --- Draws -----------------------------------------------------------------------------------


def is_county_port(user) -> bool:
    return (
        _has_role(user, Role.CENTRE_STAFF)
        and user.centre is not None
        and user.centre.level in COUNTY_PORT_LEVELS
    )


def can_request_draw(user, *, centre) -> bool:
    """The drawer, for any project; a county port, for projects of its own centre."""
    if _has_role(user, Role.EXPERT_DRAWER):
        return True
    return is_county_port(user) and user.centre_id == centre.pk and can_manage_centre(user, centre)


def can_request_any_draw(user) -> bool:
    """May this account reach the draw form at all (the project is checked on submission)."""
    return _has_role(user, Role.EXPERT_DRAWER) or is_county_port(user)


def can_cancel_draw(user, draw) -> bool:
    return can_request_draw(user, centre=draw.centre)


def can_view_draw(user, draw) -> bool:
    """The count and the commitment: the drawer, the centre, the project's tenderee and
    agent, the pool supervisor and regulators. Not the bidders, not the maintainer."""
    if _has_role(user, Role.EXPERT_DRAWER, Role.POOL_SUPERVISOR, Role.REGULATOR):
        return True
    if _has_role(user, Role.CENTRE_STAFF):
        return can_manage_centre(user, draw.centre)
    if _has_role(user, Role.TENDEREE, Role.AGENT) and user.entity is not None:
        usccs = {draw.tenderee_uscc, draw.parties.get("agent", "")} - {""}
        return user.entity.uscc in usccs
    return False


def can_read_draws_list(user) -> bool:
    """Who has a list of draws at all (each draw is then checked with can_view_draw)."""
    if _has_role(user, Role.EXPERT_DRAWER, Role.POOL_SUPERVISOR, Role.REGULATOR):
        return True
    if _has_role(user, Role.CENTRE_STAFF):
        return user.centre_id is not None
    return _has_role(user, Role.TENDEREE, Role.AGENT) and user.entity_id is not None


def can_see_names(user, draw) -> bool:
    """Names once the evaluation has started: the centre running it, the pool supervisor
    and regulators."""
    if draw.is_sealed or not _active(user):
        return False
    if _has_role(user, Role.POOL_SUPERVISOR, Role.REGULATOR):
        return True
    return _has_role(user, Role.CENTRE_STAFF) and can_manage_centre(user, draw.centre)


def can_audit_draws(user) -> bool:
    """The audit record (enough to re-run a draw): the pool supervisor and regulators."""
    return _has_role(user, Role.POOL_SUPERVISOR, Role.REGULATOR)


def can_start_evaluation(user, *, centre) -> bool:
    """The centre that hosts the evaluation seats the committee and so reveals the names."""
    return _has_role(user, Role.CENTRE_STAFF) and can_manage_centre(user, centre)


# --- Credit (F5) -----------------------------------------------------------------------------


def can_record_conduct(user, *, draw=None) -> bool:
    """Regulators for any expert; centre staff for an evaluation their centre hosted."""
    if _has_role(user, Role.REGULATOR):
        return True
    return (
        draw is not None
        and not draw.is_sealed
        and _has_role(user, Role.CENTRE_STAFF)
        and can_manage_centre(user, draw.centre)
    )


def can_lift_blacklist(user) -> bool:
    return _has_role(user, Role.REGULATOR)
