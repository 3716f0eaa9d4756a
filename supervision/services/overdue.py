"""The overdue-steps sweep: alerts for statutory steps that never happened.

The trade-log evaluation judges what happened (a contract signed late is caught when the
signing is logged). A step that never happens writes no entry, so this sweep, run from the
Celery beat schedule, looks at the trades where one is pending — awarded without a
contract, securities or auction deposits still held — and raises an alert once the
catalog's period has run out (the same `check_schedule`, numbers and sources). One alert per
trade and rule (`alert_once`): running it again, or on several workers, raises nothing new.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from supervision import selectors
from supervision.services.evaluation import (
    _insert_new,
    _listing_alert,
    _lot_alert,
    _rules_for,
    _run,
)


@dataclass(frozen=True)
class OverdueSweepResult:
    lots: int
    listings: int
    alerts: int


@transaction.atomic
def sweep_overdue_steps(*, now: datetime | None = None) -> OverdueSweepResult:
    now = now or timezone.now()
    rules = selectors.alert_rules()
    seq = selectors.last_seq()
    cache: dict = {}
    alerts = []
    lots = selectors.overdue_candidate_lots()
    for lot_id in lots:
        lot = selectors.lot_facts(lot_id, with_rules=cache)
        if lot is None:
            continue
        lot.as_of = now
        for rule in _rules_for(rules, "overdue_lot", lot.category, None, method=lot.method):
            for hit in _run(rule, lot):
                alerts.append(_lot_alert(rule, hit, lot, seq))
    listings = selectors.overdue_candidate_listings()
    for listing_id in listings:
        listing = selectors.listing_overdue_facts(listing_id, with_rules=cache)
        if listing is None:
            continue
        listing.as_of = now
        for rule in _rules_for(
            rules, "overdue_listing", listing.category, None, method=listing.method
        ):
            for hit in _run(rule, listing):
                alerts.append(_listing_alert(rule, hit, listing, seq))
    return OverdueSweepResult(lots=len(lots), listings=len(listings), alerts=_insert_new(alerts))
