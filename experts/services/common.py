"""What the pool's services share: the refusal shape, the trade-log entry, the draw gate."""

from django.db import connection

from portal.errors import ApplicationError
from portal.tradelog.services import append_entry

#: pg_advisory_xact_lock class id of the pool's draws (trading uses others).
DRAW_GATE = 0x3E7D


def refuse(
    message: str, code: str, field: str | None = None, status: int = 400, **fields
) -> ApplicationError:
    """A business rule refused the action; `field` names the input it concerns."""
    payload = {field: [message]} if field else {}
    payload.update(fields)
    return ApplicationError(message, code=code, fields=payload or None, status_code=status)


def forbid(message: str) -> ApplicationError:
    return ApplicationError(message, code="permission_denied", status_code=403)


def log(action: str, obj, *, actor, category: str = "", centre_id: int | None = None, **payload):
    return append_entry(
        action=action,
        obj=obj,
        actor=actor,
        category=category,
        centre_id=centre_id,
        payload=payload,
    )


def log_draw(action: str, draw, *, actor=None, **payload):
    """A draw's entry: routed by its category and centre like trading's, never naming an
    invited expert while the names are sealed (invitations appear by sequence number)."""
    return append_entry(
        action=action,
        obj=draw,
        actor=actor,
        category=draw.category,
        centre_id=draw.centre_id,
        payload={"draw": draw.pk, "project": draw.project_id, "lot": draw.lot_id, **payload},
    )


def draw_gate() -> None:
    """Draws, invitations and answers take this lock for their transaction, so the eligible
    set a draw computes is not changed under it by another draw booking the same experts.
    Draws are rare events; serialising them costs nothing that matters. (The exclusion
    constraint on live invitations stays the last word.) SQLite serialises writers."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [DRAW_GATE, 0])
