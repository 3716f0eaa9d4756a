"""Evaluation (评标/评审): the committee, the criteria, each member's scores and sign-off, and
the ranking the platform computes once every member has signed.

The experts are drawn by the expert pool (experts/) and revealed when the evaluation starts;
centre staff only add the tenderee's representatives. The committee's size and composition are
checked against the statutory rules.
"""

from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.selectors import check_schedule_for, rule_by_code
from experts.services import committee_for_evaluation
from portal.accounts.models import Role
from portal.errors import ApplicationError
from trading import evaluation, policies
from trading.models import BidSubmission, CommitteeMember, Criterion, EvaluationReport, Lot, Score
from trading.services.common import lock_lot, log, refuse
from trading.services.projects import violations_error
from trading.state_machine import StateError, check_not_suspended, move


def _require_opened(lot: Lot) -> None:
    check_not_suspended(lot.project)
    if lot.state != Lot.State.OPENED:
        raise StateError(
            _("The lot is not under evaluation."), code="invalid_state", status_code=409
        )


@transaction.atomic
def set_committee(*, lot: Lot, actor, representatives: Sequence = ()) -> list[CommitteeMember]:
    """Seat the committee: the experts the pool drew for this lot (or for the project) and
    confirmed, revealed now that the evaluation starts, plus the tenderee's representatives.

    Nobody names an expert (F3, 评标委员会成员由招标人从评标专家库内随机抽取): the experts come
    only from `experts.services.committee_for_evaluation`, which refuses while the draw is not
    ready. The caller names representatives only, who must work for the tenderee or its agent.
    The size and the share of experts are checked against the category's statutory rules.
    """
    lot = lock_lot(lot)
    project = lot.project
    if not policies.is_centre_staff_of(actor, project):
        raise refuse(
            _("Only staff of the project's centre seat the committee."),
            "permission_denied",
            status=403,
        )
    _require_opened(lot)
    if lot.committee.exists():
        raise refuse(_("The committee is already seated."), "committee_exists", status=409)
    principals = {project.tenderee_id, project.agent_id} - {None}
    for user in representatives:
        if user.role not in {Role.TENDEREE, Role.AGENT} or user.entity_id not in principals:
            raise refuse(
                _("%(user)s does not represent the tenderee or its agent.") % {"user": user},
                "representative_invalid",
                "representatives",
            )
    if len(set(representatives)) != len(representatives):
        raise refuse(
            _("A representative is named twice."), "representative_repeated", "representatives"
        )
    drawn = committee_for_evaluation(project_id=project.pk, lot_id=lot.pk, actor=actor)
    # Defence in depth: the pool avoided these already, from the same parties.
    conflicted = {b.entity_id for b in lot.bids.all()} | principals
    for user in drawn:
        if user.role != Role.EXPERT or user.entity_id in conflicted:
            raise refuse(
                _("%(user)s must be avoided.") % {"user": user}, "member_conflict", "members"
            )
    members = [(user, True) for user in drawn] + [(user, False) for user in representatives]
    violations = check_schedule_for(
        project.category.code,
        project.method.code,
        {"committee_size": len(members), "committee_experts": len(drawn)},
    )
    if violations:
        raise violations_error(violations, committee=True)
    seated = [
        CommitteeMember.objects.create(
            lot=lot, user=user, is_expert=is_expert, is_chair=bool(drawn) and user == drawn[0]
        )
        for user, is_expert in members
    ]
    log(
        "evaluation.committee_seated",
        lot,
        actor=actor,
        project=project,
        lot_id=lot.pk,
        members=[u.pk for u, _e in members],
        experts=len(drawn),
        source="expert_draw",
    )
    return seated


@transaction.atomic
def set_criteria(*, lot: Lot, actor, criteria: list[evaluation.Criterion]) -> list[Criterion]:
    """The weighted criteria of a comprehensive-scoring lot (from the tender documents)."""
    lot = lock_lot(lot)
    project = lot.project
    if not (
        policies.is_project_party(actor, project) or policies.is_centre_staff_of(actor, project)
    ):
        raise refuse(
            _("Only the tenderee, its agent or the centre sets the criteria."),
            "permission_denied",
            status=403,
        )
    if lot.state not in {
        Lot.State.PREPARING,
        Lot.State.BIDDING,
        Lot.State.OPENING,
        Lot.State.OPENED,
    }:
        raise StateError(
            _("The criteria can no longer change."), code="invalid_state", status_code=409
        )
    if lot_has_scores(lot):
        raise StateError(_("Scoring has started."), code="invalid_state", status_code=409)
    min_weight = None
    if project.category.code == "procurement" and project.subject in {"goods", "services"}:
        rule = rule_by_code(f"procurement.{project.subject}_price_weight")
        min_weight = rule.value if rule else None
    problems = evaluation.check_criteria(
        criteria,
        category=project.category.code,
        subject=project.subject if project.subject in {"goods", "services"} else None,
        min_price_weight=min_weight,
    )
    if problems:
        raise ApplicationError(problems[0], code="criteria_invalid", fields={"criteria": problems})
    lot.criteria.all().delete()
    rows = [
        Criterion.objects.create(lot=lot, code=c.code, name=c.name, kind=c.kind, weight=c.weight)
        for c in criteria
    ]
    log(
        "evaluation.criteria_set",
        lot,
        actor=actor,
        project=project,
        lot_id=lot.pk,
        criteria=[{"code": c.code, "kind": c.kind, "weight": c.weight} for c in criteria],
    )
    return rows


def _member(lot: Lot, actor) -> CommitteeMember:
    member = CommitteeMember.objects.filter(lot=lot, user=actor).first()
    if member is None:
        raise refuse(
            _("Only members of this lot's committee evaluate it."), "permission_denied", status=403
        )
    if member.signed_at is not None:
        raise StateError(
            _("You have signed the report already."), code="already_signed", status_code=409
        )
    return member


@transaction.atomic
def decide_qualification(
    *, bid: BidSubmission, actor, qualified: bool, reason: str = ""
) -> BidSubmission:
    """The committee (through its chair) passes or rejects a bid, with a reason if rejected."""
    lot = lock_lot(bid.lot)
    _require_opened(lot)
    member = _member(lot, actor)
    if not member.is_chair:
        raise refuse(
            _("The chair records the committee's decision."), "permission_denied", status=403
        )
    bid = BidSubmission.objects.select_for_update().get(pk=bid.pk, lot=lot)
    if bid.state != BidSubmission.State.DECRYPTED:
        raise refuse(_("Only opened bids are evaluated."), "bid_not_opened", status=409)
    if not qualified and not reason.strip():
        raise refuse(_("A rejection states its reason."), "reason_missing", "reason")
    bid.qualified = qualified
    bid.disqualification_reason = "" if qualified else reason.strip()
    bid.save(update_fields=["qualified", "disqualification_reason"])
    log(
        "evaluation.bid_qualified" if qualified else "evaluation.bid_disqualified",
        bid,
        actor=actor,
        project=lot.project,
        lot_id=lot.pk,
        bidder=bid.entity.uscc,
        reason=bid.disqualification_reason,
    )
    return bid


@transaction.atomic
def submit_scores(*, lot: Lot, actor, scores: dict[int, dict[str, Decimal]]) -> int:
    """A member's scores {bid id: {criterion code: score}} for the non-price criteria.
    Re-submitting replaces the member's earlier scores until it signs."""
    lot = lock_lot(lot)
    _require_opened(lot)
    member = _member(lot, actor)
    criteria = {c.code: c for c in lot.criteria.exclude(kind=Criterion.Kind.PRICE)}
    bids = {b.pk: b for b in lot.bids.filter(state=BidSubmission.State.DECRYPTED)}
    Score.objects.filter(member=member).delete()
    count = 0
    for bid_id, values in scores.items():
        if int(bid_id) not in bids:
            raise refuse(
                _("Bid %(bid)s is not an opened bid of this lot.") % {"bid": bid_id},
                "bid_unknown",
                "scores",
            )
        for code, value in values.items():
            criterion = criteria.get(code)
            if criterion is None:
                raise refuse(
                    _("Unknown criterion %(code)s.") % {"code": code}, "criterion_unknown", "scores"
                )
            value = Decimal(str(value))
            if not Decimal(0) <= value <= criterion.weight:
                raise refuse(
                    _("A score for %(criterion)s lies between 0 and %(weight)s.")
                    % {"criterion": criterion.name, "weight": criterion.weight},
                    "score_out_of_range",
                    "scores",
                )
            Score.objects.create(
                member=member, bid_id=int(bid_id), criterion=criterion, value=value
            )
            count += 1
    log(
        "evaluation.scores_submitted",
        lot,
        actor=actor,
        project=lot.project,
        lot_id=lot.pk,
        member=member.pk,
        scores=count,
    )
    return count


def _ranking(lot: Lot) -> list[evaluation.RankedBid]:
    bids = [
        evaluation.EvaluatedBid(
            bid_id=b.pk,
            price=b.price,
            received_at=b.received_at,
            qualified=bool(b.qualified),
            disqualification_reason=b.disqualification_reason,
        )
        for b in lot.bids.filter(state=BidSubmission.State.DECRYPTED)
    ]
    if lot.evaluation_method == Lot.EvaluationMethod.LOWEST_PRICE:
        return evaluation.rank_lowest_evaluated_price(bids)
    criteria = [
        evaluation.Criterion(code=c.code, name=c.name, kind=c.kind, weight=c.weight)
        for c in lot.criteria.all()
    ]
    member_scores: dict[int, dict[int, dict[str, Decimal]]] = {}
    for score in Score.objects.filter(member__lot=lot).select_related("criterion"):
        member_scores.setdefault(score.member_id, {}).setdefault(score.bid_id, {})[
            score.criterion.code
        ] = score.value
    for member in lot.committee.all():
        member_scores.setdefault(member.pk, {})
    return evaluation.rank_comprehensive(bids, criteria, member_scores)


@transaction.atomic
def sign_report(*, lot: Lot, actor) -> EvaluationReport | None:
    """A member signs off individually; the last signature completes the evaluation and the
    platform computes the ranking. Returns the report once complete."""
    lot = lock_lot(lot)
    _require_opened(lot)
    member = _member(lot, actor)
    undecided = lot.bids.filter(state=BidSubmission.State.DECRYPTED, qualified__isnull=True)
    if undecided.exists():
        raise StateError(
            _("Every opened bid must be passed or rejected first."),
            code="bids_undecided",
            status_code=409,
        )
    if lot.evaluation_method == Lot.EvaluationMethod.COMPREHENSIVE:
        _ranking_for_member_check(lot, member)
    member.signed_at = timezone.now()
    member.save(update_fields=["signed_at"])
    log(
        "evaluation.member_signed",
        lot,
        actor=actor,
        project=lot.project,
        lot_id=lot.pk,
        member=member.pk,
    )
    if lot.committee.filter(signed_at__isnull=True).exists():
        return None
    ranking = _ranking(lot)
    report = EvaluationReport.objects.create(
        lot=lot,
        method=lot.evaluation_method,
        completed_at=timezone.now(),
        ranking=[
            {
                "bid": r.bid_id,
                "rank": r.rank,
                "total": None if r.total is None else str(r.total),
                "evaluated_price": str(r.evaluated_price),
                "qualified": r.qualified,
                "reason": r.reason,
                "breakdown": {k: str(v) for k, v in r.breakdown.items()},
            }
            for r in ranking
        ],
    )
    qualified = [r for r in ranking if r.qualified]
    if not qualified:
        lot.failure_reason = _("The committee rejected every bid.")
        lot.save(update_fields=["failure_reason"])
        move(lot, "fail", actor=actor, payload={"report": report.pk})
        return report
    move(
        lot,
        "complete_evaluation",
        actor=actor,
        payload={"report": report.pk, "first": qualified[0].bid_id},
    )
    return report


def _ranking_for_member_check(lot: Lot, member: CommitteeMember) -> None:
    """A member of a comprehensive-scoring committee signs only after scoring every
    qualified bid on every non-price criterion."""
    qualified = lot.bids.filter(state=BidSubmission.State.DECRYPTED, qualified=True).count()
    criteria = lot.criteria.exclude(kind=Criterion.Kind.PRICE).count()
    if Score.objects.filter(member=member, bid__qualified=True).count() < qualified * criteria:
        raise StateError(
            _("Score every qualified bid on every criterion before signing."),
            code="scores_missing",
            status_code=409,
        )


def lot_has_scores(lot: Lot) -> bool:
    return Score.objects.filter(member__lot=lot).exists()
