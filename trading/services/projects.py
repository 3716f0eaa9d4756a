"""Projects: submission, registration (交易登记), the tender announcement, clarifications and
changes, questions."""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Category, TradingMethod
from catalog.rules import Violation, check_schedule
from catalog.selectors import catalog_entry_for_project, holiday_calendar, rules_for
from catalog.transaction_codes import next_transaction_code
from portal.centres.models import Centre, Region
from portal.entities.models import MarketEntity
from portal.errors import ApplicationError
from trading import policies
from trading.models import Announcement, Lot, Project, Question, Schedule, TenderDocument
from trading.services.common import log, refuse
from trading.state_machine import StateError, check_not_suspended, move

#: The categories this sealed-bid machinery serves.
SEALED_BID_CATEGORIES = frozenset({"engineering", "procurement"})


@dataclass(frozen=True)
class LotInput:
    name: str
    estimate_amount: Decimal
    bid_security_amount: Decimal = Decimal(0)
    evaluation_method: str = Lot.EvaluationMethod.LOWEST_PRICE


def lock_project(project: Project) -> Project:
    return (
        Project.objects.select_for_update(of=("self",))
        .select_related("category", "method")
        .get(pk=project.pk)
    )


@transaction.atomic
def submit_project(
    *,
    actor,
    title: str,
    category: Category,
    method: TradingMethod,
    subject: str,
    funding_source: str,
    centre: Centre,
    region: Region,
    lots: list[LotInput],
    agent: MarketEntity | None = None,
    tenderee: MarketEntity | None = None,
    approval_number: str = "",
    description: str = "",
) -> Project:
    """The tenderee, or its agent on its behalf, brings a project to a centre for registration."""
    if actor.role == "tenderee" and actor.entity_id is not None:
        tenderee = actor.entity
    elif actor.role == "agent" and actor.entity_id is not None:
        if tenderee is None:
            raise refuse(
                _("An agent names the tenderee it acts for."), "tenderee_missing", "tenderee"
            )
        agent = actor.entity
    else:
        raise refuse(
            _("Only a tenderee's or agent's account brings projects."),
            "permission_denied",
            status=403,
        )
    if agent is not None and agent.pk == tenderee.pk:
        raise refuse(_("The agent must be another entity."), "agent_invalid", "agent")
    if category.code not in SEALED_BID_CATEGORIES:
        raise refuse(
            _("Category %(category)s is not traded by sealed bids.") % {"category": category.name},
            "category_invalid",
            "category",
        )
    if not method.categories.filter(pk=category.pk).exists():
        raise refuse(
            _("%(method)s is not a method of %(category)s.")
            % {"method": method.name_zh, "category": category.name},
            "method_invalid",
            "method",
        )
    if not lots:
        raise refuse(_("A project has at least one lot."), "lots_missing", "lots")
    project = Project(
        title=title.strip(),
        category=category,
        method=method,
        subject=subject,
        funding_source=funding_source,
        tenderee=tenderee,
        agent=agent,
        centre=centre,
        region=region,
        approval_number=approval_number,
        description=description,
        submitted_by=actor,
    )
    project.full_clean(exclude=["transaction_code"])
    project.save()
    for number, lot in enumerate(lots, start=1):
        row = Lot(
            project=project,
            number=number,
            name=lot.name,
            estimate_amount=lot.estimate_amount,
            bid_security_amount=lot.bid_security_amount,
            evaluation_method=lot.evaluation_method,
        )
        row.full_clean()
        row.save()
    total = sum((lot.estimate_amount for lot in lots), Decimal(0))
    entry = catalog_entry_for_project(
        category_code=category.code,
        subject_kind={
            "works": "construction",
            "goods": "equipment_materials",
            "services": "survey_design_supervision",
        }.get(subject, "")
        if category.code == "engineering"
        else "",
        funding_source=funding_source,
        amount=total,
    )
    log(
        "project.submitted",
        project,
        actor=actor,
        project=project,
        title=project.title,
        method=method.code,
        lots=len(lots),
        total_estimate=total,
        catalog_entry=entry.code if entry else None,
        mandatory=bool(entry and entry.mandatory),
    )
    return project


@transaction.atomic
def register_project(*, project: Project, actor) -> Project:
    """Centre staff accept the project into the platform; it gets its transaction code."""
    project = lock_project(project)
    if not policies.is_centre_staff_of(actor, project):
        raise refuse(
            _("Only staff of the project's centre register it."), "permission_denied", status=403
        )
    letter = (
        {"goods": "B", "services": "C"}.get(project.subject)
        if project.category.code == "procurement"
        else None
    )
    project.transaction_code = next_transaction_code(
        category=project.category, region=project.region, letter=letter
    )
    project.registered_at = timezone.now()
    project.save(update_fields=["transaction_code", "registered_at"])
    return move(
        project, "register", actor=actor, payload={"transaction_code": project.transaction_code}
    )


def _schedule_values(schedule: dict, lot: Lot | None) -> dict:
    """The schedule as the statutory rules name its fields."""
    values = {
        "documents_issued_at": schedule["documents_issued_at"],
        "documents_sale_starts_at": schedule["documents_issued_at"],
        "documents_sale_ends_at": schedule["documents_sale_ends_at"],
        "bid_deadline": schedule["bid_deadline"],
        "response_deadline": schedule["bid_deadline"],
    }
    if schedule.get("clarification_issued_at"):
        values["clarification_issued_at"] = schedule["clarification_issued_at"]
    if lot is not None:
        values.update(
            estimate_amount=lot.estimate_amount,
            budget_amount=lot.estimate_amount,
            bid_security_amount=lot.bid_security_amount,
        )
    return values


def check_tender_schedule(project: Project, schedule: dict, lots: list[Lot]) -> list[Violation]:
    """Every violation of the statutory rules by this schedule and these lots' securities."""
    rules = rules_for(project.category.code, project.method.code)
    calendar = holiday_calendar()
    violations = list(
        check_schedule(rules=rules, schedule=_schedule_values(schedule, None), calendar=calendar)
    )
    for lot in lots:
        for violation in check_schedule(
            rules=rules, schedule=_schedule_values(schedule, lot), calendar=calendar
        ):
            if violation.field in {"bid_security_amount", "estimate_amount", "budget_amount"}:
                violations.append(
                    Violation(
                        rule=violation.rule,
                        field=f"lots[{lot.number}].{violation.field}",
                        message=_("Lot %(number)s: %(message)s")
                        % {"number": lot.number, "message": violation.message},
                        source=violation.source,
                        needs_confirmation=violation.needs_confirmation,
                        estimated=violation.estimated,
                    )
                )
    return violations


def violations_error(violations: list[Violation], *, committee: bool = False) -> ApplicationError:
    if committee:
        detail = _("The committee breaks %(count)d statutory rule(s); nobody was seated.") % {
            "count": len(violations)
        }
    else:
        detail = _("The schedule breaks %(count)d statutory rule(s); nothing was published.") % {
            "count": len(violations)
        }
    return ApplicationError(
        detail,
        code="statutory_violation",
        fields={
            "violations": [
                {"rule": v.rule, "field": v.field, "message": v.message, "source": v.source}
                for v in violations
            ]
        },
    )


def _store_documents(project: Project, announcement: Announcement, documents) -> None:
    for name, content in documents:
        digest = hashlib.sha256(content).hexdigest()
        document = TenderDocument(
            project=project, announcement=announcement, name=name, size=len(content), sha256=digest
        )
        document.file.save(name, ContentFile(content), save=False)
        document.save()


@transaction.atomic
def publish_tender_announcement(
    *,
    project: Project,
    actor,
    title: str,
    body: str,
    documents_issued_at: datetime,
    documents_sale_ends_at: datetime,
    bid_deadline: datetime,
    opening_at: datetime,
    questions_deadline: datetime | None = None,
    bid_securities: dict[int, Decimal] | None = None,
    documents: list[tuple[str, bytes]] = (),
) -> Announcement:
    """Publish the tender (procurement) announcement with its documents and schedule.

    The schedule and every lot's bid security are checked against the statutory rules of
    the category and method; any violation refuses the whole announcement, naming each
    rule and its legal source.
    """
    project = lock_project(project)
    if not policies.is_project_party(actor, project):
        raise refuse(
            _("Only the tenderee or its agent publishes the announcement."),
            "permission_denied",
            status=403,
        )
    check_not_suspended(project)
    if project.state != Project.State.REGISTERED:
        raise StateError(
            _("The project must be registered by the centre first."),
            code="invalid_state",
            status_code=409,
        )
    if opening_at < bid_deadline:
        raise refuse(
            _("The opening cannot be before the bid deadline."),
            "opening_before_deadline",
            "opening_at",
        )
    lots = list(project.lots.select_for_update(of=("self",)).order_by("number"))
    for lot in lots:
        if bid_securities and lot.number in bid_securities:
            lot.bid_security_amount = bid_securities[lot.number]
    schedule = {
        "documents_issued_at": documents_issued_at,
        "documents_sale_ends_at": documents_sale_ends_at,
        "bid_deadline": bid_deadline,
    }
    violations = check_tender_schedule(project, schedule, lots)
    if violations:
        raise violations_error(violations)
    for lot in lots:
        lot.save(update_fields=["bid_security_amount"])
    Schedule.objects.create(
        project=project,
        documents_issued_at=documents_issued_at,
        documents_sale_ends_at=documents_sale_ends_at,
        questions_deadline=questions_deadline,
        bid_deadline=bid_deadline,
        opening_at=opening_at,
        original_bid_deadline=bid_deadline,
    )
    announcement = Announcement.objects.create(
        project=project,
        kind=Announcement.Kind.TENDER,
        title=title,
        body=body,
        published_at=timezone.now(),
        published_by=actor,
        data={
            "transaction_code": project.transaction_code,
            "documents_issued_at": documents_issued_at.isoformat(),
            "documents_sale_ends_at": documents_sale_ends_at.isoformat(),
            "bid_deadline": bid_deadline.isoformat(),
            "opening_at": opening_at.isoformat(),
            "lots": [
                {
                    "number": lot.number,
                    "name": lot.name,
                    "estimate_amount": str(lot.estimate_amount),
                    "bid_security_amount": str(lot.bid_security_amount),
                }
                for lot in lots
            ],
        },
    )
    _store_documents(project, announcement, documents)
    for lot in lots:
        move(lot, "announce", actor=actor)
    move(
        project,
        "announce",
        actor=actor,
        payload={"announcement": announcement.pk, "bid_deadline": bid_deadline},
    )
    return announcement


def pushed_deadline(project: Project, clarification_at: datetime, deadline: datetime) -> datetime:
    """The earliest deadline (same time of day, whole days later) at which a clarification
    issued now satisfies the rules; the rule's number lives in the catalog, not here."""
    rules = [
        r
        for r in rules_for(project.category.code, project.method.code)
        if r.start_field == "clarification_issued_at"
    ]
    calendar = holiday_calendar()
    candidate = deadline
    for _day in range(400):
        if not check_schedule(
            rules=rules,
            schedule={
                "clarification_issued_at": clarification_at,
                "bid_deadline": candidate,
                "response_deadline": candidate,
            },
            calendar=calendar,
        ):
            return candidate
        candidate += timedelta(days=1)
    raise RuntimeError("no deadline satisfies the clarification rules")  # pragma: no cover


@transaction.atomic
def publish_clarification(
    *,
    project: Project,
    actor,
    title: str,
    body: str,
    affects_bid_preparation: bool,
    new_bid_deadline: datetime | None = None,
    documents: list[tuple[str, bytes]] = (),
) -> Announcement:
    """A clarification or change (澄清/变更), published to all bidders.

    One that may affect the preparation of bids and comes too close to the deadline pushes
    the deadline as the rules say (招标投标法 第23条); the new deadline is published with it.
    """
    project = lock_project(project)
    if not policies.is_project_party(actor, project):
        raise refuse(
            _("Only the tenderee or its agent publishes clarifications."),
            "permission_denied",
            status=403,
        )
    check_not_suspended(project)
    if project.state != Project.State.ANNOUNCED:
        raise StateError(
            _("Clarifications are published while bids are open."),
            code="invalid_state",
            status_code=409,
        )
    schedule = Schedule.objects.select_for_update(of=("self",)).get(project=project)
    now = timezone.now()
    if now >= schedule.bid_deadline:
        raise StateError(_("The bid deadline has passed."), code="deadline_passed", status_code=409)
    requested = max(new_bid_deadline or schedule.bid_deadline, schedule.bid_deadline)
    deadline = pushed_deadline(project, now, requested) if affects_bid_preparation else requested
    pushed = deadline != schedule.bid_deadline
    if pushed:
        shift = deadline - schedule.bid_deadline
        schedule.bid_deadline = deadline
        schedule.opening_at = schedule.opening_at + shift
        schedule.save(update_fields=["bid_deadline", "opening_at"])
    announcement = Announcement.objects.create(
        project=project,
        kind=Announcement.Kind.CHANGE if pushed or documents else Announcement.Kind.CLARIFICATION,
        title=title,
        body=body,
        published_at=now,
        published_by=actor,
        data={
            "affects_bid_preparation": affects_bid_preparation,
            "bid_deadline": schedule.bid_deadline.isoformat(),
            "opening_at": schedule.opening_at.isoformat(),
            "deadline_pushed": pushed,
        },
    )
    _store_documents(project, announcement, documents)
    log(
        "project.clarified",
        project,
        actor=actor,
        project=project,
        announcement=announcement.pk,
        affects_bid_preparation=affects_bid_preparation,
        bid_deadline=schedule.bid_deadline,
        deadline_pushed=pushed,
    )
    return announcement


@transaction.atomic
def ask_question(*, project: Project, actor, text: str) -> Question:
    if not policies.is_bidder(actor):
        raise refuse(_("Only bidders ask questions."), "permission_denied", status=403)
    schedule = Schedule.objects.filter(project=project).first()
    now = timezone.now()
    deadline = schedule and (schedule.questions_deadline or schedule.bid_deadline)
    if project.state != Project.State.ANNOUNCED or deadline is None or now >= deadline:
        raise StateError(
            _("Questions are closed for this project."), code="questions_closed", status_code=409
        )
    question = Question.objects.create(project=project, entity=actor.entity, text=text)
    log("project.question_asked", question, actor=actor, project=project)
    return question
