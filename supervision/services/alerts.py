"""Triage of alerts and the cases opened from them. Every step is recorded (AlertTransition)
and written to the trade log: a regulator's decision on an alert is a sensitive action."""

from django.db import transaction
from django.utils.translation import gettext as _

from portal.errors import ApplicationError
from portal.tradelog.services import append_entry
from supervision import policies, selectors
from supervision.models import Alert, AlertTransition, Case

S = Alert.Status

#: status -> the statuses triage may move it to
TRIAGE: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.ACKNOWLEDGED, S.INVESTIGATING, S.DISMISSED, S.CONFIRMED}),
    S.ACKNOWLEDGED: frozenset({S.INVESTIGATING, S.DISMISSED, S.CONFIRMED}),
    S.INVESTIGATING: frozenset({S.DISMISSED, S.CONFIRMED}),
    S.DISMISSED: frozenset(),
    S.CONFIRMED: frozenset(),
}


def _forbidden() -> ApplicationError:
    return ApplicationError(
        _("Only a regulator of the alert's department and region may do this."),
        code="permission_denied",
        status_code=403,
    )


def check_may_act(actor, alert: Alert) -> None:
    regions = selectors.region_subtree(actor.region_id) if policies.is_regulator(actor) else []
    if not policies.can_act_on(
        actor, department=alert.department, region_ids=regions, region_id=alert.region_id_ref
    ):
        raise _forbidden()


@transaction.atomic
def triage_alert(
    *, alert: Alert, actor, status: str, reason: str = "", case: Case | None = None
) -> Alert:
    """Move an alert: acknowledge, investigate, dismiss (with a reason), or confirm, which
    opens a case (or adds the alert to `case`)."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    check_may_act(actor, alert)
    if status not in S.values:
        message = _("Unknown status.")
        raise ApplicationError(message, code="invalid", fields={"status": [message]})
    if status not in TRIAGE[alert.status]:
        message = _("An alert that is “%(current)s” cannot become “%(target)s”.") % {
            "current": alert.get_status_display(),
            "target": S(status).label,
        }
        raise ApplicationError(
            message, code="invalid_transition", fields={"status": [message]}, status_code=409
        )
    reason = reason.strip()
    if status == S.DISMISSED and not reason:
        message = _("A dismissal needs its reason.")
        raise ApplicationError(message, code="reason_required", fields={"reason": [message]})
    if status == S.CONFIRMED:
        if case is None:
            case = Case.objects.create(
                title=alert.title,
                department=alert.department or actor.department,
                region_id_ref=alert.region_id_ref,
                project_id_ref=alert.project_id_ref,
                opened_by=actor,
            )
        elif case.state != Case.State.OPEN:
            message = _("The case is closed.")
            raise ApplicationError(message, code="case_closed", fields={"case": [message]})
        alert.case = case
    previous = alert.status
    alert.status = status
    alert.status_reason = reason
    alert.save(update_fields=["status", "status_reason", "case", "updated_at"])
    AlertTransition.objects.create(
        alert=alert, actor=actor, from_status=previous, to_status=status, reason=reason
    )
    append_entry(
        action="supervision.alert_triaged",
        obj=alert,
        actor=actor,
        category=alert.category,
        centre_id=alert.centre_id_ref,
        payload={
            "alert": alert.pk,
            "rule": alert.rule_code,
            "project": alert.project_id_ref,
            "lot": alert.lot_id_ref,
            "from": previous,
            "to": status,
            "reason": reason,
            "case": alert.case_id,
        },
    )
    return alert
