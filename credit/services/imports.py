"""Bulk loading of credit records from another credit platform (G1).

Each row is checked like a record added by hand — the importing regulator must be competent
for it — and written in its own savepoint: a bad row is reported with its line and reason
and the good rows still load. Loading the same file twice changes nothing: a row whose
external id, or whose (code, authority, decision number), is already recorded with the same
content is reported `unchanged`; with different content it is refused as a conflict (an
audited record is never overwritten by a file).
"""

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from credit import exchange, policies
from credit.models import CreditImport
from credit.services.records import (
    comparable_record,
    create_record,
    existing_record,
    prepare_record,
)
from portal.errors import ApplicationError
from portal.tradelog.services import append_entry

CREATED, UNCHANGED, REJECTED = "created", "unchanged", "rejected"


def _flatten(detail) -> dict[str, list[str]]:
    """DRF's error detail as {field: [messages]} of plain strings."""
    if isinstance(detail, dict):
        return {
            str(key): [str(m) for m in (value if isinstance(value, list) else [value])]
            if not isinstance(value, dict)
            else [f"{k}: {v}" for k, v in _flatten(value).items()]
            for key, value in detail.items()
        }
    return {"row": [str(m) for m in (detail if isinstance(detail, list) else [detail])]}


def _load_row(*, actor, data: dict, credit_import: CreditImport) -> tuple[str, int | None]:
    row = exchange.CreditRecordRow(data=data)
    if not row.is_valid():
        raise ApplicationError(_("The row is not valid."), fields=_flatten(row.errors))
    plan = prepare_record(actor=actor, **exchange.service_arguments(row.validated_data))
    existing = existing_record(plan)
    if existing is not None:
        if comparable_record(existing) == plan.comparable() and existing.uscc == plan.uscc:
            return UNCHANGED, existing.pk
        message = _(
            "Conflict: %(authority)s's decision %(decision)s is already recorded (record "
            "%(record)d) with other content; a record is not overwritten by a file."
        ) % {"authority": plan.authority, "decision": plan.decision_no, "record": existing.pk}
        raise ApplicationError(message, code="conflict", fields={"decision_no": [message]})
    record = create_record(actor=actor, plan=plan, credit_import=credit_import)
    return CREATED, record.pk


@transaction.atomic
def import_records(*, actor, content: bytes, file_name: str = "") -> CreditImport:
    """Load a file of records (JSON array or JSON Lines, UTF-8); the report says, per row,
    its line, what happened and why."""
    if not policies.is_regulator(actor):
        message = _("Only regulators of the competent department record credit.")
        raise ApplicationError(
            message, code="not_competent", fields={"permission": [message]}, status_code=403
        )
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApplicationError(
            _("The file is not UTF-8 text."), code="invalid", fields={"file": [str(exc)]}
        ) from exc
    rows = exchange.parse_document(text)
    if not rows:
        raise ApplicationError(
            _("The file holds no rows."), code="invalid", fields={"file": [_("Empty file.")]}
        )
    if len(rows) > exchange.MAX_ROWS:
        raise ApplicationError(
            _("At most %(count)d rows per file.") % {"count": exchange.MAX_ROWS},
            code="too_many_rows",
            fields={"file": [_("Split the file.")]},
            status_code=413,
        )
    credit_import = CreditImport.objects.create(
        file_name=file_name[:200],
        sha256=hashlib.sha256(content).hexdigest(),
        imported_by=actor,
        rows=len(rows),
    )
    report = []
    counts = {CREATED: 0, UNCHANGED: 0, REJECTED: 0}
    for parsed in rows:
        entry = {"line": parsed.line, "decision_no": (parsed.data or {}).get("decision_no")}
        if parsed.error is not None:
            entry.update(status=REJECTED, errors={"row": [parsed.error]})
        else:
            try:
                with transaction.atomic():  # the row's own savepoint
                    status, record_id = _load_row(
                        actor=actor, data=parsed.data, credit_import=credit_import
                    )
            except ApplicationError as exc:
                entry.update(status=REJECTED, errors=exc.fields or {"row": [exc.message]})
            except ValidationError as exc:
                entry.update(status=REJECTED, errors={"row": exc.messages})
            else:
                entry.update(status=status, record=record_id)
        counts[entry["status"]] += 1
        report.append(entry)
    credit_import.created = counts[CREATED]
    credit_import.unchanged = counts[UNCHANGED]
    credit_import.rejected = counts[REJECTED]
    credit_import.report = report
    credit_import.save(update_fields=["created", "unchanged", "rejected", "report"])
    append_entry(
        action="credit.import_completed",
        obj=credit_import,
        actor=actor,
        payload={
            "file_name": credit_import.file_name,
            "sha256": credit_import.sha256,
            "rows": credit_import.rows,
            "created": credit_import.created,
            "unchanged": credit_import.unchanged,
            "rejected": credit_import.rejected,
        },
    )
    return credit_import
