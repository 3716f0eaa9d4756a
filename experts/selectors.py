"""Reads of the pool: specialties, sub-pools, the values the avoidance filter needs, the rules,
the audit record. Sub-pools (行业子库, 地方子库, F4) are querysets over the one pool.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Q, QuerySet
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
    """The sub-pool of a draw as `avoidance.Candidate` values (six queries whatever the
    pool's size): the experts of the requested specialties within the region scope, or the
    experts `expert_ids` (re-checking someone about to be invited). Only the rows that can
    matter are loaded: relations with the parties, and periods that meet the window.
    """
    # Small lookups first, so that the big query joins no more than it must.
    region_codes = dict(Region.objects.values_list("pk", "code"))
    memberships = ExpertSpecialty.objects.filter(expert__status__in=POOL_MEMBER_STATUSES)
    if expert_ids is not None:
        memberships = memberships.filter(expert_id__in=list(expert_ids))
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
    # (1) the sub-pool, one row per expert and matching specialty. Tens of thousands of rows
    # for a large pool: read through the cursor, without building model values row by row.
    sql, params = memberships.values_list(
        "expert_id",
        "specialty_id",
        "expert__status",
        "expert__region_id",
        "expert__employer_uscc",
    ).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    by_id: dict[int, list] = {}  # id → [id, status, region code, employer, [specialty ids]]
    for expert_id, specialty_id, status, region_id, employer_uscc in rows:
        entry = by_id.get(expert_id)
        if entry is None:
            by_id[expert_id] = [
                expert_id,
                status,
                region_codes[region_id],
                employer_uscc,
                [specialty_id],
            ]
        else:
            entry[4].append(specialty_id)
    if not by_id:
        return []
    experts = [by_id[expert_id] for expert_id in sorted(by_id)]
    ids = by_id.keys()
    party_usccs = {parties.tenderee, parties.agent, *parties.bidders} - {""}
    # Re-checking a few experts: narrow every query to them; screening a sub-pool: the time
    # window and the parties are the selective conditions, and rows of experts outside the
    # sub-pool are dropped here.
    only = {"expert_id__in": sorted(ids)} if expert_ids is not None else {}
    # (2) declared relations with a party
    declared: dict[int, list[avoidance.Relation]] = defaultdict(list)
    for expert_id, uscc, kind, ended_on in ExpertRelation.objects.filter(
        entity_uscc__in=party_usccs, **only
    ).values_list("expert_id", "entity_uscc", "kind", "ended_on"):
        if expert_id in ids:
            declared[expert_id].append(avoidance.Relation(uscc, kind, ended_on))
    relations = {expert_id: tuple(rows) for expert_id, rows in declared.items()}
    # (3) unavailable periods meeting the window
    unavailable = _periods_by_expert(
        (e, s, t)
        for e, s, t in Unavailability.objects.filter(
            starts_at__lt=window.ends_at, ends_at__gt=window.starts_at, **only
        ).values_list("expert_id", "starts_at", "ends_at")
        if e in ids
    )
    # (4) live invitations of other draws meeting the window
    live = DrawInvitation.objects.filter(
        state__in=DrawInvitation.LIVE,
        starts_at__lt=window.ends_at,
        ends_at__gt=window.starts_at,
        **only,
    )
    if exclude_draw_id is not None:
        live = live.exclude(draw_id=exclude_draw_id)
    booked = _periods_by_expert(
        (e, s, t) for e, s, t in live.values_list("expert_id", "starts_at", "ends_at") if e in ids
    )
    # (5) blacklist periods from the draw to the end of the window
    exposure_start = min(drawn_at, window.starts_at)
    blacklist = _periods_by_expert(
        (e, s, t if lifted is None else min(t, lifted))
        for e, s, t, lifted in BlacklistEntry.objects.filter(
            starts_at__lt=window.ends_at, ends_at__gt=exposure_start, **only
        )
        .exclude(lifted_at__lte=exposure_start)
        .values_list("expert_id", "starts_at", "ends_at", "lifted_at")
        if e in ids
    )
    # (6) how often each has served this tenderee lately
    since = window.starts_at - timedelta(days=repeat_window_days)
    recent = dict(
        DrawInvitation.objects.filter(
            state=DrawInvitation.State.CONFIRMED,
            draw__tenderee_uscc=parties.tenderee,
            starts_at__gte=since,
            starts_at__lt=window.starts_at,
            **only,
        )
        .values("expert_id")
        .annotate(n=Count("id"))
        .values_list("expert_id", "n")
    )
    # Most experts have nothing on record: share the empty tuple and the few distinct sets of
    # specialty codes instead of building them for each of tens of thousands of candidates.
    code_sets: dict[tuple, frozenset[str]] = {}
    candidates = []
    for expert_id, status, region_code, employer_uscc, specialty_ids in experts:
        key = tuple(specialty_ids)
        codes = code_sets.get(key)
        if codes is None:
            codes = code_sets[key] = frozenset(map(specialty_codes_by_id.__getitem__, key))
        candidates.append(
            avoidance.Candidate(
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
