"""Reads of holds: the state machine asks before every step."""

from portal.holds.models import TradeHold


def active_hold(project_id: int) -> TradeHold | None:
    """The hold in force on the project, if any (one indexed query)."""
    return TradeHold.objects.filter(project_id_ref=project_id, lifted_at__isnull=True).first()
