"""Reads of the pool: specialties, sub-pools, the values the avoidance filter needs, the rules,
the audit record. Sub-pools (行业子库, 地方子库, F4) are querysets over the one pool.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import orjson
from django.contrib.postgres.aggregates import StringAgg
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import CharField, Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.utils import timezone

from catalog.selectors import rule_by_code
from experts import avoidance, policies, rules
from experts.draw_plan import ALGORITHM_DESCRIPTION
from experts.models import (
    BlacklistEntry,
    ConductRecord,
    DrawInvitation,
    ExpertDraw,
    ExpertProfile,
    ExpertRelation,
    ExpertSpecialty,
    PoolEntry,
    PoolRule,
    Specialty,
    Unavailability,
)
from portal.accounts.models import Role
from portal.centres.models import Region

#: Members of the pool: admitted and not gone. Candidates, refused applicants and retired
#: experts are not in it; suspended and blacklisted members are, and a draw lists them among
#: its exclusions with the reason.
POOL_MEMBER_STATUSES = ("active", "suspended", "blacklisted")

#: Fallbacks when a rule row is missing (the seed migration writes every one of them).
RULE_DEFAULTS = {
    "avoidance.lookback_years": Decimal(3),
    "avoidance.repeat_tenderee_limit": Decimal(0),
    "avoidance.repeat_tenderee_window_days": Decimal(365),
    "invitation.respond_hours": Decimal(12),
    "reveal.lead_minutes": Decimal(30),
    "assessment.period_years": Decimal(2),
    "credit.base": Decimal(100),
    "credit.window_days": Decimal(730),
    "credit.blacklist_below": Decimal(60),
    "blacklist.months": Decimal(12),
}


# --- Specialties and rules -----------------------------------------------------------------


def active_specialties() -> QuerySet[Specialty]:
    return Specialty.objects.filter(is_active=True).select_related("parent").order_by("code")


def specialties_by_code(codes: Iterable[str]) -> dict[str, Specialty]:
    return {s.code: s for s in Specialty.objects.filter(code__in=set(codes), is_active=True)}


def pool_rules() -> dict[str, Decimal]:
    values = dict(RULE_DEFAULTS)
    values.update(PoolRule.objects.values_list("code", "value"))
    return values


def avoidance_rules(category: str, *, values: dict[str, Decimal] | None = None):
    """The avoidance numbers for a project of `category`: the catalog's
    `<category>.avoidance_lookback` (采购条例 第9条 for procurement) where it exists, else the
    pool's own look-back rule."""
    values = values or pool_rules()
    lookback = int(values["avoidance.lookback_years"])
    catalog_rule = rule_by_code(f"{category}.avoidance_lookback") if category else None
    if catalog_rule is not None:
        lookback = int(catalog_rule.value)
    return avoidance.AvoidanceRules(
        lookback_years=lookback,
        repeat_tenderee_limit=int(values["avoidance.repeat_tenderee_limit"]),
    )


def credit_rules(values: dict[str, Decimal] | None = None) -> rules.CreditRules:
    values = values or pool_rules()
    return rules.CreditRules(
        base=int(values["credit.base"]),
        window_days=int(values["credit.window_days"]),
        blacklist_below=int(values["credit.blacklist_below"]),
    )


# --- Regions ---------------------------------------------------------------------------------


def home_area(region: Region) -> Region:
    """The area a project belongs to for the region scope: its city (a county project
    belongs to its city, since counties keep no pool of their own, F4); a province-level
    project's area is the province."""
    if region.level == Region.Level.COUNTY and region.parent_id is not None:
        return region.parent
    return region


def home_region_codes(region: Region) -> frozenset[str]:
    """Codes of the project's area and every region inside it."""
    area = home_area(region)
    codes = Region.objects.filter(
        Q(pk=area.pk) | Q(parent_id=area.pk) | Q(parent__parent_id=area.pk)
    ).values_list("code", flat=True)
    return frozenset(codes)


# --- Sub-pools -------------------------------------------------------------------------------


def _specialty_q(codes: Iterable[str], prefix: str = "specialty__code") -> Q:
    condition = Q(pk__in=[])
    for code in codes:
        condition |= Q(**{f"{prefix}__startswith": code})
    return condition


def sub_pool(
    *,
    specialty_codes: Sequence[str] = (),
    region_codes: Iterable[str] | None = None,
    outside_region_codes: Iterable[str] | None = None,
    statuses: Sequence[str] = POOL_MEMBER_STATUSES,
) -> QuerySet[ExpertProfile]:
    """An industry or regional sub-pool: a view of the one pool, never a copy.

    `specialty_codes` match an expert's specialty or any below it (A01 covers A0101);
    `region_codes` keeps experts of those regions (a local pool), `outside_region_codes`
    those of anywhere else (off-site experts).
    """
    experts = ExpertProfile.objects.filter(status__in=statuses)
    if specialty_codes:
        matching = ExpertSpecialty.objects.filter(_specialty_q(specialty_codes)).values("expert_id")
        experts = experts.filter(pk__in=matching)
    if region_codes is not None:
        experts = experts.filter(region__code__in=list(region_codes))
    if outside_region_codes is not None:
        experts = experts.exclude(region__code__in=list(outside_region_codes))
    return experts


def pool_listing(
    *, specialty_code: str = "", region_code: str = "", status: str = ""
) -> QuerySet[ExpertProfile]:
    """The maintainer's and the supervisor's list: every profile, filtered."""
    experts = ExpertProfile.objects.all()
    if specialty_code:
        matching = ExpertSpecialty.objects.filter(_specialty_q([specialty_code])).values(
            "expert_id"
        )
        experts = experts.filter(pk__in=matching)
    if region_code:
        experts = experts.filter(
            Q(region__code=region_code)
            | Q(region__parent__code=region_code)
            | Q(region__parent__parent__code=region_code)
        )
    if status:
        experts = experts.filter(status=status)
    return (
        experts.select_related("region").prefetch_related("specialties").order_by("full_name", "pk")
    )


# --- What the avoidance filter needs -------------------------------------------------------


def _periods_by_expert(rows: Iterable[tuple[int, datetime, datetime]]) -> dict:
    periods: dict[int, list[avoidance.Period]] = defaultdict(list)
    for expert_id, starts_at, ends_at in rows:
        periods[expert_id].append(avoidance.Period(starts_at, ends_at))
    return {expert_id: tuple(rows) for expert_id, rows in periods.items()}


@dataclass(frozen=True)
class ScreeningFacts:
    """What the records say that could keep an expert from this draw, by expert id: only the
    rows that can matter (relations with the parties, periods meeting the window, confirmed
    invitations for the tenderee lately). An expert absent from every map has nothing on
    record that matters."""

    relations: dict[int, tuple[avoidance.Relation, ...]]
    unavailable: dict[int, tuple[avoidance.Period, ...]]
    booked: dict[int, tuple[avoidance.Period, ...]]
    blacklist: dict[int, tuple[avoidance.Period, ...]]
    recent: dict[int, int]

    def on_record(self) -> set[int]:
        return (
            set(self.relations)
            | set(self.unavailable)
            | set(self.booked)
            | set(self.blacklist)
            | set(self.recent)
        )


#: Up to this many ids `expert_id IN (…)` lists them, so that the planner sees each value and
#: probes each fact table's expert index (the re-check of the ≈ 10 experts a draw invites,
#: instead of hashing the array against every fact row of the window); for more, one array.
FEW_IDS = 64


def _ids_for_in(ids: Iterable[int]):
    """The right-hand side of `expert_id__in` for a list of ids: on PostgreSQL one array
    parameter (thousands of ids cost one placeholder, not thousands), elsewhere, or for a
    few ids, the list."""
    ids = sorted(set(ids))
    if connection.vendor == "postgresql" and len(ids) > FEW_IDS:
        # An array literal written once (the driver adapting a list costs 4x more, per query;
        # orjson prints the ids in decimal between commas faster than `str` on each).
        literal = "{" + orjson.dumps(ids).decode()[1:-1] + "}"
        return RawSQL("SELECT unnest(%s::bigint[])", (literal,))
    return ids


def _fact_rows(
    *,
    window: avoidance.Period,
    drawn_at: datetime,
    parties: avoidance.Parties,
    repeat_window_days: int,
    expert_ids: Iterable[int] | RawSQL | None = None,
    exclude_draw_id: int | None = None,
) -> dict[str, QuerySet]:
    """The rows that can keep an expert from this draw, table by table: relations with the
    parties, unavailable periods and live invitations of other draws meeting the window,
    blacklist periods from the draw to the end of the window, confirmed invitations for the
    tenderee lately. Each is driven by its selective condition, or narrowed to `expert_ids`."""
    party_usccs = sorted({parties.tenderee, parties.agent, *parties.bidders} - {""})
    if expert_ids is None:
        only = {}
    elif isinstance(expert_ids, RawSQL):  # the ids as a subquery already
        only = {"expert_id__in": expert_ids}
    else:
        only = {"expert_id__in": _ids_for_in(expert_ids)}
    live = DrawInvitation.objects.filter(
        state__in=DrawInvitation.LIVE,
        starts_at__lt=window.ends_at,
        ends_at__gt=window.starts_at,
        **only,
    )
    if exclude_draw_id is not None:
        live = live.exclude(draw_id=exclude_draw_id)
    exposure_start = min(drawn_at, window.starts_at)
    since = window.starts_at - timedelta(days=repeat_window_days)
    return {
        "relations": ExpertRelation.objects.filter(entity_uscc__in=party_usccs, **only),
        "unavailable": Unavailability.objects.filter(
            starts_at__lt=window.ends_at, ends_at__gt=window.starts_at, **only
        ),
        "booked": live,
        "blacklist": BlacklistEntry.objects.filter(
            starts_at__lt=window.ends_at, ends_at__gt=exposure_start, **only
        ).exclude(lifted_at__lte=exposure_start),
        "recent": DrawInvitation.objects.filter(
            state=DrawInvitation.State.CONFIRMED,
            draw__tenderee_uscc=parties.tenderee,
            starts_at__gte=since,
            starts_at__lt=window.starts_at,
            **only,
        ),
    }


def screening_facts(
    *,
    window: avoidance.Period,
    drawn_at: datetime,
    parties: avoidance.Parties,
    repeat_window_days: int = 365,
    expert_ids: Iterable[int] | None = None,
    exclude_draw_id: int | None = None,
) -> ScreeningFacts:
    """Five queries (see `_fact_rows`). Rows come in a fixed order (expert, then time or
    id), so the reasons recorded for an exclusion are reproducible."""
    rows = _fact_rows(
        window=window,
        drawn_at=drawn_at,
        parties=parties,
        repeat_window_days=repeat_window_days,
        expert_ids=expert_ids,
        exclude_draw_id=exclude_draw_id,
    )
    declared: dict[int, list[avoidance.Relation]] = defaultdict(list)
    for expert_id, uscc, kind, ended_on in (
        rows["relations"]
        .order_by("expert_id", "pk")
        .values_list("expert_id", "entity_uscc", "kind", "ended_on")
    ):
        declared[expert_id].append(avoidance.Relation(uscc, kind, ended_on))
    periods = {
        name: _periods_by_expert(
            rows[name]
            .order_by("expert_id", "starts_at", "pk")
            .values_list("expert_id", "starts_at", "ends_at")
        )
        for name in ("unavailable", "booked")
    }
    blacklist = _periods_by_expert(
        (e, s, t if lifted is None else min(t, lifted))
        for e, s, t, lifted in rows["blacklist"]
        .order_by("expert_id", "starts_at", "pk")
        .values_list("expert_id", "starts_at", "ends_at", "lifted_at")
    )
    recent = dict(
        rows["recent"]
        .order_by()
        .values("expert_id")
        .annotate(n=Count("id"))
        .values_list("expert_id", "n")
    )
    return ScreeningFacts(
        relations={expert_id: tuple(rows) for expert_id, rows in declared.items()},
        unavailable=periods["unavailable"],
        booked=periods["booked"],
        blacklist=blacklist,
        recent=recent,
    )


#: The columns of the one statement of `screening_facts_at_once`, each table's rows padded
#: to them: (table, expert, entity, relation kind, ended on, starts, ends, lifted, count, id).
_FACT_COLUMNS = {
    "relations": "0, q.c0, q.c1, q.c2, q.c3, NULL::timestamptz, NULL::timestamptz, "
    "NULL::timestamptz, NULL::bigint, q.c4 FROM ({}) AS q(c0, c1, c2, c3, c4)",
    "unavailable": "1, q.c0, NULL, NULL, NULL, q.c1, q.c2, NULL, NULL, q.c3 "
    "FROM ({}) AS q(c0, c1, c2, c3)",
    "booked": "2, q.c0, NULL, NULL, NULL, q.c1, q.c2, NULL, NULL, q.c3 "
    "FROM ({}) AS q(c0, c1, c2, c3)",
    "blacklist": "3, q.c0, NULL, NULL, NULL, q.c1, q.c2, q.c3, NULL, q.c4 "
    "FROM ({}) AS q(c0, c1, c2, c3, c4)",
    "recent": "4, q.c0, NULL, NULL, NULL, NULL, NULL, NULL, q.c1, NULL FROM ({}) AS q(c0, c1)",
}


def screening_facts_at_once(
    *,
    window: avoidance.Period,
    drawn_at: datetime,
    parties: avoidance.Parties,
    repeat_window_days: int = 365,
    expert_ids: Iterable[int] | None = None,
    exclude_draw_id: int | None = None,
) -> ScreeningFacts:
    """`screening_facts` in one round trip on PostgreSQL: the same five queries (`_fact_rows`)
    joined by UNION ALL, in the same order. Elsewhere it is `screening_facts` itself.
    tests/experts/test_screening.py holds the two equal on random pools."""
    arguments = {
        "window": window,
        "drawn_at": drawn_at,
        "parties": parties,
        "repeat_window_days": repeat_window_days,
        "exclude_draw_id": exclude_draw_id,
    }
    if connection.vendor != "postgresql":
        return screening_facts(**arguments, expert_ids=expert_ids)
    if expert_ids is not None:
        expert_ids = list(expert_ids)
        if not expert_ids:
            return ScreeningFacts({}, {}, {}, {}, {})
    # Many ids (a draw's flagged experts): the array is parsed and de-duplicated once, in a
    # CTE that each of the five queries joins, instead of once in each of them.
    prefix, prefix_params = "", []
    if expert_ids is not None and len(expert_ids) > FEW_IDS:
        prefix = "WITH screening_ids AS MATERIALIZED (SELECT DISTINCT unnest(%s::bigint[]) AS id) "
        prefix_params = ["{" + orjson.dumps(sorted(set(expert_ids))).decode()[1:-1] + "}"]
        expert_ids = RawSQL("SELECT id FROM screening_ids", ())
    querysets = _fact_rows(**arguments, expert_ids=expert_ids)
    fields = {
        "relations": ("expert_id", "entity_uscc", "kind", "ended_on", "pk"),
        "unavailable": ("expert_id", "starts_at", "ends_at", "pk"),
        "booked": ("expert_id", "starts_at", "ends_at", "pk"),
        "blacklist": ("expert_id", "starts_at", "ends_at", "lifted_at", "pk"),
    }
    parts, params = [], prefix_params
    for name, columns in _FACT_COLUMNS.items():
        queryset = querysets[name].order_by()
        if name == "recent":
            queryset = queryset.values("expert_id").annotate(n=Count("id"))
            queryset = queryset.values_list("expert_id", "n")
        else:
            queryset = queryset.values_list(*fields[name])
        sql, query_params = queryset.query.sql_with_params()
        parts.append("SELECT " + columns.format(sql))
        params += query_params
    # Ordered as `screening_facts` orders each table: expert, then time (NULL for relations
    # and counts, so the same for all of a table's rows), then id.
    statement = prefix + " UNION ALL ".join(parts) + " ORDER BY 1, 2, 6, 10"
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    declared: dict[int, list[avoidance.Relation]] = defaultdict(list)
    periods: tuple[dict, dict, dict] = (defaultdict(list), defaultdict(list), defaultdict(list))
    recent: dict[int, int] = {}
    period = avoidance.Period
    for table, expert_id, uscc, kind, ended_on, starts_at, ends_at, lifted_at, n, _pk in rows:
        if table == 0:
            declared[expert_id].append(avoidance.Relation(uscc, kind, ended_on))
        elif table == 4:
            recent[expert_id] = n
        else:
            if lifted_at is not None:  # a blacklist period lifted early ends when lifted
                ends_at = min(ends_at, lifted_at)
            periods[table - 1][expert_id].append(period(starts_at, ends_at))
    unavailable, booked, blacklist = (
        {expert_id: tuple(rows) for expert_id, rows in by_expert.items()} for by_expert in periods
    )
    return ScreeningFacts(
        relations={expert_id: tuple(rows) for expert_id, rows in declared.items()},
        unavailable=unavailable,
        booked=booked,
        blacklist=blacklist,
        recent=recent,
    )


def _candidates(
    rows: Iterable[tuple],
    *,
    facts: ScreeningFacts,
    region_codes: dict | None,
    specialty_codes_by_id: dict | None,
) -> list[avoidance.Candidate]:
    """`avoidance.Candidate` values from membership rows (expert, specialty, status, region,
    employer; one per expert and specialty), in ascending id order. Specialty and region
    come as ids translated by the two maps, or, where a map is None, as codes already."""
    by_id: dict[int, list] = {}  # id → [status, region code, employer, [specialty ids]]
    for expert_id, specialty_id, status, region_id, employer_uscc in rows:
        entry = by_id.get(expert_id)
        if entry is None:
            region_code = region_id if region_codes is None else region_codes[region_id]
            by_id[expert_id] = [status, region_code, employer_uscc, [specialty_id]]
        else:
            entry[3].append(specialty_id)
    code_of = (
        (lambda code: code) if specialty_codes_by_id is None else specialty_codes_by_id.__getitem__
    )
    # Most experts have nothing on record: share the empty tuple and the few distinct sets of
    # specialty codes instead of building them for each of tens of thousands of candidates.
    code_sets: dict[tuple, frozenset[str]] = {}
    relations, unavailable, booked = facts.relations, facts.unavailable, facts.booked
    blacklist, recent = facts.blacklist, facts.recent
    candidates = []
    candidate = avoidance.Candidate
    for expert_id in sorted(by_id):
        status, region_code, employer_uscc, specialty_ids = by_id[expert_id]
        key = tuple(sorted(specialty_ids)) if len(specialty_ids) > 1 else tuple(specialty_ids)
        codes = code_sets.get(key)
        if codes is None:
            codes = code_sets[key] = frozenset(map(code_of, key))
        candidates.append(
            candidate(
                expert_id,
                status,
                codes,
                region_code,
                employer_uscc,
                relations.get(expert_id, ()),
                unavailable.get(expert_id, ()),
                booked.get(expert_id, ()),
                blacklist.get(expert_id, ()),
                recent.get(expert_id, 0),
            )
        )
    return candidates


def _fetch(queryset: QuerySet) -> list[tuple]:
    """Rows of a values_list through the cursor, without building values row by row."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # a condition no row can meet (`pk__in=[]`)
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def screening_candidates(
    *,
    window: avoidance.Period,
    drawn_at: datetime,
    parties: avoidance.Parties,
    specialty_codes: Sequence[str] = (),
    scope: str = avoidance.Scope.ANY,
    home_regions: frozenset[str] = frozenset(),
    expert_ids: Iterable[int] | None = None,
    repeat_window_days: int = 365,
    exclude_draw_id: int | None = None,
) -> list[avoidance.Candidate]:
    """The sub-pool of a draw as `avoidance.Candidate` values, read from the source tables
    (profiles and their specialties): the experts of the requested specialties within the
    region scope, or the experts `expert_ids` (re-checking someone about to be invited).

    This is the reference: `screen_sub_pool` must give what `avoidance.screen_pool` gives
    on these candidates (tests/experts/test_screening.py checks it on random pools).
    """
    region_codes = dict(Region.objects.values_list("pk", "code"))
    memberships = ExpertSpecialty.objects.filter(expert__status__in=POOL_MEMBER_STATUSES)
    if expert_ids is not None:
        expert_ids = list(expert_ids)
        memberships = memberships.filter(expert_id__in=expert_ids)
        specialty_codes_by_id = dict(Specialty.objects.values_list("pk", "code"))
    else:
        specialty_codes_by_id = dict(
            Specialty.objects.filter(_specialty_q(specialty_codes, prefix="code")).values_list(
                "pk", "code"
            )
        )
        memberships = memberships.filter(specialty_id__in=list(specialty_codes_by_id))
        home_ids = [pk for pk, code in region_codes.items() if code in home_regions]
        if scope == avoidance.Scope.LOCAL:
            memberships = memberships.filter(expert__region_id__in=home_ids)
        elif scope == avoidance.Scope.REMOTE:
            memberships = memberships.exclude(expert__region_id__in=home_ids)
    rows = _fetch(
        memberships.order_by().values_list(
            "expert_id",
            "specialty_id",
            "expert__status",
            "expert__region_id",
            "expert__employer_uscc",
        )
    )
    if not rows:
        return []
    facts = screening_facts(
        window=window,
        drawn_at=drawn_at,
        parties=parties,
        repeat_window_days=repeat_window_days,
        expert_ids=expert_ids,
        exclude_draw_id=exclude_draw_id,
    )
    return _candidates(
        rows, facts=facts, region_codes=region_codes, specialty_codes_by_id=specialty_codes_by_id
    )


def invitation_candidates(
    *,
    expert_ids: Iterable[int],
    window: avoidance.Period,
    drawn_at: datetime,
    parties: avoidance.Parties,
    repeat_window_days: int = 365,
    exclude_draw_id: int | None = None,
) -> list[avoidance.Candidate]:
    """`screening_candidates(expert_ids=...)` in two round trips instead of eight: the
    experts about to be invited (or seated) read from the screening copy, `PoolEntry`, with
    their region's and specialties' codes joined in, and their facts in one statement
    (`screening_facts_at_once`). tests/experts/test_screening.py holds the two equal."""
    expert_ids = sorted(set(expert_ids))
    if not expert_ids:
        return []
    region_code = Region.objects.filter(pk=OuterRef("region_id")).values("code")[:1]
    specialty_code = Specialty.objects.filter(pk=OuterRef("specialty_id")).values("code")[:1]
    rows = _fetch(
        PoolEntry.objects.filter(expert_id__in=expert_ids, status__in=POOL_MEMBER_STATUSES)
        .annotate(region_code=Subquery(region_code), specialty_code=Subquery(specialty_code))
        .order_by()
        .values_list("expert_id", "specialty_code", "status", "region_code", "employer_uscc")
    )
    if not rows:
        return []
    facts = screening_facts_at_once(
        window=window,
        drawn_at=drawn_at,
        parties=parties,
        repeat_window_days=repeat_window_days,
        expert_ids=expert_ids,
        exclude_draw_id=exclude_draw_id,
    )
    return _candidates(rows, facts=facts, region_codes=None, specialty_codes_by_id=None)


@dataclass(frozen=True)
class SubPoolSplit:
    """A draw's sub-pool as the database splits it (see `screen_sub_pool`)."""

    clear: tuple[tuple[int, ...], ...]  # per group, ascending: nothing on record that matters
    flagged: tuple[avoidance.Candidate, ...]  # everyone else, for the pure filter


def _members_by_group(
    entries, group_specialties: list[list[int]], every_specialty: list[int]
) -> list[list[int]]:
    """Each group's sub-pool as ascending expert ids. On PostgreSQL one statement for every
    group: per specialty its experts as one text of comma-separated ids (one row, decoded at
    once, instead of a row per expert, sorted and de-duplicated by the server, per group);
    elsewhere one query per group."""
    if connection.vendor != "postgresql":
        return [
            [
                row[0]
                for row in _fetch(
                    entries(ids).order_by("expert_id").values_list("expert_id").distinct()
                )
            ]
            for ids in group_specialties
        ]
    by_specialty = {
        specialty_id: orjson.loads(f"[{ids}]")
        for specialty_id, ids in _fetch(
            entries(every_specialty)
            .order_by()
            .values("specialty_id")
            .annotate(ids=StringAgg(Cast("expert_id", CharField()), ","))
            .values_list("specialty_id", "ids")
        )
    }
    members = []
    for ids in group_specialties:
        found = [by_specialty[pk] for pk in ids if pk in by_specialty]
        if len(found) == 1:  # one specialty: each expert holds it once (a unique pair)
            members.append(sorted(found[0]))
        else:
            members.append(sorted(set().union(*found)))
    return members


def split_sub_pool(
    *,
    groups: Sequence[avoidance.GroupRequest],
    window: avoidance.Period,
    drawn_at: datetime,
    parties: avoidance.Parties,
    scope: str,
    home_regions: frozenset[str],
    repeat_window_days: int = 365,
) -> SubPoolSplit:
    """Split the sub-pool of a draw (the experts of each group's specialty, or one below it,
    within the region scope) into the *clear* — active, not employed by a party, with no row
    that `screening_facts` would load — and the *flagged*, everyone else, as
    `avoidance.Candidate` values. Read from `PoolEntry` (one index, no join) and the fact
    tables; a clear expert costs the application an integer, not a candidate."""
    if scope not in avoidance.Scope.ALL:
        raise ValueError(f"unknown region scope {scope!r}")
    specialty_codes_by_id = dict(Specialty.objects.values_list("pk", "code"))
    region_codes = dict(Region.objects.values_list("pk", "code"))
    home_ids = [pk for pk, code in region_codes.items() if code in home_regions]
    party_usccs = sorted({parties.tenderee, parties.agent, *parties.bidders} - {""})

    def entries(specialty_ids: list[int]) -> QuerySet[PoolEntry]:
        rows = PoolEntry.objects.filter(
            specialty_id__in=specialty_ids, status__in=POOL_MEMBER_STATUSES
        )
        if scope == avoidance.Scope.LOCAL:
            rows = rows.filter(region_id__in=home_ids)
        elif scope == avoidance.Scope.REMOTE:
            rows = rows.exclude(region_id__in=home_ids)
        return rows

    group_specialties = [
        [pk for pk, code in specialty_codes_by_id.items() if code.startswith(group.code)]
        for group in groups
    ]
    every_specialty = sorted(set().union(*group_specialties))
    # (1) each group's sub-pool, ascending ids: the index alone answers it
    members = _members_by_group(entries, group_specialties, every_specialty)
    # (2) the flagged members and what the pure filter needs to know of them: not active,
    # employed by a party, or with any row of the fact tables that `screening_facts` reads
    facts_kwargs = {
        "window": window,
        "drawn_at": drawn_at,
        "parties": parties,
        "repeat_window_days": repeat_window_days,
    }
    # One subquery, the fact tables' expert ids appended (one hash to probe per row, not five).
    first, *others = [
        queryset.order_by().values("expert_id") for queryset in _fact_rows(**facts_kwargs).values()
    ]
    on_record = Q(expert_id__in=first.union(*others, all=True))
    rows = _fetch(
        entries(every_specialty)
        .filter(~Q(status=avoidance.ACTIVE) | Q(employer_uscc__in=party_usccs) | on_record)
        .order_by()
        .values_list("expert_id", "specialty_id", "status", "region_id", "employer_uscc")
    )
    flagged = {row[0] for row in rows}
    candidates = []
    if rows:
        facts = screening_facts_at_once(**facts_kwargs, expert_ids=flagged)
        candidates = _candidates(
            rows,
            facts=facts,
            region_codes=region_codes,
            specialty_codes_by_id=specialty_codes_by_id,
        )
    return SubPoolSplit(
        clear=tuple(
            tuple([e for e in ids if e not in flagged]) if flagged else tuple(ids)
            for ids in members
        ),
        flagged=tuple(candidates),
    )


def screen_sub_pool(
    *,
    groups: Sequence[avoidance.GroupRequest],
    window: avoidance.Period,
    drawn_at: datetime,
    parties: avoidance.Parties,
    scope: str,
    home_regions: frozenset[str],
    rules: avoidance.AvoidanceRules,
    repeat_window_days: int = 365,
) -> avoidance.Screening:
    """The screening of a draw: what `avoidance.screen_pool` gives over
    `screening_candidates(...)`, without handing every member of a large sub-pool to Python.

    `split_sub_pool` sets aside the *clear* experts: active, not employed by a party, nothing
    on record that could matter. For exactly such an expert the avoidance rules have nothing
    to say (`avoidance._Screen.reasons` answers at its first test), so he is eligible in each
    group of his. Every other member is screened by `avoidance.screen_pool` itself, which
    decides whether he is eligible and records the reasons if not. The split may send more
    experts to the pure filter than need it, never fewer: SQL alone neither keeps anyone the
    filter would avoid nor excludes anyone (tests/experts/test_screening.py checks both, and
    the equality of the whole result, on random pools in the database).
    """
    split = split_sub_pool(
        groups=groups,
        window=window,
        drawn_at=drawn_at,
        parties=parties,
        scope=scope,
        home_regions=home_regions,
        repeat_window_days=repeat_window_days,
    )
    screened = avoidance.screen_pool(
        split.flagged,
        groups=groups,
        parties=parties,
        window=window,
        drawn_at=drawn_at,
        scope=scope,
        home_regions=home_regions,
        rules=rules,
    )
    return avoidance.Screening(
        eligible=tuple(
            tuple(sorted(clear + kept))
            for clear, kept in zip(split.clear, screened.eligible, strict=True)
        ),
        exclusions=screened.exclusions,
    )


# --- Credit ----------------------------------------------------------------------------------


def credit_score_of(expert: ExpertProfile, *, now: datetime | None = None) -> int:
    now = now or timezone.now()
    facts = [
        rules.ConductFact(kind, points, serious, recorded_at)
        for kind, points, serious, recorded_at in ConductRecord.objects.filter(
            expert=expert
        ).values_list("kind", "points", "serious", "recorded_at")
    ]
    return rules.credit_score(facts, now=now, rules=credit_rules())


def active_blacklist_entry(expert: ExpertProfile, *, now: datetime | None = None):
    now = now or timezone.now()
    return (
        BlacklistEntry.objects.filter(expert=expert, starts_at__lte=now, ends_at__gt=now)
        .filter(Q(lifted_at__isnull=True) | Q(lifted_at__gt=now))
        .first()
    )


# --- Draws -----------------------------------------------------------------------------------


def draws_with_groups() -> QuerySet[ExpertDraw]:
    return ExpertDraw.objects.select_related("centre", "region", "requested_by").prefetch_related(
        "groups"
    )


def draws_for_reader(user) -> QuerySet[ExpertDraw]:
    """The draws a user follows (see `policies.can_view_draw`), newest first."""
    draws = draws_with_groups().order_by("-requested_at", "-pk")
    if not policies.can_read_draws_list(user):
        return draws.none()
    if user.role == Role.CENTRE_STAFF:
        return draws.filter(centre_id=user.centre_id)
    if user.role in {Role.TENDEREE, Role.AGENT}:
        uscc = user.entity.uscc
        return draws.filter(Q(tenderee_uscc=uscc) | Q(parties__agent=uscc))
    return draws


def invitations_for_expert(user) -> QuerySet[DrawInvitation]:
    return (
        DrawInvitation.objects.filter(expert__user=user)
        .exclude(state=DrawInvitation.State.SKIPPED)
        .select_related("draw__centre", "group", "expert")
        .order_by("-invited_at", "-pk")
    )


def holders_of(draw: ExpertDraw) -> dict[int, list[DrawInvitation]]:
    """Live invitations per group position, in invitation order."""
    holders: dict[int, list[DrawInvitation]] = {group.position: [] for group in draw.groups.all()}
    for invitation in (
        draw.invitations.filter(state__in=DrawInvitation.LIVE)
        .select_related("group", "expert__user")
        .order_by("invite_seq")
    ):
        holders[invitation.group.position].append(invitation)
    return holders


def members_of(draw: ExpertDraw) -> list[DrawInvitation]:
    """The members: per group the first `count` live invitations (the rest are reserves).
    After the reveal the reserves are released, so the live invitations are the members."""
    holders = holders_of(draw)
    members = []
    for group in draw.groups.order_by("position"):
        members += holders[group.position][: group.count]
    return members


def drawn_count(draw: ExpertDraw) -> int:
    """How many members the draw seats (what the operation side may know)."""
    return sum(group.count for group in draw.groups.all())


def invitation_summary(draw: ExpertDraw) -> dict[str, int]:
    """Invitations by state, without names (what may be shown while the names are sealed)."""
    counts = dict(
        draw.invitations.values("state").annotate(n=Count("id")).values_list("state", "n")
    )
    return {state: counts.get(state, 0) for state, _label in DrawInvitation.State.choices}


def audit_record(draw: ExpertDraw) -> dict:
    """Everything an auditor needs to re-run the draw with `experts.draw_plan.verify_draw`.

    While the names are sealed the seed is withheld and the invitations are listed without
    their experts; once the evaluation has started the record is complete.
    """
    sealed = draw.is_sealed
    invitations = list(draw.invitations.select_related("group").order_by("invite_seq"))
    vacated = sorted(
        (i for i in invitations if i.vacated_seq is not None), key=lambda i: i.vacated_seq
    )
    return {
        "draw": draw.pk,
        "state": draw.state,
        "algorithm": draw.algorithm,
        "algorithm_description": ALGORITHM_DESCRIPTION,
        "project": draw.project_id,
        "lot": draw.lot_id,
        "category": draw.category,
        "centre": draw.centre_id,
        "requested_by": draw.requested_by_id,
        "requested_at": draw.requested_at,
        "needed_from": draw.needed_from,
        "needed_until": draw.needed_until,
        "region_scope": draw.region_scope,
        "home_regions": draw.home_regions,
        "parties": draw.parties,
        "rules": draw.rules,
        "commitment": draw.commitment,
        "commit_log_seq": draw.commit_log_seq,
        "public_value": draw.public_value,
        "seed": None if sealed else draw.seed_revealed,
        "eligible_digest": draw.eligible_digest,
        "groups": [
            {
                "position": group.position,
                "specialty": group.specialty_code,
                "count": group.count,
                "backups": group.backups,
                "eligible": group.eligible,
                "eligible_digest": group.eligible_digest,
            }
            for group in draw.groups.order_by("position")
        ],
        "exclusions": draw.exclusions,
        "invitations": [
            {
                "seq": invitation.invite_seq,
                "group": invitation.group.position,
                "expert": None if sealed else invitation.expert_id,
                "state": invitation.state,
                "vacated_seq": invitation.vacated_seq,
                "reason": invitation.reason,
            }
            for invitation in invitations
        ],
        "vacancies": None if sealed else [invitation.expert_id for invitation in vacated],
        # The committee, once seated; a cancelled or failed draw has none (its record still
        # re-runs: verify_draw checks the recorded invitations against the algorithm).
        "members": [member.expert_id for member in members_of(draw)]
        if draw.state == ExpertDraw.State.REVEALED
        else None,
        "drawn_at": draw.drawn_at,
        "revealed_at": draw.revealed_at,
        "failure_reason": draw.failure_reason,
    }
