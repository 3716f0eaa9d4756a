"""Evaluating the trade log against the alert rules: the cursor (outbox) loop.

Entries are committed in `seq` order (the trade-log head's row lock serialises appends to
commit), so the cursor is exact: every entry at or below it has been evaluated, every entry
above it will be, whether the kick after the commit reached a worker or not. A batch runs in
one transaction holding the cursor row: the alerts it raises and the cursor's advance commit
together, and two workers never evaluate the same batch at once. Re-evaluating is harmless
anyway (one alert per rule and subject).
"""

import logging
from dataclasses import dataclass

from django.db import transaction

from portal.accounts.models import Department
from supervision import selectors
from supervision.models import Alert, AlertRule, EvaluationCursor, Severity
from supervision.rules.detectors import Hit
from supervision.rules.facts import EntryFacts, ListingFacts, LotFacts
from supervision.rules.registry import DETECTORS, applicable
from trading.models import Project

logger = logging.getLogger(__name__)

BATCH_SIZE = 500


@dataclass(frozen=True)
class SweepResult:
    entries: int
    alerts: int
    last_seq: int


def evaluate_pending(
    *, batch_size: int = BATCH_SIZE, max_batches: int | None = None
) -> SweepResult:
    """Evaluate every committed entry after the cursor, batch by batch, until none is left."""
    entries = alerts = batches = 0
    last = 0
    while max_batches is None or batches < max_batches:
        done, raised, last = _evaluate_batch(batch_size)
        entries, alerts, batches = entries + done, alerts + raised, batches + 1
        if done < batch_size:
            break
    return SweepResult(entries=entries, alerts=alerts, last_seq=last)


@transaction.atomic
def _evaluate_batch(batch_size: int) -> tuple[int, int, int]:
    cursor = _locked_cursor()
    entries = selectors.entries_after(cursor.last_seq, batch_size)
    if not entries:
        return 0, 0, cursor.last_seq
    rules = selectors.alert_rules()
    alerts: list[Alert] = []
    projects: dict[int, Project | None] = {}
    holds = selectors.holds_for(entries)
    for entry in entries:
        facts = selectors.entry_facts(entry, holds)
        project = _project(facts, projects)
        for rule in _rules_for(rules, "entry", entry.category, project):
            for hit in _run(rule, facts):
                alerts.append(_entry_alert(rule, hit, facts, project))
    rules_cache: dict = {}
    for lot_id, seq in sorted(selectors.lots_touched(entries).items()):
        lot = selectors.lot_facts(lot_id, with_rules=rules_cache)
        if lot is None:
            continue
        for rule in _rules_for(rules, "lot", lot.category, None, method=lot.method):
            for hit in _run(rule, lot):
                alerts.append(_lot_alert(rule, hit, lot, seq))
    for listing_id, seq in sorted(selectors.listings_touched(entries).items()):
        listing = selectors.listing_facts(listing_id)
        if listing is None:
            continue
        for rule in _rules_for(rules, "listing", listing.category, None, method=listing.method):
            for hit in _run(rule, listing):
                alerts.append(_listing_alert(rule, hit, listing, seq))
    created = _insert_new(alerts)
    cursor.last_seq = entries[-1].seq
    cursor.save(update_fields=["last_seq", "updated_at"])
    return len(entries), created, cursor.last_seq


def _insert_new(alerts: list[Alert]) -> int:
    """Insert the alerts not raised before (one per rule and subject); returns how many."""
    if not alerts:
        return 0
    existing = set(
        Alert.objects.filter(subject_key__in={a.subject_key for a in alerts}).values_list(
            "rule_code", "subject_key"
        )
    )
    fresh: dict[tuple[str, str], Alert] = {}
    for alert in alerts:
        key = (alert.rule_code, alert.subject_key)
        if key not in existing:
            fresh.setdefault(key, alert)
    # ignore_conflicts: an integrity alert or another evaluator may have raised it meanwhile.
    Alert.objects.bulk_create(fresh.values(), ignore_conflicts=True)
    return len(fresh)


def _locked_cursor() -> EvaluationCursor:
    EvaluationCursor.objects.get_or_create(id=1)
    return EvaluationCursor.objects.select_for_update().get(id=1)


def _project(facts: EntryFacts, cache: dict) -> Project | None:
    project_id = facts.payload.get("project")
    if not isinstance(project_id, int):
        return None
    if project_id not in cache:
        cache[project_id] = (
            Project.objects.using(selectors.READ)
            .select_related("category", "method")
            .filter(pk=project_id)
            .first()
        )
    return cache[project_id]


def _rules_for(
    rules: list[AlertRule], scope: str, category: str, project: Project | None, method: str = ""
) -> list[AlertRule]:
    method = method or (project.method.code if project else "")
    return [
        rule
        for rule in applicable(rules, category, method)
        if rule.detector in DETECTORS and DETECTORS[rule.detector].scope == scope
    ]


def _run(rule: AlertRule, facts) -> list[Hit]:
    """One detector; a detector that fails is logged and skipped, never blocking the cursor
    (its failure is a bug to fix, the other rules still run)."""
    try:
        return DETECTORS[rule.detector].function(facts, rule.params or {})
    except Exception:
        logger.exception("alert rule %s failed", rule.code)
        return []


def _lot_alert(rule: AlertRule, hit: Hit, lot: LotFacts, seq: int) -> Alert:
    return Alert(
        rule_code=rule.code,
        group=rule.group,
        severity=hit.severity or rule.severity,
        subject_key=hit.subject[:200],
        title=hit.title[:300],
        project_id_ref=lot.project_id,
        lot_id_ref=lot.lot_id,
        project_title=lot.project_title[:200],
        entities=list(hit.entities),
        evidence=hit.evidence,
        source=(hit.source or rule.source)[:300],
        department=lot.department,
        category=lot.category,
        region_id_ref=lot.region_id,
        centre_id_ref=lot.centre_id,
        trade_log_seq=seq,
    )


def _listing_alert(rule: AlertRule, hit: Hit, listing: ListingFacts, seq: int) -> Alert:
    return Alert(
        rule_code=rule.code,
        group=rule.group,
        severity=hit.severity or rule.severity,
        subject_key=hit.subject[:200],
        title=hit.title[:300],
        project_title=listing.title[:200],
        entities=list(hit.entities),
        evidence=hit.evidence,
        source=(hit.source or rule.source)[:300],
        department=listing.department,
        category=listing.category,
        region_id_ref=listing.region_id,
        centre_id_ref=listing.centre_id,
        trade_log_seq=seq,
    )


def _entry_alert(rule: AlertRule, hit: Hit, entry: EntryFacts, project: Project | None) -> Alert:
    lot = entry.payload.get("lot")
    return Alert(
        rule_code=rule.code,
        group=rule.group,
        severity=hit.severity or rule.severity,
        subject_key=hit.subject[:200],
        title=hit.title[:300],
        project_id_ref=project.pk if project else None,
        lot_id_ref=lot if isinstance(lot, int) else None,
        project_title=project.title[:200] if project else "",
        entities=list(hit.entities),
        evidence=hit.evidence,
        source=(hit.source or rule.source)[:300],
        department=(
            (project.category.supervising_department or Department.DEVELOPMENT_REFORM)
            if project
            else ""
        ),
        category=entry.category,
        region_id_ref=project.region_id if project else None,
        centre_id_ref=entry.centre_id,
        trade_log_seq=entry.seq,
    )


def raise_integrity_alerts(problems) -> int:
    """One critical alert per chain problem found by the scheduled verification."""
    rule = AlertRule.objects.filter(code="integrity.chain_broken", category="").first()
    alerts = [
        Alert(
            rule_code="integrity.chain_broken",
            group="integrity",
            severity=rule.severity if rule else Severity.CRITICAL,
            subject_key=f"chain:{problem.kind}:{problem.seq}",
            title=f"{problem.kind}: seq {problem.seq}",
            evidence={"seq": problem.seq, "kind": problem.kind, "detail": problem.detail},
            source=rule.source if rule else "",
            trade_log_seq=problem.seq,
        )
        for problem in problems
    ]
    return _insert_new(alerts)
