"""The import side of the data exchange (B6): a third-party trading system registered with
the platform pushes its projects and announcements, validated like ours, idempotent by its
own ids, and shown on the portal under its name.

A system's credential is scoped to one centre: it may publish only for that centre's region
and the divisions under it.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Category, TradingMethod
from portal.errors import ApplicationError
from portal.tradelog.services import append_entry
from publicportal import cache, policies
from publicportal.index import PublishedItem, upsert_publication
from publicportal.models import ExternalProject, Publication, SourceSystem
from publicportal.selectors import region_and_below

#: A pushed announcement may be dated at most this far ahead of our clock (clock skew).
CLOCK_SKEW = timedelta(minutes=5)


@transaction.atomic
def register_system(
    *, actor, code: str, name: str, centre, operator: str = ""
) -> tuple[SourceSystem, str]:
    """Register a system and return it with its credential, shown this once only."""
    if not policies.can_register_system(actor, centre):
        raise ApplicationError(
            _("Only the platform administrator or the centre's staff may connect a system."),
            code="forbidden",
            status_code=403,
        )
    if SourceSystem.objects.filter(code=code).exists():
        raise ApplicationError(
            _("A system with this code is already registered."),
            code="duplicate",
            fields={"code": [_("Already registered.")]},
        )
    token = SourceSystem.new_token()
    system = SourceSystem.objects.create(
        code=code,
        name=name,
        operator=operator,
        centre=centre,
        token_digest=SourceSystem.digest(token),
        token_hint=token[:4],
        registered_by=actor,
    )
    cache.bump_on_commit()  # the new system is a filter of the list at once
    append_entry(
        action="exchange.system_registered",
        obj=system,
        actor=actor,
        payload={"code": code, "name": name, "centre": centre.code},
        centre_id=centre.pk,
    )
    return system, token


def system_for_token(token: str) -> SourceSystem | None:
    return (
        SourceSystem.objects.select_related("centre__region")
        .filter(token_digest=SourceSystem.digest(token), is_active=True)
        .first()
    )


@dataclass
class PushedProject:
    external_id: str
    title: str
    category: str
    region: str
    method: str = ""
    transaction_code: str = ""
    budget_amount: Decimal | None = None
    tenderee: str = ""


@dataclass
class PushedAnnouncement:
    external_id: str
    project: PushedProject
    kind: str
    title: str
    body: str
    published_at: datetime
    amount: Decimal | None = None
    data: dict | None = None


def _check(system: SourceSystem, pushed: PushedAnnouncement) -> dict:
    """The references resolved, or every problem under the field it concerns."""
    errors: dict = {}
    project_errors: dict = {}
    category = Category.objects.filter(code=pushed.project.category, is_active=True).first()
    if category is None:
        project_errors["category"] = [_("Unknown category code.")]
    method = None
    if pushed.project.method:
        method = TradingMethod.objects.filter(code=pushed.project.method, is_active=True).first()
        if method is None:
            project_errors["method"] = [_("Unknown trading method code.")]
    region = region_and_below(system.centre.region).filter(code=pushed.project.region).first()
    if region is None:
        project_errors["region"] = [
            _("Not a division of %(region)s, the region this system is registered for.")
            % {"region": system.centre.region.name}
        ]
    if project_errors:
        errors["project"] = project_errors
    if pushed.published_at > timezone.now() + CLOCK_SKEW:
        errors["published_at"] = [_("An announcement cannot be published in the future.")]
    if errors:
        raise ApplicationError(
            _("The push was refused; nothing was saved."), code="invalid_push", fields=errors
        )
    return {"category": category, "method": method, "region": region}


@transaction.atomic
def push_announcement(
    *, system: SourceSystem, pushed: PushedAnnouncement
) -> tuple[Publication, bool]:
    """Store (or update) the pushed project and announcement and publish it on the portal.
    Returns the publication and whether it is new. Idempotent by the system's own ids."""
    refs = _check(system, pushed)
    project, _created = ExternalProject.objects.update_or_create(
        system=system,
        external_id=pushed.project.external_id,
        defaults={
            "title": pushed.project.title,
            "category": refs["category"],
            "method": refs["method"],
            "region": refs["region"],
            "transaction_code": pushed.project.transaction_code,
            "budget_amount": pushed.project.budget_amount,
            "tenderee": pushed.project.tenderee,
        },
    )
    source_key = f"external:{system.code}:{pushed.external_id}"
    existed = Publication.objects.filter(source_key=source_key).exists()
    publication = upsert_publication(
        PublishedItem(
            source=Publication.Source.EXTERNAL,
            source_key=source_key,
            system_id=system.pk,
            project_key=f"external:{system.code}:{project.external_id}",
            project_title=project.title,
            transaction_code=project.transaction_code,
            kind=pushed.kind,
            title=pushed.title,
            body=pushed.body,
            data=pushed.data or {},
            category_id=refs["category"].pk,
            method_id=refs["method"].pk if refs["method"] else None,
            region_id=refs["region"].pk,
            centre_id=system.centre_id,
            amount=pushed.amount
            if pushed.amount is not None
            else (project.budget_amount if pushed.kind == "tender" else None),
            published_at=pushed.published_at,
        )
    )
    append_entry(
        action="exchange.announcement_updated" if existed else "exchange.announcement_pushed",
        obj=publication,
        payload={
            "system": system.code,
            "external_id": pushed.external_id,
            "project": project.external_id,
            "kind": pushed.kind,
            "title": pushed.title,
        },
        category=refs["category"].code,
        centre_id=system.centre_id,
    )
    return publication, not existed
