"""Reads of market entities."""

from portal.entities.models import MarketEntity


def entity_profile_history(entity: MarketEntity) -> list[dict]:
    """The profile's change history, newest first: when, by whom, which fields from → to."""
    records = list(
        entity.history.select_related("history_user").order_by("-history_date", "-history_id")
    )
    items = []
    for newer, older in zip(records, [*records[1:], None], strict=True):
        changes = {}
        if older is not None:
            delta = newer.diff_against(older)
            changes = {c.field: {"from": _plain(c.old), "to": _plain(c.new)} for c in delta.changes}
        items.append(
            {
                "changed_at": newer.history_date,
                "changed_by": newer.history_user.username if newer.history_user else None,
                "kind": {"+": "created", "~": "changed", "-": "deleted"}[newer.history_type],
                "changes": changes,
            }
        )
    return items


def _plain(value):
    return value if isinstance(value, str | int | float | bool | type(None)) else str(value)
