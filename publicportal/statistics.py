"""Statistics of the trades (E5): counts and amounts by category, region and month, the
savings rate (budget against award) and the average number of bidders per lot.

Read from trading's lots (the source of the amounts) for the projects that are public; the
number of bids of a lot counts only once its opening has made them public, so statistics
never reveal how many bids a sealed box holds (招标投标法 第22条).
"""

from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth

from publicportal import cache
from trading.models import BidSubmission, Lot, Project

GROUPS = ("category", "region", "month")
PUBLIC_PROJECT_STATES = (Project.State.ANNOUNCED, Project.State.CLOSED, Project.State.ARCHIVED)
SEALED_LOT_STATES = (Lot.State.PREPARING, Lot.State.BIDDING, Lot.State.OPENING)
COLUMNS = [
    "key",
    "label",
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


def _group_expression(group_by: str):
    if group_by == "category":
        return {"key": F("project__category__code"), "label": F("project__category__name")}
    if group_by == "region":
        return {"key": F("project__region__code"), "label": F("project__region__name")}
    return {
        "key": TruncMonth("project__registered_at", tzinfo=ZoneInfo(settings.TIME_ZONE)),
    }


def _rate(saved: Decimal, base: Decimal) -> float | None:
    return None if not base else round(float(saved / base), 4)


def compute(group_by: str) -> dict:
    if group_by not in GROUPS:
        raise ValueError(group_by)
    lots = Lot.objects.filter(project__state__in=PUBLIC_PROJECT_STATES).annotate(
        **_group_expression(group_by)
    )
    fields = ["key", "label"] if group_by != "month" else ["key"]
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
    bid_counts = {row["key"]: row["bids"] for row in bids}
    result = []
    for key in sorted(rows, key=lambda k: (k is None, k)):
        row = rows[key]
        budget = row["awarded_budget"] or Decimal(0)
        award = row["award_amount"] or Decimal(0)
        count = bid_counts.get(key, 0)
        label = row.get("label") or (key.strftime("%Y-%m") if key else "")
        result.append(
            {
                "key": key.strftime("%Y-%m") if group_by == "month" and key else key,
                "label": label,
                "projects": row["projects"],
                "lots": row["lots"],
                "budget": str(row["budget"] or Decimal(0)),
                "awarded_lots": row["awarded_lots"],
                "awarded_budget": str(budget),
                "award_amount": str(award),
                "savings_rate": _rate(budget - award, budget),
                "opened_lots": row["opened_lots"],
                "bids": count,
                "average_bidders": round(count / row["opened_lots"], 2)
                if row["opened_lots"]
                else None,
            }
        )
    return {"group_by": group_by, "rows": result, "totals": _totals(result)}


def _totals(rows: list[dict]) -> dict:
    def total(field):
        return sum(Decimal(row[field]) for row in rows)

    budget, award = total("awarded_budget"), total("award_amount")
    bids, opened = sum(row["bids"] for row in rows), sum(row["opened_lots"] for row in rows)
    return {
        "projects": sum(row["projects"] for row in rows),
        "lots": sum(row["lots"] for row in rows),
        "budget": str(total("budget")),
        "awarded_lots": sum(row["awarded_lots"] for row in rows),
        "awarded_budget": str(budget),
        "award_amount": str(award),
        "savings_rate": _rate(budget - award, budget),
        "opened_lots": opened,
        "bids": bids,
        "average_bidders": round(bids / opened, 2) if opened else None,
    }


def table(data: dict) -> list[list]:
    """The rows as a table (header first), for the CSV and XLSX downloads."""
    return [COLUMNS] + [[row[column] for column in COLUMNS] for row in data["rows"]]


def statistics(group_by: str) -> dict:
    """`compute`, cached under the portal's version (every publication bumps it)."""
    return cache.cached("statistics", {"group_by": group_by}, lambda: compute(group_by))
