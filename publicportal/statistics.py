"""Statistics of the trades (E5): counts and amounts by category, region and month, over the
whole platform.

Tenders and government procurement are read from trading's lots (the source of the amounts)
for the projects that are public: the savings rate (budget against award) and the average
number of bidders per lot. The number of bids of a lot counts only once its opening has made
them public, so statistics never reveal how many bids a sealed box holds (招标投标法 第22条).
A tender falls in the month its project was registered.

Land-use rights, mining rights and state-owned equity (the auctions' listings) count once
their result is published — sold (成交) or failed (流拍/终结) — and fall in the month of that
result (`Listing.result_at`, the date of the result or failure announcement). Only public
facts are read: the starting (listing) price, announced with the listing, and the deal price,
announced with the result; never the reserve price (secret, 39号令 第10条) and never who bid.
A sale's measure is its premium rate: deal price over starting price, minus one.
"""

from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth

from auctions.models import Listing
from publicportal import cache
from trading.models import BidSubmission, Lot, Project

GROUPS = ("category", "region", "month")
PUBLIC_PROJECT_STATES = (Project.State.ANNOUNCED, Project.State.CLOSED, Project.State.ARCHIVED)
SEALED_LOT_STATES = (Lot.State.PREPARING, Lot.State.BIDDING, Lot.State.OPENING)
#: The listings whose result is public: the only ones the statistics count.
ENDED_LISTING_STATES = (Listing.State.SOLD, Listing.State.FAILED)
TENDER_COLUMNS = [
    "projects",
    "lots",
    "budget",
    "awarded_lots",
    "awarded_budget",
    "award_amount",
    "savings_rate",
    "opened_lots",
    "bids",
    "average_bidders",
]
TRANSFER_COLUMNS = [
    "sold_transfers",
    "failed_transfers",
    "sold_starting_amount",
    "deal_amount",
    "premium_rate",
    "failed_starting_amount",
]
COLUMNS = ["key", "label", *TENDER_COLUMNS, *TRANSFER_COLUMNS]
_AMOUNTS = (
    "budget",
    "awarded_budget",
    "award_amount",
    "sold_starting_amount",
    "deal_amount",
    "failed_starting_amount",
)


def _month(field: str) -> TruncMonth:
    return TruncMonth(field, tzinfo=ZoneInfo(settings.TIME_ZONE))


def _group_expression(group_by: str, prefix: str, date_field: str) -> dict:
    if group_by == "month":
        return {"key": _month(date_field)}
    return {"key": F(f"{prefix}{group_by}__code"), "label": F(f"{prefix}{group_by}__name")}


def _rate(saved: Decimal, base: Decimal) -> float | None:
    return None if not base else round(float(saved / base), 4)


def _tender_rows(group_by: str, fields: list[str]) -> dict:
    lots = Lot.objects.filter(project__state__in=PUBLIC_PROJECT_STATES).annotate(
        **_group_expression(group_by, "project__", "project__registered_at")
    )
    rows = {
        row["key"]: row
        for row in lots.values(*fields).annotate(
            projects=Count("project", distinct=True),
            lots=Count("id"),
            budget=Sum("estimate_amount"),
            awarded_lots=Count("id", filter=Q(award__isnull=False)),
            awarded_budget=Sum("estimate_amount", filter=Q(award__isnull=False)),
            award_amount=Sum("award__bid__price"),
            opened_lots=Count("id", filter=~Q(state__in=SEALED_LOT_STATES)),
        )
    }
    bids = (
        lots.exclude(state__in=SEALED_LOT_STATES)
        .values("key")
        .annotate(bids=Count("bids", filter=~Q(bids__state=BidSubmission.State.WITHDRAWN)))
    )
    for row in bids:
        rows[row["key"]]["bids"] = row["bids"]
    return rows


def _transfer_rows(group_by: str, fields: list[str]) -> dict:
    sold, failed = Q(state=Listing.State.SOLD), Q(state=Listing.State.FAILED)
    listings = (
        Listing.objects.filter(state__in=ENDED_LISTING_STATES, result_at__isnull=False)
        .annotate(**_group_expression(group_by, "", "result_at"))
        .order_by()
    )
    return {
        row["key"]: row
        for row in listings.values(*fields).annotate(
            sold_transfers=Count("id", filter=sold),
            failed_transfers=Count("id", filter=failed),
            sold_starting_amount=Sum("starting_price", filter=sold),
            deal_amount=Sum("final_price", filter=sold),
            failed_starting_amount=Sum("starting_price", filter=failed),
        )
    }


def _row(key, label: str, counts: dict) -> dict:
    """One row of figures from the summed `counts`, with its rates and averages."""
    amount = {name: counts.get(name) or Decimal(0) for name in _AMOUNTS}
    opened, bids = counts.get("opened_lots", 0), counts.get("bids", 0)
    budget, award = amount["awarded_budget"], amount["award_amount"]
    starting, deal = amount["sold_starting_amount"], amount["deal_amount"]
    row = {"key": key, "label": label} if key is not None or label is not None else {}
    row.update(
        {
            "projects": counts.get("projects", 0),
            "lots": counts.get("lots", 0),
            "budget": str(amount["budget"]),
            "awarded_lots": counts.get("awarded_lots", 0),
            "awarded_budget": str(budget),
            "award_amount": str(award),
            "savings_rate": _rate(budget - award, budget),
            "opened_lots": opened,
            "bids": bids,
            "average_bidders": round(bids / opened, 2) if opened else None,
            "sold_transfers": counts.get("sold_transfers", 0),
            "failed_transfers": counts.get("failed_transfers", 0),
            "sold_starting_amount": str(starting),
            "deal_amount": str(deal),
            "premium_rate": _rate(deal - starting, starting),
            "failed_starting_amount": str(amount["failed_starting_amount"]),
        }
    )
    return row


def compute(group_by: str) -> dict:
    if group_by not in GROUPS:
        raise ValueError(group_by)
    fields = ["key", "label"] if group_by != "month" else ["key"]
    tenders = _tender_rows(group_by, fields)
    transfers = _transfer_rows(group_by, fields)
    rows = []
    for key in sorted(tenders.keys() | transfers.keys(), key=lambda k: (k is None, k)):
        tender, transfer = tenders.get(key, {}), transfers.get(key, {})
        if group_by == "month":
            key = key.strftime("%Y-%m") if key else None
            label = key or ""
        else:
            label = tender.get("label") or transfer.get("label") or ""
        rows.append(_row(key, label, {**tender, **transfer}))
    return {"group_by": group_by, "rows": rows, "totals": _totals(rows)}


def _totals(rows: list[dict]) -> dict:
    counts = {}
    for column in TENDER_COLUMNS + TRANSFER_COLUMNS:
        if column in _AMOUNTS:
            counts[column] = sum((Decimal(row[column]) for row in rows), Decimal(0))
        elif not column.endswith(("_rate", "average_bidders")):
            counts[column] = sum(row[column] for row in rows)
    return _row(None, None, counts)


def table(data: dict) -> list[list]:
    """The rows as a table (header first), for the CSV and XLSX downloads."""
    return [COLUMNS] + [[row[column] for column in COLUMNS] for row in data["rows"]]


def statistics(group_by: str) -> dict:
    """`compute`, cached under the portal's version: every publication bumps it — a tender's
    announcements and the auctions' result and failure announcements alike, so a transfer
    that concludes or fails shows at once."""
    return cache.cached("statistics", {"group_by": group_by}, lambda: compute(group_by))
