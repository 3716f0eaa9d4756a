"""Writes on the pool: applications, admission, assessment, suspension, exit, and what the
experts declare (employment, relations, unavailable periods). Entry applications, training
and assessment are the management office's (公管办) work (F7): the pool maintainer's role.
"""

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.selectors import rule_by_code
from experts import policies, rules
from experts.id_number import is_valid_id_number, normalise_id_number
from experts.models import (
    Assessment,
    DrawInvitation,
    ExpertProfile,
    ExpertRelation,
    Specialty,
    Unavailability,
)
from experts.services.common import forbid, log, refuse
from portal.centres.models import Region
from portal.entities.models import MarketEntity
from portal.entities.uscc import normalise_uscc, validate_uscc

#: 评标专家和评标专家库管理办法: at least 8 years (the catalog holds the number).
DEFAULT_MIN_EXPERIENCE_YEARS = 8


def _clean_uscc(value: str, field: str) -> str:
    value = normalise_uscc(value or "")
    if not value:
        return ""
    error = validate_uscc(value)
    if error is not None:
        raise refuse(error.message, "uscc_invalid", field)
    return value


def _clean_specialties(specialties) -> list[Specialty]:
    specialties = list(specialties)
    if not specialties:
        raise refuse(_("Choose at least one specialty."), "specialties_missing", "specialties")
    inactive = [s.code for s in specialties if not s.is_active]
    if inactive:
        raise refuse(
            _("Specialty %(codes)s is no longer in use.") % {"codes": ", ".join(inactive)},
            "specialty_inactive",
            "specialties",
        )
    return specialties


def _lock(profile: ExpertProfile) -> ExpertProfile:
    return ExpertProfile.objects.select_for_update().select_related("user").get(pk=profile.pk)


def _move(profile: ExpertProfile, event: str, *, actor, reason: str = "", **payload):
    """The one function that changes a profile's status (rules.TRANSITIONS) and logs it."""
    target = rules.next_status(profile.status, event)
    if target is None:
        raise refuse(
            _("This change is not allowed for an expert who is %(status)s.")
            % {"status": profile.get_status_display()},
            "invalid_status",
            status=409,
        )
    previous = profile.status
    profile.status = target
    profile.status_reason = reason
    for field, value in payload.pop("fields", {}).items():
        setattr(profile, field, value)
    profile.full_clean()
    profile.save()
    log(
        f"expert.{event}",
        profile,
        actor=actor,
        expert=profile.pk,
        status_from=previous,
        status_to=target,
        reason=reason,
        **payload,
    )
    return profile


# --- Applications and admission --------------------------------------------------------------


@transaction.atomic
def apply_for_admission(
    *,
    user,
    full_name: str,
    id_number: str,
    employer_name: str,
    title: str,
    career_started_on: date,
    region: Region,
    specialties,
    employer_uscc: str = "",
) -> ExpertProfile:
    """An expert applies to join the pool (入库申请). A refused applicant may apply again."""
    if not policies.is_expert(user):
        raise forbid(_("Only an expert's own account applies to the pool."))
    id_number = normalise_id_number(id_number)
    if not is_valid_id_number(id_number):
        raise refuse(
            _("This is not a valid resident identity card number (GB 11643)."),
            "id_number_invalid",
            "id_number",
        )
    employer_uscc = _clean_uscc(employer_uscc, "employer_uscc")
    specialties = _clean_specialties(specialties)
    if career_started_on > timezone.localdate():
        raise refuse(
            _("The start of relevant work cannot be in the future."),
            "career_start_invalid",
            "career_started_on",
        )
    if not full_name.strip() or not employer_name.strip():
        raise refuse(_("Name and employer are required."), "required", "full_name")
    if ExpertProfile.objects.filter(id_number=id_number).exclude(user=user).exists():
        raise refuse(
            _("A profile with this identity card number exists already."),
            "id_number_taken",
            "id_number",
            status=409,
        )
    fields = dict(
        full_name=full_name.strip(),
        id_number=id_number,
        employer=MarketEntity.objects.filter(uscc=employer_uscc).first() if employer_uscc else None,
        employer_uscc=employer_uscc,
        employer_name=employer_name.strip(),
        title=title,
        career_started_on=career_started_on,
        region=region,
    )
    profile = ExpertProfile.objects.select_for_update().filter(user=user).first()
    if profile is not None:
        if profile.status != ExpertProfile.Status.REFUSED:
            raise refuse(_("You have applied already."), "already_applied", status=409)
        profile.specialties.set(specialties)
        profile = _move(
            profile,
            "reapply",
            actor=user,
            fields=fields,
            specialties=[s.code for s in specialties],
        )
        return profile
    profile = ExpertProfile(user=user, **fields)
    profile.full_clean()
    profile.save()
    profile.specialties.set(specialties)
    log(
        "expert.applied",
        profile,
        actor=user,
        expert=profile.pk,
        region=region.code,
        specialties=[s.code for s in specialties],
    )
    return profile


def minimum_experience_years(on: date | None = None) -> int:
    rule = rule_by_code("experts.min_experience_years", on=on)
    return int(rule.value) if rule is not None else DEFAULT_MIN_EXPERIENCE_YEARS


@transaction.atomic
def admit_expert(
    *, profile: ExpertProfile, actor, title_equivalent: bool | None = None
) -> ExpertProfile:
    """The maintainer checks the qualification rules (experience from the catalog rule
    `experts.min_experience_years`, the title) and admits the applicant."""
    if not policies.can_maintain_pool(actor):
        raise forbid(_("Only the pool maintainer admits experts."))
    profile = _lock(profile)
    if title_equivalent is not None:
        profile.title_equivalent = title_equivalent
    today = timezone.localdate()
    problems = rules.check_qualification(
        career_started_on=profile.career_started_on,
        title=profile.title,
        title_equivalent=profile.title_equivalent,
        on=today,
        min_experience_years=minimum_experience_years(today),
    )
    if problems:
        raise refuse(problems[0], "not_qualified", qualification=problems)
    if not profile.specialties.exists():
        raise refuse(_("The expert has no specialty."), "specialties_missing", "specialties")
    return _move(
        profile,
        "admit",
        actor=actor,
        fields={"admitted_at": timezone.now(), "last_assessed_on": today},
        title_equivalent=profile.title_equivalent,
    )


@transaction.atomic
def refuse_application(*, profile: ExpertProfile, actor, reason: str) -> ExpertProfile:
    if not policies.can_maintain_pool(actor):
        raise forbid(_("Only the pool maintainer decides on applications."))
    if not reason.strip():
        raise refuse(_("A refusal states its reason."), "reason_missing", "reason")
    return _move(_lock(profile), "refuse", actor=actor, reason=reason.strip())


@transaction.atomic
def record_assessment(
    *,
    profile: ExpertProfile,
    actor,
    passed: bool,
    note: str = "",
    assessed_on: date | None = None,
) -> Assessment:
    """A periodic assessment (考核); an expert who fails it is suspended."""
    if not policies.can_maintain_pool(actor):
        raise forbid(_("Only the pool maintainer assesses experts."))
    profile = _lock(profile)
    if profile.status not in {ExpertProfile.Status.ACTIVE, ExpertProfile.Status.SUSPENDED}:
        raise refuse(_("Only members of the pool are assessed."), "invalid_status", status=409)
    assessed_on = assessed_on or timezone.localdate()
    if not passed and not note.strip():
        raise refuse(_("A failed assessment states its reason."), "reason_missing", "note")
    assessment = Assessment.objects.create(
        expert=profile, assessed_on=assessed_on, passed=passed, note=note, assessed_by=actor
    )
    profile.last_assessed_on = assessed_on
    profile.save(update_fields=["last_assessed_on"])
    log(
        "expert.assessed",
        assessment,
        actor=actor,
        expert=profile.pk,
        passed=passed,
        assessed_on=assessed_on.isoformat(),
    )
    if not passed and profile.status == ExpertProfile.Status.ACTIVE:
        _move(profile, "suspend", actor=actor, reason=_("Failed the periodic assessment."))
        _withdraw_from_draws(profile, reason="suspended")
    return assessment


def _withdraw_from_draws(profile: ExpertProfile, *, reason: str) -> None:
    from experts.services.draws import withdraw_expert_from_draws

    withdraw_expert_from_draws(expert=profile, reason=reason)


@transaction.atomic
def suspend_expert(*, profile: ExpertProfile, actor, reason: str) -> ExpertProfile:
    """Suspended experts are not drawn; their live invitations are withdrawn and replaced."""
    if not policies.can_maintain_pool(actor):
        raise forbid(_("Only the pool maintainer suspends experts."))
    if not reason.strip():
        raise refuse(_("A suspension states its reason."), "reason_missing", "reason")
    profile = _move(_lock(profile), "suspend", actor=actor, reason=reason.strip())
    _withdraw_from_draws(profile, reason="suspended")
    return profile


@transaction.atomic
def reinstate_expert(*, profile: ExpertProfile, actor) -> ExpertProfile:
    if not policies.can_maintain_pool(actor):
        raise forbid(_("Only the pool maintainer reinstates experts."))
    return _move(_lock(profile), "reinstate", actor=actor)


@transaction.atomic
def retire_expert(*, profile: ExpertProfile, actor, reason: str = "") -> ExpertProfile:
    """Exit from the pool (清出 or leaving on request): by the maintainer, or the expert."""
    if not (policies.can_maintain_pool(actor) or policies.owns_profile(actor, profile)):
        raise forbid(_("Only the pool maintainer or the expert ends a membership."))
    profile = _move(_lock(profile), "retire", actor=actor, reason=reason.strip())
    _withdraw_from_draws(profile, reason="retired")
    return profile


# --- What the expert declares ----------------------------------------------------------------


@transaction.atomic
def change_employer(
    *, profile: ExpertProfile, actor, employer_uscc: str, employer_name: str
) -> ExpertProfile:
    """A new employer. The old one becomes a declared relation (employment, ended today), so
    the look-back of the avoidance rules keeps applying to it."""
    if not policies.can_edit_declarations(actor, profile):
        raise forbid(_("Only the expert or the pool maintainer changes the employer."))
    profile = _lock(profile)
    employer_uscc = _clean_uscc(employer_uscc, "employer_uscc")
    if not employer_name.strip():
        raise refuse(_("Name the employer."), "required", "employer_name")
    today = timezone.localdate()
    if profile.employer_uscc and profile.employer_uscc != employer_uscc:
        ExpertRelation.objects.create(
            expert=profile,
            entity_uscc=profile.employer_uscc,
            entity_name=profile.employer_name,
            kind=ExpertRelation.Kind.EMPLOYMENT,
            ended_on=today,
            note=_("Former employer"),
        )
    profile.employer_uscc = employer_uscc
    profile.employer_name = employer_name.strip()
    profile.employer = (
        MarketEntity.objects.filter(uscc=employer_uscc).first() if employer_uscc else None
    )
    profile.full_clean()
    profile.save()
    log("expert.employer_changed", profile, actor=actor, expert=profile.pk, employer=employer_uscc)
    return profile


@transaction.atomic
def declare_relation(
    *,
    profile: ExpertProfile,
    actor,
    entity_uscc: str,
    entity_name: str,
    kind: str,
    started_on: date | None = None,
    ended_on: date | None = None,
    note: str = "",
) -> ExpertRelation:
    """A relation with an entity (利害关系): avoided while current and for the look-back."""
    if not policies.can_edit_declarations(actor, profile):
        raise forbid(_("Only the expert or the pool maintainer declares relations."))
    entity_uscc = _clean_uscc(entity_uscc, "entity_uscc")
    if not entity_uscc:
        raise refuse(_("Give the entity's unified social credit code."), "required", "entity_uscc")
    if kind not in ExpertRelation.Kind.values:
        raise refuse(_("Unknown kind of relation."), "kind_invalid", "kind")
    relation = ExpertRelation(
        expert=profile,
        entity_uscc=entity_uscc,
        entity_name=entity_name.strip(),
        kind=kind,
        started_on=started_on,
        ended_on=ended_on,
        note=note,
    )
    relation.full_clean()
    relation.save()
    log(
        "expert.relation_declared",
        relation,
        actor=actor,
        expert=profile.pk,
        entity=entity_uscc,
        kind=kind,
        ended_on=ended_on.isoformat() if ended_on else None,
    )
    return relation


@transaction.atomic
def declare_unavailability(
    *,
    profile: ExpertProfile,
    actor,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    note: str = "",
) -> Unavailability:
    """Leave or a declared unavailable period: the expert is not drawn for that time. A
    period that meets a live invitation is refused: the invitation is declined instead, so
    that a further expert is drawn."""
    if not policies.can_edit_declarations(actor, profile):
        raise forbid(_("Only the expert or the pool maintainer declares unavailable periods."))
    if ends_at <= starts_at:
        raise refuse(_("The end must be after the start."), "period_invalid", "ends_at")
    if reason not in Unavailability.Reason.values:
        raise refuse(_("Unknown reason."), "reason_invalid", "reason")
    clash = DrawInvitation.objects.filter(
        expert=profile,
        state__in=DrawInvitation.LIVE,
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
    ).exists()
    if clash:
        raise refuse(
            _("You hold an invitation in this period: decline it instead."),
            "invitation_clash",
            "starts_at",
            status=409,
        )
    period = Unavailability.objects.create(
        expert=profile,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
        note=note,
        declared_by=actor,
    )
    log(
        "expert.unavailability_declared",
        period,
        actor=actor,
        expert=profile.pk,
        starts_at=starts_at.isoformat(),
        ends_at=ends_at.isoformat(),
        reason=reason,
    )
    return period
