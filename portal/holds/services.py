"""Suspending and resuming a trade. Every hold and every lift is in the trade log."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.errors import ApplicationError
from portal.holds.models import TradeHold
from portal.tradelog.services import append_entry


@transaction.atomic
def suspend_project(
    *,
    project_id: int,
    actor,
    reason: str,
    ordered_by_ref: str,
    category: str = "",
    centre_id: int | None = None,
) -> TradeHold:
    """Put a hold on the project; refused if one is already in force."""
    if not reason.strip():
        message = _("Give the reason for the suspension.")
        raise ApplicationError(message, code="reason_required", fields={"reason": [message]})
    try:
        with transaction.atomic():
            hold = TradeHold.objects.create(
                project_id_ref=project_id,
                reason=reason.strip()[:300],
                ordered_by_ref=ordered_by_ref,
                ordered_by=actor,
                ordered_at=timezone.now(),
            )
    except IntegrityError as exc:
        message = _("The project is already suspended.")
        raise ApplicationError(message, code="already_suspended", status_code=409) from exc
    append_entry(
        action="hold.suspended",
        obj=hold,
        actor=actor,
        category=category,
        centre_id=centre_id,
        payload={"project": project_id, "reason": hold.reason, "ordered_by": ordered_by_ref},
    )
    return hold


@transaction.atomic
def lift_hold(
    *, hold: TradeHold, actor, reason: str, category: str = "", centre_id: int | None = None
) -> TradeHold:
    hold = TradeHold.objects.select_for_update().get(pk=hold.pk)
    if hold.lifted_at is not None:
        message = _("This suspension has already been lifted.")
        raise ApplicationError(message, code="already_lifted", status_code=409)
    hold.lifted_at = timezone.now()
    hold.lifted_by = actor
    hold.lift_reason = reason.strip()[:300]
    hold.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    append_entry(
        action="hold.lifted",
        obj=hold,
        actor=actor,
        category=category,
        centre_id=centre_id,
        payload={"project": hold.project_id_ref, "reason": hold.lift_reason},
    )
    return hold
