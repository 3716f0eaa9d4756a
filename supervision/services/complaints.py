"""Complaints (投诉) to the competent department (H5): filed by a party with its evidence
within the legal time limit, accepted or not within the acceptance limit, investigated, the
trade suspended if need be (through the core's hold, which the state machine honours), and
ruled within the decision limit. The limits are the catalog's rules (as data); every step is
recorded, visible to the complainant, and written to the trade log.

Objections (异议) to the tenderee during the candidates' publicity are the operation side's
(`trading.Objection`); this is the next level up.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, time

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.rules import check_schedule
from catalog.working_days import period_end
from portal.accounts.models import Department
from portal.errors import ApplicationError
from portal.holds import services as holds
from portal.holds.selectors import active_hold
from portal.tradelog.services import append_entry
from supervision import policies, selectors
from supervision.models import Complaint, ComplaintStep

#: Where each category's limits are, by the field the rule's period starts from.
FILING_RULES = {
    "engineering": ("engineering.complaint_filing", "complaint_grounds_known_at"),
    "procurement": ("procurement.complaint_filing", "question_answer_due_at"),
}
ACCEPTANCE_RULES = {"engineering": "engineering.complaint_acceptance"}
DECISION_RULES = {
    # engineering: from the acceptance (实施条例 第61条); procurement: from receipt (采购法 第56条)
    "engineering": ("engineering.complaint_decision", "accepted"),
    "procurement": ("procurement.complaint_decision", "received"),
}


def _error(message: str, code: str, field: str | None = None, status: int = 400):
    return ApplicationError(
        message, code=code, fields={field: [message]} if field else None, status_code=status
    )


def _rule(code: str, on):
    rules = selectors.statutory_rules_by_code([code], on)
    return rules[0] if rules else None


def _deadline(start: datetime, rule, calendar) -> datetime | None:
    """The end of the last day of the rule's period from `start`, Beijing time."""
    if rule is None:
        return None
    day = period_end(
        timezone.localtime(start).date(),
        int(rule.value / rule.value_denominator),
        rule.unit,
        calendar=calendar,
    ).day
    return timezone.make_aware(datetime.combine(day, time.max.replace(microsecond=0)))


@dataclass(frozen=True)
class EvidenceFile:
    """An evidence file uploaded with a complaint (the web form)."""

    name: str
    content: bytes
    description: str


def _root(category: str) -> str:
    return category.split(".")[0]


@transaction.atomic
def file_complaint(
    *,
    actor,
    project_id: int,
    grounds: str,
    grounds_known_at: datetime,
    lot_id: int | None = None,
    evidence: list[dict] | None = None,
    files: list[EvidenceFile] | None = None,
) -> Complaint:
    """File a complaint; refused when out of time, naming the rule and its source. Evidence
    is described (`evidence`: description and digest) or uploaded (`files`: kept in storage
    under their SHA-256 digest, which the record names)."""
    if not policies.can_file_complaint(actor):
        raise _error(
            _("Complaints are filed by the parties to a trade."), "permission_denied", status=403
        )
    project = selectors.project_for_complaint(project_id)
    if project is None:
        raise _error(_("No such project."), "not_found", "project", status=404)
    if lot_id is not None and not project.lots.filter(pk=lot_id).exists():
        raise _error(_("The lot is not one of the project's."), "invalid", "lot")
    if not grounds.strip():
        raise _error(_("State the grounds of the complaint."), "required", "grounds")
    now = timezone.now()
    if grounds_known_at > now:
        raise _error(_("This time is in the future."), "invalid", "grounds_known_at")
    category = project.category.code
    root = _root(category)
    calendar = selectors.holiday_calendar()
    limits: dict[str, dict] = {}
    if root in FILING_RULES:
        code, start_field = FILING_RULES[root]
        rule = _rule(code, now.date())
        if rule is not None:
            violations = check_schedule(
                rules=[rule],
                schedule={start_field: grounds_known_at, "complaint_filed_at": now},
                calendar=calendar,
            )
            limits["filing"] = {"rule": rule.code, "source": rule.source}
            if violations:
                message = _("Filed out of time: %(rule)s (%(source)s).") % {
                    "rule": violations[0].message,
                    "source": violations[0].source,
                }
                raise _error(message, "complaint_out_of_time", "grounds_known_at")
    acceptance_rule = _rule(ACCEPTANCE_RULES.get(root, ""), now.date())
    decision_code, decision_from = DECISION_RULES.get(root, ("", ""))
    decision_rule = _rule(decision_code, now.date())
    for key, rule in (("acceptance", acceptance_rule), ("decision", decision_rule)):
        if rule is not None:
            limits[key] = {"rule": rule.code, "source": rule.source, "value": str(rule.value)}
    uploaded = [_evidence_record(item) for item in files or []]
    complaint = Complaint.objects.create(
        project_id_ref=project.pk,
        lot_id_ref=lot_id,
        project_title=project.title[:200],
        category=category,
        department=project.category.supervising_department or Department.DEVELOPMENT_REFORM,
        region_id_ref=project.region_id,
        centre_id_ref=project.centre_id,
        complainant=actor,
        complainant_uscc=actor.entity.uscc,
        grounds=grounds.strip(),
        evidence=[*(evidence or []), *uploaded],
        grounds_known_at=grounds_known_at,
        filed_at=now,
        acceptance_due_at=_deadline(now, acceptance_rule, calendar),
        decision_due_at=(
            _deadline(now, decision_rule, calendar) if decision_from == "received" else None
        ),
        limits=limits,
    )
    for item, record in zip(files or [], uploaded, strict=True):
        if not default_storage.exists(record["file"]):
            default_storage.save(record["file"], ContentFile(item.content))
    _step(complaint, "filed", actor, note="")
    return complaint


def _evidence_record(item: EvidenceFile) -> dict:
    if not item.description.strip():
        raise _error(_("Say what each evidence file shows."), "required", "evidence")
    digest = hashlib.sha256(item.content).hexdigest()
    return {
        "description": item.description.strip()[:500],
        "name": item.name[:255],
        "size": len(item.content),
        "sha256": digest,
        # Content-addressed: the same file filed twice is stored once.
        "file": f"complaints/evidence/{digest}",
    }


def _step(complaint: Complaint, step: str, actor, note: str, **payload) -> ComplaintStep:
    entry = append_entry(
        action=f"complaint.{step}",
        obj=complaint,
        actor=actor,
        category=complaint.category,
        centre_id=complaint.centre_id_ref,
        payload={
            "complaint": complaint.pk,
            "project": complaint.project_id_ref,
            "lot": complaint.lot_id_ref,
            "note": note,
            **payload,
        },
    )
    return ComplaintStep.objects.create(
        complaint=complaint,
        step=step,
        actor=actor,
        at=entry.occurred_at,
        note=note,
        trade_log_seq=entry.seq,
    )


def _locked(complaint: Complaint, actor) -> Complaint:
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    regions = selectors.region_subtree(actor.region_id) if policies.is_regulator(actor) else []
    if not policies.can_act_on(
        actor,
        department=complaint.department,
        region_ids=regions,
        region_id=complaint.region_id_ref,
    ):
        raise _error(
            _("Only the competent department handles this complaint."),
            "permission_denied",
            status=403,
        )
    return complaint


def _require(complaint: Complaint, *states: str) -> None:
    if complaint.state not in states:
        raise _error(
            _("Not possible now: the complaint is “%(state)s”.")
            % {"state": complaint.get_state_display()},
            "invalid_state",
            status=409,
        )


@transaction.atomic
def decide_acceptance(*, complaint: Complaint, actor, accept: bool, reason: str = "") -> Complaint:
    complaint = _locked(complaint, actor)
    _require(complaint, Complaint.State.FILED)
    if not accept and not reason.strip():
        raise _error(_("Give the reason for not accepting."), "reason_required", "reason")
    now = timezone.now()
    if accept:
        complaint.state = Complaint.State.ACCEPTED
        complaint.accepted_at = now
        code, start = DECISION_RULES.get(_root(complaint.category), ("", ""))
        if start == "accepted":
            complaint.decision_due_at = _deadline(
                now, _rule(code, now.date()), selectors.holiday_calendar()
            )
    else:
        complaint.state = Complaint.State.REJECTED
    complaint.save(update_fields=["state", "accepted_at", "decision_due_at"])
    _step(complaint, "accepted" if accept else "rejected", actor, note=reason.strip())
    return complaint


@transaction.atomic
def suspend_trade(*, complaint: Complaint, actor, reason: str) -> Complaint:
    """Suspend the trade pending the complaint (实施条例 第62条; 采购法 第57条): the operation
    side refuses every next step until the suspension is lifted."""
    complaint = _locked(complaint, actor)
    _require(complaint, Complaint.State.FILED, Complaint.State.ACCEPTED)
    holds.suspend_project(
        project_id=complaint.project_id_ref,
        actor=actor,
        reason=reason,
        ordered_by_ref=f"supervision.complaint:{complaint.pk}",
        category=complaint.category,
        centre_id=complaint.centre_id_ref,
    )
    _step(complaint, "suspended", actor, note=reason.strip())
    return complaint


@transaction.atomic
def lift_suspension(*, complaint: Complaint, actor, reason: str) -> Complaint:
    complaint = _locked(complaint, actor)
    hold = active_hold(complaint.project_id_ref)
    if hold is None or hold.ordered_by_ref != f"supervision.complaint:{complaint.pk}":
        raise _error(_("This complaint holds no suspension."), "not_suspended", status=409)
    holds.lift_hold(
        hold=hold,
        actor=actor,
        reason=reason,
        category=complaint.category,
        centre_id=complaint.centre_id_ref,
    )
    _step(complaint, "resumed", actor, note=reason.strip())
    return complaint


@transaction.atomic
def rule_on_complaint(
    *, complaint: Complaint, actor, outcome: str, ruling: str, publish: bool = True
) -> Complaint:
    """The written decision; a suspension it ordered ends with it. Published by default."""
    complaint = _locked(complaint, actor)
    _require(complaint, Complaint.State.ACCEPTED)
    if outcome not in Complaint.Outcome.values:
        raise _error(_("Choose the outcome."), "invalid", "outcome")
    if not ruling.strip():
        raise _error(_("Write the ruling."), "required", "ruling")
    complaint.state = Complaint.State.RULED
    complaint.outcome = outcome
    complaint.ruling = ruling.strip()
    complaint.ruled_at = timezone.now()
    complaint.ruling_published = publish
    complaint.save(update_fields=["state", "outcome", "ruling", "ruled_at", "ruling_published"])
    hold = active_hold(complaint.project_id_ref)
    if hold is not None and hold.ordered_by_ref == f"supervision.complaint:{complaint.pk}":
        holds.lift_hold(
            hold=hold,
            actor=actor,
            reason=_("Complaint ruled"),
            category=complaint.category,
            centre_id=complaint.centre_id_ref,
        )
    late = complaint.decision_due_at is not None and complaint.ruled_at > complaint.decision_due_at
    _step(complaint, "ruled", actor, note=complaint.ruling, outcome=outcome, late=late)
    return complaint
