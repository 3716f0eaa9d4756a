"""Reads of the credit registry: the eligibility query, credit files, public information.

The eligibility query runs on every bid, candidate and award. It is one static statement on
`MeasureScope` alone, served by the index (uscc, effect, valid_to): equality on the code and
the effect, a range on the end, then the few rows of that entity are filtered by start,
category (or its parent) and region (or its parent or grandparent) — the ancestors are
sub-selects on their unique codes, so the question is one round trip. Only when a measure
applies does a second statement read what the refusal must name. It is SQL rather than a
queryset built per call: building and compiling the queryset cost several times the query,
and joining the names in every time triples the planning (bench/credit_eligibility.py).
Nothing is cached: a ban committed anywhere is seen by the very next query on every centre.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from credit.models import (
    CreditRecord,
    CreditRepair,
    Effect,
    EvidenceDocument,
    Measure,
    MeasureScope,
)
from credit.rules import whole_second
from credit.scoring import RecordFacts, ScoreExplanation, explain_score
from portal.entities.models import MarketEntity

ELIGIBILITY_SQL = """
SELECT s.id, s.measure_id, s.valid_to
FROM credit_measurescope s
WHERE s.uscc = %s AND s.effect IN ({effects}) AND s.valid_to >= %s AND s.valid_from <= %s
  AND (s.category_id IS NULL OR s.category_id IN (
        SELECT id FROM catalog_category WHERE code = %s
        UNION ALL SELECT parent_id FROM catalog_category WHERE code = %s))
  AND (s.region_id IS NULL OR s.region_id IN (
        SELECT id FROM centres_region WHERE code = %s
        UNION ALL SELECT parent_id FROM centres_region WHERE code = %s
        UNION ALL SELECT p.parent_id FROM centres_region x
                  JOIN centres_region p ON p.id = x.parent_id WHERE x.code = %s))
ORDER BY s.valid_from, s.id
"""

# Only when something applies (a refusal, a security change): what it must name.
NAMES_SQL = """
SELECT s.id, r.decision_no, r.authority, r.public, t.name, m.security_percent, c.name, g.name
FROM credit_measurescope s
JOIN credit_measure m ON m.id = s.measure_id
JOIN credit_creditrecord r ON r.id = m.record_id
JOIN credit_measuretype t ON t.id = m.measure_type_id
LEFT JOIN catalog_category c ON c.id = s.category_id
LEFT JOIN centres_region g ON g.id = s.region_id
WHERE s.id IN ({scopes})
"""


@dataclass(frozen=True)
class ApplicableMeasure:
    """A measure that applies to the question asked, with what a refusal must name."""

    measure_id: int
    decision_no: str
    authority: str
    record_public: bool
    measure_name: str
    security_percent: Decimal | None
    category_name: str | None  # None: every category
    region_name: str | None  # None: every region
    valid_to: datetime  # rules.OPEN_END: no end date


def eligibility_query(
    *, uscc: str, effects: list[str], category_code: str, region_code: str, at: datetime
) -> tuple[str, list]:
    """The statement and its parameters (also what bench/ explains)."""
    moment = connection.ops.adapt_datetimefield_value(whole_second(at))
    sql = ELIGIBILITY_SQL.format(effects=", ".join(["%s"] * len(effects)))
    params = [uscc, *effects, moment, moment, category_code, category_code]
    params += [region_code, region_code, region_code]
    return sql, params


def _aware(value) -> datetime:
    if isinstance(value, str):  # SQLite returns text
        value = parse_datetime(value)
    return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)


def applicable_measures(
    *, uscc: str, effects: list[str], category_code: str, region_code: str, at: datetime
) -> list[ApplicableMeasure]:
    """The measures of `effects` that apply to `uscc` in the category and region at `at`,
    one per measure. A measure's category covers its subtypes; its region its sub-regions.

    Whether anything applies is decided by one indexed query on `MeasureScope` alone; only
    when something does, a second one reads what to name (the record, the measure)."""
    sql, params = eligibility_query(
        uscc=uscc, effects=effects, category_code=category_code, region_code=region_code, at=at
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        scopes: dict[int, tuple[int, datetime]] = {}
        seen: set[int] = set()
        for scope_id, measure_id, end in cursor.fetchall():
            if measure_id not in seen:  # scoped to a category and its parent: name it once
                seen.add(measure_id)
                scopes[scope_id] = (measure_id, end)
        if not scopes:
            return []
        cursor.execute(NAMES_SQL.format(scopes=", ".join(["%s"] * len(scopes))), list(scopes))
        names = {row[0]: row[1:] for row in cursor.fetchall()}
    found = []
    for scope_id, (measure_id, end) in scopes.items():
        decision, authority, public, name, percent, category, region = names[scope_id]
        found.append(
            ApplicableMeasure(
                measure_id=measure_id,
                decision_no=decision,
                authority=authority,
                record_public=bool(public),
                measure_name=name,
                security_percent=None if percent is None else Decimal(str(percent)),
                category_name=category,
                region_name=region,
                valid_to=_aware(end),
            )
        )
    return found


def refusing_measures(
    *, uscc: str, category_code: str, region_code: str, at: datetime
) -> list[ApplicableMeasure]:
    return applicable_measures(
        uscc=uscc,
        effects=[Effect.REFUSE],
        category_code=category_code,
        region_code=region_code,
        at=at,
    )


def security_measures(
    *, uscc: str, category_code: str, region_code: str, at: datetime
) -> list[ApplicableMeasure]:
    return applicable_measures(
        uscc=uscc,
        effects=[Effect.RAISE_SECURITY, Effect.REDUCE_SECURITY],
        category_code=category_code,
        region_code=region_code,
        at=at,
    )


# --- Credit files --------------------------------------------------------------------------


def _measures_prefetch() -> Prefetch:
    return Prefetch(
        "measures",
        queryset=Measure.objects.select_related("measure_type", "region").prefetch_related(
            Prefetch("scopes", queryset=MeasureScope.objects.select_related("category")),
            Prefetch("repairs", queryset=CreditRepair.objects.order_by("repaired_at", "pk")),
        ),
    )


def records_of(uscc: str, *, public_only: bool) -> QuerySet[CreditRecord]:
    """An entity's records with their measures, newest first (public ones only if asked)."""
    records = CreditRecord.objects.filter(uscc=uscc).select_related("category", "region")
    if public_only:
        records = records.filter(public=True)
    else:
        records = records.prefetch_related(
            Prefetch("evidence", queryset=EvidenceDocument.objects.order_by("uploaded_at", "pk"))
        )
    return records.prefetch_related(_measures_prefetch()).order_by("-valid_from", "-pk")


def measures_in_force(
    uscc: str, *, at: datetime, public_only: bool, effects: list[str] | None = None
) -> QuerySet[Measure]:
    moment = whole_second(at)
    measures = (
        Measure.objects.filter(uscc=uscc, valid_from__lte=moment)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=moment))
        .select_related("measure_type", "record", "region")
        .prefetch_related(
            Prefetch("scopes", queryset=MeasureScope.objects.select_related("category")),
            Prefetch("repairs", queryset=CreditRepair.objects.order_by("repaired_at", "pk")),
        )
        .order_by("valid_from", "pk")
    )
    if public_only:
        measures = measures.filter(record__public=True)
    if effects is not None:
        measures = measures.filter(effect__in=effects)
    return measures


def published_list(*, at: datetime | None = None) -> QuerySet[Measure]:
    """Public list (E2): entities under a measure whose type is published — market bans and
    the negative list — now in force, from public records only."""
    moment = whole_second(at or timezone.now())
    return (
        Measure.objects.filter(
            measure_type__published_list=True, record__public=True, valid_from__lte=moment
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=moment))
        .select_related("measure_type", "record", "region")
        .prefetch_related(
            Prefetch("scopes", queryset=MeasureScope.objects.select_related("category")),
            Prefetch("repairs", queryset=CreditRepair.objects.order_by("repaired_at", "pk")),
        )
        .order_by("measure_type__ordering", "record__entity_name", "pk")
    )


def entity_for(uscc: str) -> MarketEntity | None:
    return MarketEntity.objects.select_related("region").filter(uscc=uscc).first()


def party_name(uscc: str, entity: MarketEntity | None = None) -> str:
    """The registered name, or else the name the latest record gives the party."""
    if entity is not None:
        return entity.name
    latest = CreditRecord.objects.filter(uscc=uscc).order_by("-valid_from", "-pk").first()
    return latest.entity_name if latest else ""


def score_of(uscc: str, *, at: datetime | None = None) -> ScoreExplanation:
    """The entity's score with each record's part (`credit.scoring`)."""
    moment = at or timezone.now()
    facts = [
        RecordFacts(
            key=record.pk,
            kind=record.kind,
            severity=record.severity,
            decision_no=record.decision_no,
            valid_from=record.valid_from,
            valid_to=record.valid_to,
        )
        for record in CreditRecord.objects.filter(uscc=uscc).order_by("-valid_from", "-pk")
    ]
    refusing = [
        f"{measure.measure_type.name} · {measure.record.decision_no}"
        for measure in measures_in_force(uscc, at=moment, public_only=False).filter(
            measure_type__published_list=True
        )
    ]
    return explain_score(facts, at=moment, refusing_measures=refusing)


def export_records(*, public_only: bool, since: datetime | None = None) -> QuerySet[CreditRecord]:
    records = CreditRecord.objects.select_related("category", "region").prefetch_related(
        _measures_prefetch()
    )
    if public_only:
        records = records.filter(public=True)
    if since is not None:
        records = records.filter(recorded_at__gte=since)
    return records.order_by("recorded_at", "pk")
