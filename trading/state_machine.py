"""The states of projects and lots, the only moves between them, and the one function that
makes a move (and writes it to the trade log).

No code sets `state` anywhere else. A move is refused when the object is not in a state the
event allows, or while the project is suspended pending a complaint (H5).
"""

from django.utils.translation import gettext as _

from portal.errors import ApplicationError
from portal.holds.selectors import active_hold
from portal.tradelog.services import append_entry
from trading.models import Lot, Project

P, L = Project.State, Lot.State

#: event -> (states it may start from, state it leads to)
PROJECT_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "register": (frozenset({P.SUBMITTED}), P.REGISTERED),
    "announce": (frozenset({P.REGISTERED}), P.ANNOUNCED),
    "close": (frozenset({P.ANNOUNCED}), P.CLOSED),
    "archive": (frozenset({P.CLOSED}), P.ARCHIVED),
    "cancel": (frozenset({P.SUBMITTED, P.REGISTERED, P.ANNOUNCED}), P.CANCELLED),
}

LOT_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "announce": (frozenset({L.PREPARING}), L.BIDDING),
    "start_opening": (frozenset({L.BIDDING}), L.OPENING),
    "close_opening": (frozenset({L.OPENING}), L.OPENED),
    "fail": (frozenset({L.BIDDING, L.OPENING, L.OPENED, L.EVALUATED, L.PUBLICITY}), L.FAILED),
    "complete_evaluation": (frozenset({L.OPENED}), L.EVALUATED),
    "publish_candidates": (frozenset({L.EVALUATED}), L.PUBLICITY),
    "award": (frozenset({L.PUBLICITY}), L.AWARDED),
    "sign_contract": (frozenset({L.AWARDED}), L.CONTRACTED),
    "file": (frozenset({L.CONTRACTED}), L.FILED),
}

#: States from which a lot needs nothing more.
LOT_FINAL_STATES = frozenset({L.FAILED, L.FILED})


class StateError(ApplicationError):
    """An action attempted in a state that does not allow it."""


def suspension(project: Project) -> str | None:
    """Why the trade is suspended, or None when it is not: a hold the competent department
    recorded through the core (`portal.holds`, written by supervision's complaint handling)
    or the project's own flag. The one place both are read (the state machine, the API)."""
    if project.suspended:
        return project.suspension_reason or ""
    hold = active_hold(project.pk)
    return None if hold is None else hold.reason or ""


def check_not_suspended(project: Project) -> None:
    """Refuse any step while the competent department holds the trade."""
    reason = suspension(project)
    if reason is not None:
        raise StateError(
            _("The project is suspended by the competent department: %(reason)s")
            % {"reason": reason or "—"},
            code="project_suspended",
            status_code=409,
        )


def can_move(obj: Project | Lot, event: str) -> bool:
    table = PROJECT_TRANSITIONS if isinstance(obj, Project) else LOT_TRANSITIONS
    return event in table and obj.state in table[event][0]


def move(obj: Project | Lot, event: str, *, actor, payload: dict | None = None):
    """Move `obj` by `event`, save it and log the move. Call inside the service's atomic block,
    with `obj` locked (select_for_update) by the caller."""
    is_project = isinstance(obj, Project)
    table = PROJECT_TRANSITIONS if is_project else LOT_TRANSITIONS
    project = obj if is_project else obj.project
    check_not_suspended(project)
    if event not in table:
        raise ValueError(f"unknown event {event!r}")
    allowed, target = table[event]
    if obj.state not in allowed:
        raise StateError(
            _("This step is not possible now: it is “%(state)s”.")
            % {"state": obj.get_state_display()},
            code="invalid_state",
            status_code=409,
        )
    previous = obj.state
    obj.state = target
    obj.save(update_fields=["state"])
    kind = "project" if is_project else "lot"
    append_entry(
        action=f"{kind}.{event}",
        obj=obj,
        actor=actor,
        category=project.category.code,
        centre_id=project.centre_id,
        payload={
            "project": project.pk,
            "lot": None if is_project else obj.pk,
            "from": previous,
            "to": target,
            **(payload or {}),
        },
    )
    return obj
