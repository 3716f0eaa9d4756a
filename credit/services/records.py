"""Recording credit information: a record, its measure and its evidence.

`prepare_record` checks everything (competence, the code, the periods, the measure type's
rules) and resolves the defaults without writing; `create_record` writes the plan and the
trade-log entry in one transaction. `add_record` is the two together. The bulk import uses
the plan to tell a row already loaded from a conflicting one.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from catalog.models import Category
from credit import policies
from credit.models import (
    NEGATIVE_KINDS,
    CreditImport,
    CreditRecord,
    EvidenceDocument,
    Measure,
    MeasureScope,
    MeasureType,
    RecordKind,
    Severity,
)
from credit.rules import OPEN_END, check_period, whole_second
from portal.centres.models import Region
from portal.entities.models import MarketEntity
from portal.entities.uscc import normalise_uscc, validate_uscc
from portal.errors import ApplicationError
from portal.tradelog.services import append_entry

MAX_EVIDENCE_BYTES = 50 * 1024 * 1024
MAX_EVIDENCE_FILES = 20


@dataclass(frozen=True)
class EvidenceInput:
    name: str
    content: bytes
    content_type: str = ""


@dataclass
class RecordPlan:
    """A record as it will be written, defaults resolved and every rule checked."""

    uscc: str
    entity_name: str
    kind: str
    severity: str
    category: Category
    region: Region
    authority: str
    legal_basis: str
    decision_no: str
    reason: str
    valid_from: datetime
    valid_to: datetime | None
    public: bool
    external_id: str
    measure_type: MeasureType | None
    measure_categories: list[Category] = field(default_factory=list)
    measure_all_categories: bool = False
    measure_region: Region | None = None
    measure_valid_from: datetime | None = None
    measure_valid_to: datetime | None = None

    def comparable(self) -> dict[str, Any]:
        """What makes two records the same decision (for idempotent loading)."""
        return {
            "kind": self.kind,
            "severity": self.severity,
            "category": self.category.code,
            "region": self.region.code,
            "legal_basis": self.legal_basis,
            "reason": self.reason,
            "valid_from": self.valid_from,
            "valid_to": self.valid_to,
            "public": self.public,
            "measure": self.measure_type.code if self.measure_type else None,
            "measure_categories": None
            if self.measure_type is None
            else (
                "*"
                if self.measure_all_categories
                else sorted(c.code for c in self.measure_categories)
            ),
            "measure_region": self.measure_region.code if self.measure_region else None,
            "measure_valid_from": self.measure_valid_from if self.measure_type else None,
            "measure_valid_to": self.measure_valid_to if self.measure_type else None,
        }


def comparable_record(record: CreditRecord) -> dict[str, Any]:
    measure = record.measures.select_related("measure_type", "region").first()
    return {
        "kind": record.kind,
        "severity": record.severity,
        "category": record.category.code,
        "region": record.region.code,
        "legal_basis": record.legal_basis,
        "reason": record.reason,
        "valid_from": record.valid_from,
        "valid_to": record.valid_to,
        "public": record.public,
        "measure": measure.measure_type.code if measure else None,
        "measure_categories": None
        if measure is None
        else (
            "*"
            if measure.all_categories
            else sorted(s.category.code for s in measure.scopes.select_related("category"))
        ),
        "measure_region": measure.region.code if measure and measure.region_id else None,
        "measure_valid_from": measure.valid_from if measure else None,
        "measure_valid_to": measure.valid_to if measure else None,
    }


def _invalid(fields: dict[str, list[str]], code: str = "invalid") -> ApplicationError:
    message = " ".join(m for messages in fields.values() for m in messages)
    return ApplicationError(message, code=code, fields=fields)


PERIOD_MESSAGES = {
    "ends_before_start": lambda _type: _("The end is before the start."),
    "open_end_not_allowed": lambda mtype: (
        _("%(measure)s lasts at most %(months)d months: give its end.")
        % {"measure": mtype.name, "months": mtype.max_months}
    ),
    "too_long": lambda mtype: (
        _("%(measure)s lasts at most %(months)d months (%(source)s).")
        % {"measure": mtype.name, "months": mtype.max_months, "source": mtype.source}
    ),
}


def prepare_record(
    *,
    actor,
    uscc: str,
    kind: str,
    category: Category,
    authority: str,
    legal_basis: str,
    decision_no: str,
    reason: str,
    valid_from: datetime,
    valid_to: datetime | None = None,
    severity: str | None = None,
    region: Region | None = None,
    entity_name: str = "",
    public: bool = True,
    external_id: str = "",
    measure_type: MeasureType | None = None,
    measure_categories: list[Category] | None = None,
    measure_all_categories: bool = False,
    measure_region: Region | None = None,
    measure_valid_from: datetime | None = None,
    measure_valid_to: datetime | None = None,
) -> RecordPlan:
    """Check a record before it is written; raise ApplicationError (403 when the actor is
    not competent, 400 for bad input) with the fields concerned."""
    if not policies.is_regulator(actor):
        message = _("Only regulators of the competent department record credit.")
        raise ApplicationError(
            message, code="not_competent", fields={"permission": [message]}, status_code=403
        )
    code = normalise_uscc(uscc)
    problem = validate_uscc(code)
    if problem is not None:
        raise _invalid({"uscc": [problem.message]})
    entity = MarketEntity.objects.select_related("region").filter(uscc=code).first()
    fields: dict[str, list[str]] = {}
    name = entity_name.strip() or (entity.name if entity else "")
    if not name:
        fields["entity_name"] = [
            _("No entity is registered with this code: give the party's name.")
        ]
    if region is None:
        if entity is None:
            fields["region"] = [
                _("No entity is registered with this code: give the region of the conduct.")
            ]
        else:
            region = entity.region
    if severity is None:
        severity = Severity.GENERAL if kind in NEGATIVE_KINDS else Severity.NONE
    if kind in NEGATIVE_KINDS and severity == Severity.NONE:
        fields["severity"] = [_("A penalty, misconduct or judgment has a severity.")]
    if kind == RecordKind.HONOUR and severity != Severity.NONE:
        fields["severity"] = [_("An honour has no severity.")]
    for name_, value in (
        ("authority", authority),
        ("decision_no", decision_no),
        ("legal_basis", legal_basis),
        ("reason", reason),
    ):
        if not value.strip():
            fields[name_] = [_("This field is required.")]
    if fields:
        raise _invalid(fields)

    if measure_type is None:  # a scope without a measure means nothing
        measure_categories, measure_all_categories, measure_region = None, False, None
    refused = policies.check_can_record(
        actor,
        category=category,
        region=region,
        measure_categories=measure_categories or [],
        all_categories=measure_all_categories,
        measure_region=measure_region,
    )
    if refused is not None:
        raise ApplicationError(
            refused.message, code="not_competent", fields=refused.fields, status_code=403
        )

    valid_from = whole_second(valid_from)
    valid_to = whole_second(valid_to) if valid_to is not None else None
    if check_period(valid_from, valid_to, max_months=None):
        fields["valid_to"] = [_("The end is before the start.")]
    plan = RecordPlan(
        uscc=code,
        entity_name=name,
        kind=kind,
        severity=severity,
        category=category,
        region=region,
        authority=authority.strip(),
        legal_basis=legal_basis.strip(),
        decision_no=decision_no.strip(),
        reason=reason.strip(),
        valid_from=valid_from,
        valid_to=valid_to,
        public=public,
        external_id=external_id.strip(),
        measure_type=measure_type,
    )
    if measure_type is not None:
        if not measure_type.is_active:
            fields["measure"] = [_("This measure type is no longer in use.")]
        rewarding = severity == Severity.NONE
        if measure_type.effect == "reduce_security" and not rewarding:
            fields["measure"] = [_("A reward follows from an honour or good performance.")]
        if measure_type.effect != "reduce_security" and rewarding:
            fields["measure"] = [_("A restriction follows from a penalty or misconduct.")]
        plan.measure_all_categories = measure_all_categories
        plan.measure_categories = (
            []
            if measure_all_categories
            else (list(measure_categories) if measure_categories else [category])
        )
        plan.measure_region = measure_region
        plan.measure_valid_from = (
            whole_second(measure_valid_from) if measure_valid_from else valid_from
        )
        plan.measure_valid_to = whole_second(measure_valid_to) if measure_valid_to else valid_to
        for problem in check_period(
            plan.measure_valid_from, plan.measure_valid_to, max_months=measure_type.max_months
        ):
            fields.setdefault("measure_valid_to", []).append(PERIOD_MESSAGES[problem](measure_type))
    if fields:
        raise _invalid(fields)
    return plan


def _already_recorded(plan: RecordPlan) -> ApplicationError:
    message = _("%(authority)s's decision %(decision)s is already recorded for this entity.") % {
        "authority": plan.authority,
        "decision": plan.decision_no,
    }
    return ApplicationError(
        message, code="already_recorded", fields={"decision_no": [message]}, status_code=409
    )


def existing_record(plan: RecordPlan) -> CreditRecord | None:
    """The record this plan would duplicate: same external id, or same code, authority and
    decision number."""
    if plan.external_id:
        found = CreditRecord.objects.filter(external_id=plan.external_id).first()
        if found is not None:
            return found
    return CreditRecord.objects.filter(
        uscc=plan.uscc, authority=plan.authority, decision_no=plan.decision_no
    ).first()


def write_scopes(measure: Measure, categories: list[Category]) -> None:
    """Write the rows the eligibility query reads: one per category (one row without a
    category for every category), with the measure's code, effect, region and validity."""
    MeasureScope.objects.bulk_create(
        MeasureScope(
            measure=measure,
            uscc=measure.uscc,
            effect=measure.effect,
            category=category,
            region=measure.region,
            valid_from=measure.valid_from,
            valid_to=measure.valid_to or OPEN_END,
        )
        for category in ([None] if measure.all_categories else categories)
    )


@transaction.atomic
def create_record(
    *,
    actor,
    plan: RecordPlan,
    evidence: list[EvidenceInput] = (),
    credit_import: CreditImport | None = None,
) -> CreditRecord:
    """Write a prepared record, its measure and evidence, and the trade-log entry."""
    if existing_record(plan) is not None:
        raise _already_recorded(plan)
    record = CreditRecord(
        uscc=plan.uscc,
        entity_name=plan.entity_name,
        kind=plan.kind,
        severity=plan.severity,
        category=plan.category,
        region=plan.region,
        authority=plan.authority,
        legal_basis=plan.legal_basis,
        decision_no=plan.decision_no,
        reason=plan.reason,
        valid_from=plan.valid_from,
        valid_to=plan.valid_to,
        public=plan.public,
        external_id=plan.external_id,
        source=CreditRecord.Source.IMPORT if credit_import else CreditRecord.Source.PLATFORM,
        credit_import=credit_import,
        recorded_by=actor,
    )
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError as exc:  # a concurrent request recorded the same decision
        raise _already_recorded(plan) from exc
    measure_payload = None
    if plan.measure_type is not None:
        measure = Measure.objects.create(
            record=record,
            uscc=record.uscc,
            measure_type=plan.measure_type,
            effect=plan.measure_type.effect,
            security_percent=plan.measure_type.security_percent,
            region=plan.measure_region,
            all_categories=plan.measure_all_categories,
            valid_from=plan.measure_valid_from,
            valid_to=plan.measure_valid_to,
        )
        write_scopes(measure, plan.measure_categories)
        measure_payload = {
            "id": measure.pk,
            "type": plan.measure_type.code,
            "effect": measure.effect,
            "categories": "*"
            if plan.measure_all_categories
            else [c.code for c in plan.measure_categories],
            "region": plan.measure_region.code if plan.measure_region else None,
            "valid_from": measure.valid_from,
            "valid_to": measure.valid_to,
        }
    documents = [_store_evidence(record=record, actor=actor, document=doc) for doc in evidence]
    append_entry(
        action="credit.record_added",
        obj=record,
        actor=actor,
        category=record.category.code,
        payload={
            "uscc": record.uscc,
            "kind": record.kind,
            "severity": record.severity,
            "region": record.region.code,
            "authority": record.authority,
            "legal_basis": record.legal_basis,
            "decision_no": record.decision_no,
            "valid_from": record.valid_from,
            "valid_to": record.valid_to,
            "public": record.public,
            "external_id": record.external_id,
            "import": credit_import.pk if credit_import else None,
            "measure": measure_payload,
            "evidence": [{"name": d.name, "sha256": d.sha256} for d in documents],
        },
    )
    return record


def add_record(*, actor, evidence: list[EvidenceInput] = (), **arguments) -> CreditRecord:
    """Record credit information (a regulator of the competent department and region)."""
    plan = prepare_record(actor=actor, **arguments)
    return create_record(actor=actor, plan=plan, evidence=evidence)


def _check_evidence(document: EvidenceInput) -> None:
    if not document.content:
        raise _invalid({"evidence": [_("%(name)s is empty.") % {"name": document.name}]})
    if len(document.content) > MAX_EVIDENCE_BYTES:
        raise _invalid(
            {
                "evidence": [
                    _("%(name)s is larger than %(size)d MB.")
                    % {"name": document.name, "size": MAX_EVIDENCE_BYTES // (1024 * 1024)}
                ]
            }
        )


def _store_evidence(*, record: CreditRecord, actor, document: EvidenceInput) -> EvidenceDocument:
    _check_evidence(document)
    digest = hashlib.sha256(document.content).hexdigest()
    existing = record.evidence.filter(sha256=digest).first()
    if existing is not None:
        return existing
    stored = EvidenceDocument(
        record=record,
        name=document.name[:200],
        sha256=digest,
        size=len(document.content),
        content_type=document.content_type[:100],
        uploaded_by=actor,
    )
    stored.file.save(digest, ContentFile(document.content), save=False)
    stored.save()
    return stored


@transaction.atomic
def add_evidence(
    *, actor, record: CreditRecord, documents: list[EvidenceInput]
) -> list[EvidenceDocument]:
    """Attach documents to a record (the competent regulator); each is kept with its
    SHA-256 digest, and the same document twice is stored once."""
    refused = policies.check_can_record(actor, category=record.category, region=record.region)
    if refused is not None:
        raise ApplicationError(
            refused.message, code="not_competent", fields=refused.fields, status_code=403
        )
    if not documents:
        raise _invalid({"evidence": [_("Attach at least one document.")]})
    if record.evidence.count() + len(documents) > MAX_EVIDENCE_FILES:
        raise _invalid(
            {
                "evidence": [
                    _("At most %(count)d documents per record.") % {"count": MAX_EVIDENCE_FILES}
                ]
            }
        )
    stored = [_store_evidence(record=record, actor=actor, document=doc) for doc in documents]
    append_entry(
        action="credit.evidence_added",
        obj=record,
        actor=actor,
        category=record.category.code,
        payload={
            "decision_no": record.decision_no,
            "evidence": [{"name": d.name, "sha256": d.sha256, "size": d.size} for d in stored],
        },
    )
    return stored
