"""Candidates, objections, the award, the contract, performance, filing and the archive."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.selectors import holiday_calendar, rule_by_code
from catalog.working_days import period_end
from credit.eligibility import entity_eligibility
from portal.tradelog.models import TradeLogEntry
from trading import evaluation, policies
from trading.models import (
    Announcement,
    Award,
    BidSecurity,
    BidSubmission,
    Contract,
    Lot,
    Objection,
    PerformanceRecord,
    Project,
)
from trading.services.bids import refund_security
from trading.services.common import ineligible, lock_lot, log, refuse
from trading.state_machine import LOT_FINAL_STATES, StateError, check_not_suspended, move


def _require_party(actor, project: Project) -> None:
    if not policies.is_project_party(actor, project):
        raise refuse(
            _("Only the tenderee or its agent takes this step."), "permission_denied", status=403
        )


def publicity_end(project: Project, published_at: datetime) -> datetime:
    """When the candidates' publicity ends: the end of the last day of the statutory period
    (engineering: at least 3 days, 实施条例 第54条). Procurement has no candidates' publicity:
    the purchaser confirms the winner from the report (87号令 第68条)."""
    rule = rule_by_code(f"{project.category.code}.candidates_publicity_period")
    if rule is None:
        return published_at
    start = timezone.localtime(published_at).date()
    last = period_end(
        start, int(rule.value), rule.unit, calendar=holiday_calendar(), extend=False
    ).day
    return timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min))


@transaction.atomic
def publish_candidates(*, lot: Lot, actor) -> Announcement:
    """Publish the ranked candidates (at most the legal number) for the publicity period."""
    lot = lock_lot(lot)
    project = lot.project
    _require_party(actor, project)
    check_not_suspended(project)
    if lot.state != Lot.State.EVALUATED:
        raise StateError(
            _("The evaluation is not complete."), code="invalid_state", status_code=409
        )
    rule = rule_by_code(f"{project.category.code}.max_candidates")
    ranking = [r for r in lot.report.ranking if r["qualified"] and r["rank"] is not None]
    chosen = sorted(ranking, key=lambda r: r["rank"])[
        : int(rule.value) if rule else evaluation.MAX_CANDIDATES
    ]
    bids = BidSubmission.objects.in_bulk([r["bid"] for r in chosen])
    now = timezone.now()
    ends = publicity_end(project, now)
    announcement = Announcement.objects.create(
        project=project,
        lot=lot,
        kind=Announcement.Kind.CANDIDATES,
        title=_("Candidates: %(project)s, lot %(number)s")
        % {"project": project.title, "number": lot.number},
        body=_("The candidates are published until %(end)s; objections may be raised until then.")
        % {"end": timezone.localtime(ends).strftime("%Y-%m-%d %H:%M")},
        published_at=now,
        publicity_ends_at=ends,
        published_by=actor,
        data={
            "lot": lot.number,
            "candidates": [
                {
                    "rank": r["rank"],
                    "bid": r["bid"],
                    "bidder": bids[r["bid"]].entity.name,
                    "uscc": bids[r["bid"]].entity.uscc,
                    "price": str(bids[r["bid"]].price),
                    "total": r["total"],
                }
                for r in chosen
            ],
        },
    )
    move(
        lot,
        "publish_candidates",
        actor=actor,
        payload={
            "announcement": announcement.pk,
            "publicity_ends_at": ends,
            "candidates": [r["bid"] for r in chosen],
        },
    )
    return announcement


def _candidates_announcement(lot: Lot) -> Announcement:
    return lot.announcements.filter(kind=Announcement.Kind.CANDIDATES).latest("published_at")


@transaction.atomic
def raise_objection(*, lot: Lot, actor, text: str) -> Objection:
    """A bidder objects to the evaluation result during the publicity (实施条例 第54条)."""
    lot = lock_lot(lot)
    if not policies.is_bidder(actor) or not lot.bids.filter(entity=actor.entity).exists():
        raise refuse(
            _("Only bidders of this lot raise objections."), "permission_denied", status=403
        )
    now = timezone.now()
    if lot.state != Lot.State.PUBLICITY or now >= _candidates_announcement(lot).publicity_ends_at:
        raise StateError(
            _("Objections are raised during the candidates' publicity."),
            code="publicity_over",
            status_code=409,
        )
    if not text.strip():
        raise refuse(_("State the objection."), "text_missing", "text")
    objection = Objection.objects.create(
        lot=lot, entity=actor.entity, raised_by=actor, text=text.strip(), raised_at=now
    )
    log(
        "award.objection_raised",
        objection,
        actor=actor,
        project=lot.project,
        lot_id=lot.pk,
        bidder=actor.entity.uscc,
    )
    return objection


@transaction.atomic
def answer_objection(*, objection: Objection, actor, answer: str) -> Objection:
    objection = (
        Objection.objects.select_for_update(of=("self",))
        .select_related("lot__project__category")
        .get(pk=objection.pk)
    )
    _require_party(actor, objection.lot.project)
    if objection.answered_at is not None:
        raise refuse(_("This objection is answered."), "already_answered", status=409)
    if not answer.strip():
        raise refuse(_("Write the answer."), "answer_missing", "answer")
    objection.answer = answer.strip()
    objection.answered_at = timezone.now()
    objection.save(update_fields=["answer", "answered_at"])
    log(
        "award.objection_answered",
        objection,
        actor=actor,
        project=objection.lot.project,
        lot_id=objection.lot_id,
    )
    return objection


@transaction.atomic
def award_lot(*, lot: Lot, actor, bid: BidSubmission | None = None, reason: str = "") -> Award:
    """Award the lot after the publicity: normally to the first candidate (实施条例 第55条);
    any other choice records its reason. The winner's eligibility is checked again now."""
    lot = lock_lot(lot)
    project = lot.project
    _require_party(actor, project)
    check_not_suspended(project)
    now = timezone.now()
    if lot.state != Lot.State.PUBLICITY:
        raise StateError(
            _("The candidates must be published first."), code="invalid_state", status_code=409
        )
    announcement = _candidates_announcement(lot)
    if now < announcement.publicity_ends_at:
        raise StateError(
            _("The publicity runs until %(end)s.")
            % {
                "end": timezone.localtime(announcement.publicity_ends_at).strftime("%Y-%m-%d %H:%M")
            },
            code="publicity_running",
            status_code=409,
        )
    if lot.objections.filter(answered_at__isnull=True).exists():
        raise StateError(
            _("Answer every objection before the award."), code="objections_open", status_code=409
        )
    candidates = {c["bid"]: c["rank"] for c in announcement.data["candidates"]}
    first = min(candidates, key=candidates.get)
    chosen_id = bid.pk if bid is not None else first
    if chosen_id not in candidates:
        raise refuse(
            _("The award goes to one of the published candidates."), "not_a_candidate", "bid"
        )
    rank = candidates[chosen_id]
    if rank != 1 and not reason.strip():
        raise refuse(
            _("Awarding to another than the first candidate needs a recorded reason."),
            "reason_missing",
            "reason",
        )
    winner = BidSubmission.objects.select_related("entity").get(pk=chosen_id)
    eligibility = entity_eligibility(
        entity=winner.entity,
        category_code=project.category.code,
        region_code=project.region.code,
        at=now,
    )
    if not eligibility.eligible:
        raise ineligible(eligibility, status_code=409)
    award = Award.objects.create(
        lot=lot,
        bid=winner,
        candidate_rank=rank,
        reason=reason.strip(),
        awarded_at=now,
        awarded_by=actor,
    )
    Announcement.objects.create(
        project=project,
        lot=lot,
        kind=Announcement.Kind.RESULT,
        title=_("Result: %(project)s, lot %(number)s")
        % {"project": project.title, "number": lot.number},
        body=_("Awarded to %(winner)s at %(price)s yuan.")
        % {"winner": winner.entity.name, "price": winner.price},
        published_at=now,
        published_by=actor,
        data={
            "lot": lot.number,
            "winner": winner.entity.name,
            "uscc": winner.entity.uscc,
            "price": str(winner.price),
            "candidate_rank": rank,
            "reason": award.reason,
        },
    )
    move(
        lot,
        "award",
        actor=actor,
        payload={
            "bid": winner.pk,
            "winner": winner.entity.uscc,
            "price": winner.price,
            "candidate_rank": rank,
            "reason": award.reason,
        },
    )
    return award


@transaction.atomic
def sign_contract(
    *, lot: Lot, actor, amount: Decimal, key_terms: str = "", duration_days: int | None = None
) -> Contract:
    """Record the signed contract and publish its key terms; then every bid security of the
    lot is returned in full (实施条例 第57条; D4: nothing withheld, no bank fee)."""
    lot = lock_lot(lot)
    project = lot.project
    _require_party(actor, project)
    check_not_suspended(project)
    if lot.state != Lot.State.AWARDED:
        raise StateError(_("The lot must be awarded first."), code="invalid_state", status_code=409)
    if amount <= 0:
        raise refuse(_("The contract amount must be positive."), "amount_invalid", "amount")
    now = timezone.now()
    award = lot.award
    rule = rule_by_code(f"{project.category.code}.contract_signing")
    late = False
    if rule is not None:
        due = period_end(
            timezone.localtime(award.awarded_at).date(),
            int(rule.value),
            rule.unit,
            calendar=holiday_calendar(),
        ).day
        late = timezone.localtime(now).date() > due
    contract = Contract.objects.create(
        lot=lot,
        award=award,
        amount=amount,
        signed_at=now,
        key_terms=key_terms,
        duration_days=duration_days,
    )
    Announcement.objects.create(
        project=project,
        lot=lot,
        kind=Announcement.Kind.CONTRACT,
        title=_("Contract: %(project)s, lot %(number)s")
        % {"project": project.title, "number": lot.number},
        body=key_terms or "—",
        published_at=now,
        published_by=actor,
        data={
            "lot": lot.number,
            "supplier": award.bid.entity.name,
            "uscc": award.bid.entity.uscc,
            "amount": str(amount),
            "signed_at": now.isoformat(),
            "duration_days": duration_days,
        },
    )
    refunded = []
    for security in BidSecurity.objects.select_for_update(of=("self",)).filter(
        lot=lot, state=BidSecurity.State.HELD
    ):
        refund_security(security=security, at=now, note="contract signed")
        refunded.append({"bidder": security.entity_id, "amount": security.amount})
    move(
        lot,
        "sign_contract",
        actor=actor,
        payload={
            "contract": contract.pk,
            "amount": amount,
            "late": late,
            "securities_refunded": refunded,
        },
    )
    return contract


@transaction.atomic
def record_performance(
    *,
    contract: Contract,
    actor,
    milestone: str,
    description: str,
    amount_paid: Decimal | None = None,
) -> PerformanceRecord:
    contract = Contract.objects.select_related("lot__project__category").get(pk=contract.pk)
    _require_party(actor, contract.lot.project)
    record = PerformanceRecord.objects.create(
        contract=contract,
        recorded_at=timezone.now(),
        milestone=milestone,
        description=description,
        amount_paid=amount_paid,
        recorded_by=actor,
    )
    log(
        "contract.performance_recorded",
        record,
        actor=actor,
        project=contract.lot.project,
        contract=contract.pk,
        milestone=milestone,
        amount_paid=amount_paid,
    )
    return record


@transaction.atomic
def file_lot(*, lot: Lot, actor) -> Lot:
    """Transaction filing (成交备案) by the centre; the project closes when every lot is done."""
    lot = lock_lot(lot)
    project = lot.project
    if not policies.is_centre_staff_of(actor, project):
        raise refuse(
            _("Only staff of the project's centre file the transaction."),
            "permission_denied",
            status=403,
        )
    move(lot, "file", actor=actor)
    contract = lot.contract
    contract.filed_at = timezone.now()
    contract.save(update_fields=["filed_at"])
    _close_if_done(project, actor)
    return lot


def _close_if_done(project: Project, actor) -> None:
    project = Project.objects.select_for_update(of=("self",)).get(pk=project.pk)
    if (
        project.state == Project.State.ANNOUNCED
        and not project.lots.exclude(state__in=LOT_FINAL_STATES).exists()
    ):
        move(project, "close", actor=actor)


@transaction.atomic
def archive_project(*, project: Project, actor) -> Project:
    """The transaction archive (交易档案): a manifest of everything the project produced, with
    digests, kept with the project; the files and the trade log stay as they are."""
    project = (
        Project.objects.select_for_update(of=("self",))
        .select_related("category")
        .get(pk=project.pk)
    )
    if not policies.is_centre_staff_of(actor, project):
        raise refuse(
            _("Only staff of the project's centre archive it."), "permission_denied", status=403
        )
    if project.state != Project.State.CLOSED:
        raise StateError(
            _("Only a closed project is archived."), code="invalid_state", status_code=409
        )
    lot_ids = list(project.lots.values_list("pk", flat=True))
    log = TradeLogEntry.objects.filter(payload__project=project.pk).order_by("seq")
    project.archive_manifest = {
        "transaction_code": project.transaction_code,
        "announcements": list(project.announcements.values("id", "kind", "title", "published_at")),
        "documents": list(project.documents.values("name", "sha256", "size")),
        "bids": list(
            BidSubmission.objects.filter(lot_id__in=lot_ids).values(
                "id",
                "lot_id",
                "entity__uscc",
                "state",
                "receipt_digest",
                "envelope_digest",
                "price",
            )
        ),
        "trade_log": {
            "entries": log.count(),
            "first_seq": log.values_list("seq", flat=True).first(),
            "last_seq": log.values_list("seq", flat=True).last(),
        },
    }
    project.save(update_fields=["archive_manifest"])
    move(project, "archive", actor=actor)
    return project
