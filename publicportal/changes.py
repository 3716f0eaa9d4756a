"""The incremental change feed for other platforms (B5, B6): everything changed since a
cursor, with no entry skipped or repeated when transactions commit out of order.

An id from a sequence is not a safe cursor by itself: transaction A takes id 7, B takes id 8
and commits first, a reader sees 8 and moves its cursor past 7, then A commits 7 — skipped.
So appends to the feed are serialised: `index.record_change` first locks the trade log's
head row (`TradeLogHead`, FOR UPDATE), which every trading service locks anyway to append
to the trade log, and holds it to commit. No second writer can insert an entry while one is
uncommitted, so ids are handed out in commit order and every entry with a smaller id than a
visible one is itself visible: the id is a safe cursor. Reusing the head row rather than a
lock of our own keeps one lock order (a second lock taken in either order by different
services could deadlock).

Considered and rejected: the transaction-id horizon (`txid < pg_snapshot_xmin(
pg_current_snapshot())`). It is correct, but the horizon is cluster-wide: one long
transaction anywhere on the server — another database's, a report, a backup — holds the
whole feed back for as long as it runs.
"""

from portal.errors import ApplicationError
from publicportal.models import ChangeLogEntry

MAX_LIMIT = 500


def parse_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    if not cursor.isdigit():
        raise ApplicationError(
            "Invalid cursor.",
            code="invalid_cursor",
            fields={"cursor": ["Pass back the next_cursor of the previous page, as given."]},
        )
    return int(cursor)


def changes_since(cursor: str | None, *, limit: int = 100) -> dict:
    """The entries after `cursor`, oldest first, and the cursor to pass next time (unchanged
    when there is nothing new)."""
    last = parse_cursor(cursor)
    entries = list(
        ChangeLogEntry.objects.filter(id__gt=last).order_by("id")[: max(1, min(limit, MAX_LIMIT))]
    )
    if entries:
        last = entries[-1].id
    return {
        "results": [
            {
                "cursor": str(entry.id),
                "object_type": entry.object_type,
                "object_key": entry.object_key,
                "action": entry.action,
                "occurred_at": entry.occurred_at.isoformat(),
                "data": entry.payload,
            }
            for entry in entries
        ],
        "next_cursor": str(last),
    }
