"""What the change feed (B5, B6) carries besides the publication index.

A platform that consumes our data — the national or provincial platform, a credit platform,
a connected trading system — needs every public fact it would otherwise scrape from our
pages. The feed therefore carries one `object_type` per kind of public fact:

- `publication` (key: the publication's `source_key`): every announcement of every source —
  tenders, changes, opening records, candidates, results, contracts, failures; land, mining
  and equity listings and their results; what connected systems pushed.
- `performance` (key `trading:performance:N`): a contract performance record (履约信息, E1).
- `credit_record` (key `credit:N`): a public credit record — administrative penalty,
  misconduct, judgment, honour — with its measure (market ban, negative list…), its current
  end and its repairs, in the credit exchange format (E2, G1; docs/CREDIT_EXCHANGE.md).
- `notice` (key `notice:N`): a published notice — policies, service list, fee standards,
  rule clean-up, complaint channels (C1, E3, E4).

Each entry is appended in the transaction of the change (so it commits or rolls back with it)
through `index.record_change`, behind the trade log's head lock: the id order is the commit
order whatever the source (see `publicportal.changes`).

Where the hook sits: on the model's `post_save` when one save is the whole change (a notice,
a performance record); on the trade-log entry when a change spans several rows — a credit
record is saved before its measure and the measure's scopes, and the credit services append
to the trade log last, once all of them are written. The other apps stay untouched.
"""

from django.urls import reverse
from django.utils import timezone

from credit.exchange import record_row
from credit.models import CreditRecord, Measure
from portal.notices.models import Notice
from portal.tradelog.models import TradeLogEntry
from publicportal.index import record_change
from publicportal.models import ChangeLogEntry
from trading.models import PerformanceRecord

OBJECT_TYPES = ("publication", "performance", "credit_record", "notice")


def _iso(value) -> str | None:
    return None if value is None else timezone.localtime(value).isoformat()


def _amount(value) -> str | None:
    return None if value is None else str(value)


def _last_action(object_type: str, object_key: str) -> str | None:
    return (
        ChangeLogEntry.objects.filter(object_type=object_type, object_key=object_key)
        .order_by("-id")
        .values_list("action", flat=True)
        .first()
    )


def _action(object_type: str, object_key: str) -> str:
    """`created` the first time (or again after a withdrawal), `updated` after that."""
    return "created" if _last_action(object_type, object_key) in (None, "deleted") else "updated"


# --- Contract performance (trading) ---------------------------------------------------------


def performance_payload(record: PerformanceRecord) -> dict:
    contract = record.contract
    lot = contract.lot
    project = lot.project
    project_key = f"trading:{project.pk}"
    return {
        "id": record.pk,
        "project_key": project_key,
        "project_title": project.title,
        "transaction_code": project.transaction_code or "",
        "category": project.category.code,
        "region": project.region.code,
        "centre": project.centre.code if project.centre_id else None,
        "lot": lot.number,
        "contract": {
            "amount": _amount(contract.amount),
            "signed_at": _iso(contract.signed_at),
            "duration_days": contract.duration_days,
        },
        "milestone": record.milestone,
        "description": record.description,
        "amount_paid": _amount(record.amount_paid),
        "recorded_at": _iso(record.recorded_at),
        "project_path": reverse("trading:project", args=[project.pk]),
    }


def record_performance(record: PerformanceRecord) -> None:
    record = PerformanceRecord.objects.select_related(
        "contract__lot__project__category",
        "contract__lot__project__region",
        "contract__lot__project__centre",
    ).get(pk=record.pk)
    key = f"trading:performance:{record.pk}"
    record_change(
        object_type="performance",
        object_key=key,
        action=_action("performance", key),
        payload=performance_payload(record),
    )


# --- Credit records and their measures (credit) ---------------------------------------------


def record_credit(record_id: int) -> None:
    """A public credit record, as the credit exchange format gives it (its measure, scope,
    current end and repairs included). Records that are not public stay out of the feed."""
    record = (
        CreditRecord.objects.select_related("category", "region")
        .prefetch_related(
            "measures__measure_type",
            "measures__region",
            "measures__scopes__category",
            "measures__repairs",
        )
        .filter(pk=record_id, public=True)
        .first()
    )
    if record is None:
        return
    key = f"credit:{record.pk}"
    payload = record_row(record) | {
        "id": record.pk,
        "credit_page": reverse("credit:entity", args=[record.uscc]),
    }
    record_change(
        object_type="credit_record",
        object_key=key,
        action=_action("credit_record", key),
        payload=payload,
    )


def _credit_record_added(entry: TradeLogEntry) -> None:
    record_credit(int(entry.object_id))


def _credit_measure_repaired(entry: TradeLogEntry) -> None:
    for record_id in Measure.objects.filter(pk=int(entry.object_id)).values_list(
        "record_id", flat=True
    ):
        record_credit(record_id)


#: The trade-log actions that end a change the feed carries, and what to append for each.
LOGGED_CHANGES = {
    "credit.record_added": _credit_record_added,
    "credit.measure_repaired": _credit_measure_repaired,
}


def record_logged_change(entry: TradeLogEntry) -> None:
    handler = LOGGED_CHANGES.get(entry.action)
    if handler is not None:
        handler(entry)


# --- Notices (portal.notices) ---------------------------------------------------------------


def notice_payload(notice: Notice) -> dict:
    return {
        "id": notice.pk,
        "kind": notice.kind,
        "kind_label": str(Notice.Kind(notice.kind).label)
        if notice.kind in Notice.Kind.values
        else notice.kind,
        "title": notice.title,
        "body": notice.body,
        "source": notice.source,
        "centre": notice.centre.code if notice.centre_id else None,
        "published_at": _iso(notice.published_at),
        "path": reverse("notices:detail", args=[notice.pk]),
    }


def record_notice(notice: Notice) -> None:
    """A published notice (or an edit of one); a notice taken back to draft is withdrawn."""
    key = f"notice:{notice.pk}"
    if notice.published_at is None:
        withdraw_notice(notice.pk)
        return
    record_change(
        object_type="notice",
        object_key=key,
        action=_action("notice", key),
        payload=notice_payload(notice),
    )


def withdraw_notice(notice_id: int) -> None:
    """A notice deleted or taken back to draft: `deleted`, if the feed had carried it."""
    key = f"notice:{notice_id}"
    if _last_action("notice", key) not in (None, "deleted"):
        record_change(
            object_type="notice", object_key=key, action="deleted", payload={"id": notice_id}
        )
