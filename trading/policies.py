"""Who may do what in a trade (pure checks over the account's role and scope)."""

from portal.accounts.models import Role
from portal.accounts.policies import can_manage_centre
from trading.models import CommitteeMember


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_project_party(user, project) -> bool:
    """The tenderee's or its agent's accounts bring and run the project."""
    return (
        _active(user)
        and user.role in {Role.TENDEREE, Role.AGENT}
        and user.entity_id is not None
        and user.entity_id in {project.tenderee_id, project.agent_id}
    )


def is_centre_staff_of(user, project) -> bool:
    return can_manage_centre(user, project.centre)


def is_bidder(user) -> bool:
    return _active(user) and user.role == Role.BIDDER and user.entity_id is not None


def sits_on_committee(user, project) -> bool:
    """A member of the evaluation committee of one of the project's lots."""
    if not _active(user):
        return False
    return CommitteeMember.objects.filter(lot__project=project, user=user).exists()
