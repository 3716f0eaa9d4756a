"""Open data for land use rights, mining rights and state-owned equity transfers, which OCDS
does not cover: a documented JSON package in the same spirit (publicportal/README.md, schema in
open_data/transfer-package-schema.json), read from the publication index, so that every
source (auctions, connected systems) appears as soon as it feeds the index."""

import json
from datetime import datetime
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from publicportal.models import Publication
from publicportal.selectors import _category_ids, references

VERSION = "1.0"
SCHEMA_PATH = Path(__file__).resolve().parent / "open_data" / "transfer-package-schema.json"
#: The catalog's categories (with their subtypes) this export covers.
TRANSFER_CATEGORIES = ("land_mining", "equity")


@cache
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def transfer(publication: Publication, absolute, refs: dict) -> dict:
    category = refs["category"][publication.category_id]
    region = refs["region"][publication.region_id]
    centre = refs["centre"].get(publication.centre_id) if publication.centre_id else None
    system = refs["system"].get(publication.system_id) if publication.system_id else None
    return {
        "id": publication.source_key,
        "processId": publication.project_key,
        "processTitle": publication.project_title,
        "transactionCode": publication.transaction_code or None,
        "category": {"code": category[0], "name": category[1]},
        "region": {"code": region[0], "name": region[1]},
        "centre": {"code": centre[0], "name": centre[1]} if centre else None,
        "method": refs["method"].get(publication.method_id) if publication.method_id else None,
        "kind": publication.kind,
        "title": publication.title,
        "description": publication.body,
        "publishedAt": timezone.localtime(publication.published_at).isoformat(),
        "status": publication.status,
        "value": None
        if publication.amount is None
        else {"amount": float(publication.amount), "currency": "CNY"},
        "details": publication.data or {},
        "source": {
            "type": publication.source,
            "system": system[0] if system else None,
            "systemName": system[1] if system else None,
        },
        "url": absolute(publication.detail_path),
        "processUrl": absolute(publication.project_path),
    }


def transfer_package(
    *, uri: str, absolute, since: datetime | None = None, offset: int = 0, limit: int = 200
) -> tuple[dict, bool]:
    """(the package, whether more follow)."""
    category_ids = [i for code in TRANSFER_CATEGORIES for i in _category_ids(code)]
    queryset = Publication.objects.filter(category_id__in=category_ids).order_by(
        "published_at", "id"
    )
    if since is not None:
        queryset = queryset.filter(published_at__gte=since)
    rows = list(queryset[offset : offset + limit + 1])
    package = {
        "uri": uri,
        "version": VERSION,
        "publishedDate": timezone.localtime().isoformat(),
        "publisher": {"name": settings.OCDS_PUBLISHER_NAME},
        "transfers": [transfer(p, absolute, references()) for p in rows[:limit]],
    }
    if settings.OCDS_LICENSE:
        package["license"] = settings.OCDS_LICENSE
    return package, len(rows) > limit
