"""Expert credit and the blacklist (专家信用, 黑名单, F5).

After an evaluation the centre that hosted it, and any regulator, record the experts'
conduct: late, absent, scores out of line with the committee, a verified complaint. The
records feed a credit score (`experts.rules.credit_score`); a serious case, or a score
fallen below the threshold, puts the expert on the blacklist for a period, during which the
expert is never drawn (the avoidance filter reads the blacklist, and every live invitation
is withdrawn and replaced at once).
"""

import calendar
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from experts import policies, rules, selectors
from experts.models import BlacklistEntry, ConductRecord, DrawInvitation, ExpertDraw, ExpertProfile
from experts.services.common import forbid, log, refuse
from experts.services.draws import withdraw_expert_from_draws
from experts.services.pool import _move


def add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


@transaction.atomic
def record_conduct(
    *,
    expert: ExpertProfile,
    actor,
    kind: str,
    note: str,
    serious: bool = False,
    draw: ExpertDraw | None = None,
) -> ConductRecord:
    """Record an expert's conduct; blacklist when the rules say so."""
    if not policies.can_record_conduct(actor, draw=draw):
        raise forbid(_("Regulators, and the centre that hosted the evaluation, record conduct."))
    if (
        draw is not None
        and not draw.invitations.filter(
            expert=expert,
            state__in=[DrawInvitation.State.CONFIRMED, DrawInvitation.State.NO_ANSWER],
        ).exists()
    ):
        raise refuse(_("This expert did not serve on that evaluation."), "not_a_member", "expert")
    if kind not in ConductRecord.Kind.values:
        raise refuse(_("Unknown kind of conduct."), "kind_invalid", "kind")
    if not note.strip():
        raise refuse(_("Describe what happened."), "note_missing", "note")
    expert = ExpertProfile.objects.select_for_update().get(pk=expert.pk)
    values = selectors.pool_rules()
    now = timezone.now()
    record = ConductRecord.objects.create(
        expert=expert,
        kind=kind,
        serious=serious,
        points=rules.points_for(kind, values),
        draw=draw,
        project_id=draw.project_id if draw is not None else None,
        note=note.strip(),
        recorded_by=actor,
        recorded_at=now,
    )
    credit = selectors.credit_rules(values)
    score = selectors.credit_score_of(expert, now=now)
    log(
        "expert.conduct_recorded",
        record,
        actor=actor,
        category=draw.category if draw is not None else "",
        centre_id=draw.centre_id if draw is not None else None,
        expert=expert.pk,
        kind=kind,
        serious=serious,
        points=record.points,
        score=score,
    )
    latest = rules.ConductFact(kind, record.points, serious, now)
    if rules.must_blacklist(score=score, latest=latest, rules=credit) and (
        selectors.active_blacklist_entry(expert, now=now) is None
    ):
        reason = (
            _("Serious misconduct: %(kind)s.") % {"kind": record.get_kind_display()}
            if serious
            else _("Credit score %(score)d is below %(threshold)d.")
            % {"score": score, "threshold": credit.blacklist_below}
        )
        blacklist_expert(
            expert=expert,
            months=int(values["blacklist.months"]),
            reason=reason,
            conduct=record,
            decided_by=None,
        )
    return record


def blacklist_expert(
    *,
    expert: ExpertProfile,
    months: int,
    reason: str,
    conduct: ConductRecord | None = None,
    decided_by=None,
) -> BlacklistEntry:
    """Put the expert on the blacklist (inside the caller's transaction)."""
    now = timezone.now()
    entry = BlacklistEntry.objects.create(
        expert=expert,
        starts_at=now,
        ends_at=add_months(now, months),
        reason=reason[:300],
        conduct=conduct,
        decided_by=decided_by,
    )
    if rules.next_status(expert.status, "blacklist") is not None:
        _move(expert, "blacklist", actor=decided_by, reason=reason[:300])
    log(
        "expert.blacklisted",
        entry,
        actor=decided_by,
        expert=expert.pk,
        until=entry.ends_at.isoformat(),
        reason=reason,
    )
    withdraw_expert_from_draws(expert=expert, reason="blacklisted")
    return entry


@transaction.atomic
def lift_blacklist(*, entry: BlacklistEntry, actor, reason: str) -> BlacklistEntry:
    """A regulator lifts a blacklisting early (a decision overturned on review)."""
    if not policies.can_lift_blacklist(actor):
        raise forbid(_("Only a regulator lifts a blacklisting."))
    if not reason.strip():
        raise refuse(_("State the reason."), "reason_missing", "reason")
    entry = BlacklistEntry.objects.select_for_update().select_related("expert").get(pk=entry.pk)
    now = timezone.now()
    if entry.lifted_at is not None or entry.ends_at <= now:
        raise refuse(_("This blacklisting is over."), "blacklist_over", status=409)
    entry.lifted_at = now
    entry.save(update_fields=["lifted_at"])
    log("expert.blacklist_lifted", entry, actor=actor, expert=entry.expert_id, reason=reason)
    _restore_if_clear(entry.expert, actor=actor, now=now)
    return entry


def _restore_if_clear(expert: ExpertProfile, *, actor, now: datetime) -> bool:
    expert = ExpertProfile.objects.select_for_update().get(pk=expert.pk)
    if expert.status != ExpertProfile.Status.BLACKLISTED:
        return False
    if selectors.active_blacklist_entry(expert, now=now) is not None:
        return False
    _move(expert, "lift_blacklist", actor=actor, reason=_("The blacklist period is over."))
    return True


@transaction.atomic
def lift_expired_blacklists(*, now: datetime | None = None) -> int:
    """Experts whose every blacklist period has ended return to the pool (idempotent)."""
    now = now or timezone.now()
    ended = (
        BlacklistEntry.objects.filter(expert__status=ExpertProfile.Status.BLACKLISTED)
        .filter(Q(ends_at__lte=now) | Q(lifted_at__lte=now))
        .values_list("expert_id", flat=True)
        .distinct()
    )
    restored = 0
    for expert in ExpertProfile.objects.filter(pk__in=list(ended)).order_by("pk"):
        restored += _restore_if_clear(expert, actor=None, now=now)
    return restored
