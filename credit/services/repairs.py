"""Credit repair (信用修复): a recorded decision ends a measure early.

The measure keeps its decided end (`decided_valid_to`) and every repair with its decision
number, authority and date; the eligibility rows take the new end in the same transaction,
so the measure stops applying at that second on every centre.
"""

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from credit import policies
from credit.models import CreditRepair, Measure
from credit.rules import check_repair, whole_second
from portal.errors import ApplicationError
from portal.tradelog.services import append_entry

REPAIR_MESSAGES = {
    "not_shorter": lambda: _("A repair ends the measure earlier than it now ends."),
    "before_start": lambda: _("A repair cannot end the measure before it began."),
}


@transaction.atomic
def repair_measure(
    *,
    actor,
    measure: Measure,
    new_valid_to: datetime,
    decision_no: str,
    authority: str,
    decided_on: date,
    reason: str,
) -> CreditRepair:
    """Shorten `measure` to end at `new_valid_to` (its last second), as decided by
    `authority` in decision `decision_no` on `decided_on`. The competent regulator of the
    record's category and region records it."""
    measure = (
        Measure.objects.select_for_update(of=("self",))
        .select_related("record__category", "record__region", "measure_type")
        .get(pk=measure.pk)
    )
    record = measure.record
    refused = policies.check_can_record(actor, category=record.category, region=record.region)
    if refused is not None:
        raise ApplicationError(
            refused.message, code="not_competent", fields=refused.fields, status_code=403
        )
    fields: dict[str, list[str]] = {}
    for name, value in (("decision_no", decision_no), ("authority", authority), ("reason", reason)):
        if not value.strip():
            fields[name] = [_("This field is required.")]
    new_end = whole_second(new_valid_to)
    for problem in check_repair(measure.valid_from, measure.valid_to, new_end):
        fields.setdefault("new_valid_to", []).append(REPAIR_MESSAGES[problem]())
    if decided_on > timezone.localdate():
        fields.setdefault("decided_on", []).append(_("The decision date is in the future."))
    if fields:
        raise ApplicationError(
            " ".join(m for messages in fields.values() for m in messages),
            code="invalid",
            fields=fields,
        )
    previous = measure.valid_to
    repair = CreditRepair.objects.create(
        measure=measure,
        decision_no=decision_no.strip(),
        authority=authority.strip(),
        decided_on=decided_on,
        reason=reason.strip(),
        previous_valid_to=previous,
        new_valid_to=new_end,
        repaired_by=actor,
    )
    if measure.decided_valid_to is None:
        measure.decided_valid_to = previous
    measure.valid_to = new_end
    measure.save(update_fields=["valid_to", "decided_valid_to"])
    measure.scopes.update(valid_to=new_end)
    append_entry(
        action="credit.measure_repaired",
        obj=measure,
        actor=actor,
        category=record.category.code,
        payload={
            "uscc": measure.uscc,
            "record": record.pk,
            "record_decision_no": record.decision_no,
            "measure": measure.measure_type.code,
            "repair": repair.pk,
            "decision_no": repair.decision_no,
            "authority": repair.authority,
            "decided_on": decided_on,
            "previous_valid_to": previous,
            "new_valid_to": new_end,
        },
    )
    return repair
