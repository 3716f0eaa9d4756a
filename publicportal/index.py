"""Writes to the publication index and the change feed: one entry point for every source.

A source (trading here; auctions and connected systems likewise) describes an item as a
`PublishedItem` and calls `upsert_publication` inside the transaction that publishes it.
The index row, the change-feed entry and the cache bump then commit or roll back with the
publication itself.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.urls import reverse

from portal.tradelog.models import TradeLogHead
from publicportal import cache, search
from publicportal.models import ChangeLogEntry, Publication

#: The project's status (the filter `status=`) after an announcement of each kind.
STATUS_AFTER_KIND = {
    "tender": Publication.Status.BIDDING,
    "clarification": Publication.Status.BIDDING,
    "change": Publication.Status.BIDDING,
    "opening_record": Publication.Status.EVALUATING,
    "candidates": Publication.Status.EVALUATING,
    "result": Publication.Status.AWARDED,
    "contract": Publication.Status.AWARDED,
    "failure": Publication.Status.FAILED,
    # Auctions (issue 7): their own kinds ("result" and "failure" are shared).
    "pre_disclosure": Publication.Status.BIDDING,
    "disclosure": Publication.Status.BIDDING,
    "transfer": Publication.Status.BIDDING,
}


@dataclass
class PublishedItem:
    """What a source tells the index about one published item."""

    source: str
    source_key: str
    project_key: str
    project_title: str
    kind: str
    title: str
    body: str
    category_id: int
    region_id: int
    published_at: datetime
    centre_id: int | None = None
    method_id: int | None = None
    system_id: int | None = None
    transaction_code: str = ""
    amount: Decimal | None = None
    data: dict = field(default_factory=dict)
    detail_path: str = ""
    project_path: str = ""


def publication_payload(publication: Publication) -> dict:
    """The public shape of a publication, as the change feed and the API carry it."""
    return {
        "id": publication.pk,
        "source": publication.source,
        "source_key": publication.source_key,
        "system": publication.system.code if publication.system_id else None,
        "project_key": publication.project_key,
        "project_title": publication.project_title,
        "transaction_code": publication.transaction_code,
        "kind": publication.kind,
        "title": publication.title,
        "body": publication.body,
        "data": publication.data,
        "category": publication.category.code,
        "method": publication.method.code if publication.method_id else None,
        "region": publication.region.code,
        "centre": publication.centre.code if publication.centre_id else None,
        "status": publication.status,
        "amount": None if publication.amount is None else str(publication.amount),
        "published_at": publication.published_at.isoformat(),
    }


@transaction.atomic
def record_change(*, object_type: str, object_key: str, action: str, payload: dict) -> None:
    """Append to the change feed behind the trade log's head lock, held to commit, so that
    feed ids are handed out in commit order (see `publicportal.changes`)."""
    TradeLogHead.objects.select_for_update().get_or_create(id=1)
    ChangeLogEntry.objects.create(
        object_type=object_type, object_key=object_key, action=action, payload=payload
    )


@transaction.atomic
def upsert_publication(item: PublishedItem) -> Publication:
    """Create or update the index row of `item`, move its project's status, log the change
    for the feed and make the portal's cache stale on commit. Idempotent by `source_key`."""
    values = {
        "source": item.source,
        "system_id": item.system_id,
        "project_key": item.project_key,
        "project_title": item.project_title,
        "transaction_code": item.transaction_code or "",
        "kind": item.kind,
        "title": item.title,
        "body": item.body,
        "data": item.data,
        "category_id": item.category_id,
        "method_id": item.method_id,
        "region_id": item.region_id,
        "centre_id": item.centre_id,
        "amount": item.amount,
        "published_at": item.published_at,
        "detail_path": item.detail_path,
        "project_path": item.project_path,
        "search_document": search.search_document(item.title, item.project_title),
    }
    status = STATUS_AFTER_KIND.get(item.kind, Publication.Status.BIDDING)
    latest = (
        Publication.objects.filter(project_key=item.project_key)
        .exclude(source_key=item.source_key)
        .order_by("-published_at", "-id")
        .first()
    )
    if latest is not None and latest.published_at > item.published_at:
        status = latest.status  # an older item pushed late does not move the project back
    values["status"] = status
    if not values["project_path"]:
        values["project_path"] = reverse("publicportal:project", args=[item.project_key])
    publication, created = Publication.objects.update_or_create(
        source_key=item.source_key, defaults=values
    )
    if not publication.detail_path:
        publication.detail_path = reverse("publicportal:publication", args=[publication.pk])
        Publication.objects.filter(pk=publication.pk).update(detail_path=publication.detail_path)
    # The whole project moves to the new status, so `status=` filters projects, not items.
    Publication.objects.filter(project_key=item.project_key).exclude(status=status).update(
        status=status
    )
    publication = Publication.objects.select_related(
        "system", "category", "method", "region", "centre"
    ).get(pk=publication.pk)
    record_change(
        object_type="publication",
        object_key=item.source_key,
        action="created" if created else "updated",
        payload=publication_payload(publication),
    )
    cache.bump_on_commit()
    return publication


@transaction.atomic
def withdraw_publication(source_key: str) -> None:
    """The source deleted what it had published: drop it from the index, tell the feed."""
    deleted, _ = Publication.objects.filter(source_key=source_key).delete()
    if deleted:
        record_change(
            object_type="publication",
            object_key=source_key,
            action="deleted",
            payload={"source_key": source_key},
        )
        cache.bump_on_commit()


# --- The trading source (issue 3) ----------------------------------------------------------


def trading_item(announcement) -> PublishedItem:
    """A trading announcement as an index item (the project is loaded by the caller)."""
    project = announcement.project
    amount = None
    data = announcement.data or {}
    if announcement.kind == "tender":
        amount = sum((lot.estimate_amount for lot in project.lots.all()), Decimal(0)) or None
    elif announcement.kind == "result" and data.get("price"):
        amount = Decimal(str(data["price"]))
    elif announcement.kind == "contract" and data.get("amount"):
        amount = Decimal(str(data["amount"]))
    return PublishedItem(
        source=Publication.Source.TRADING,
        source_key=f"trading:{announcement.pk}",
        project_key=f"trading:{project.pk}",
        project_title=project.title,
        transaction_code=project.transaction_code or "",
        kind=announcement.kind,
        title=announcement.title,
        body=announcement.body,
        data=data,
        category_id=project.category_id,
        method_id=project.method_id,
        region_id=project.region_id,
        centre_id=project.centre_id,
        amount=amount,
        published_at=announcement.published_at,
        detail_path=reverse("trading:announcement", args=[announcement.pk]),
        project_path=reverse("trading:project", args=[project.pk]),
    )


def index_trading_announcement(announcement) -> Publication:
    return upsert_publication(trading_item(announcement))


def auction_item(announcement) -> PublishedItem:
    """An auction announcement (land, mining, equity) as an index item. The amount shown is
    the public one: the starting price while it is for sale, the final price once dealt —
    never the secret reserve."""
    listing = announcement.listing
    amount = listing.final_price if announcement.kind == "result" else listing.starting_price
    return PublishedItem(
        source=Publication.Source.AUCTIONS,
        source_key=f"auctions:{announcement.pk}",
        project_key=f"auctions:{listing.pk}",
        project_title=listing.title,
        transaction_code=listing.transaction_code or "",
        kind=announcement.kind,
        title=announcement.title,
        body=announcement.body,
        data={},
        category_id=announcement.category_id,
        method_id=listing.method_id,
        region_id=announcement.region_id,
        centre_id=announcement.centre_id,
        amount=amount,
        published_at=announcement.published_at,
        detail_path=reverse("auctions:listing", args=[listing.pk]),
        project_path=reverse("auctions:listing", args=[listing.pk]),
    )


def index_auction_announcement(announcement) -> Publication:
    return upsert_publication(auction_item(announcement))
