"""Supervision's reads. Everything of the operation side is read through the read-only
``supervision`` connection (`READ`), whose PostgreSQL role may only SELECT; supervision's own
tables are read through the default connection that also writes them.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from auctions.models import Bid as AuctionBid
from auctions.models import Listing, Registration
from catalog.models import HolidayCalendarDay, HolidayCalendarYear, StatutoryRule
from catalog.working_days import HolidayCalendar
from credit.models import Effect, MeasureScope
from experts.models import ExpertProfile, ExpertRelation
from portal.accounts.models import Department, Role
from portal.centres.models import Region
from portal.entities.models import MarketEntity
from portal.tradelog.models import TradeLogEntry
from supervision.models import Alert, AlertRule, Case, Complaint
from supervision.rules.facts import (
    AwardFacts,
    BannedRepresentative,
    BidFacts,
    ClarificationFacts,
    EntityFacts,
    EntryFacts,
    GroupMeeting,
    ListingFacts,
    LotFacts,
    MemberFacts,
    RegistrantFacts,
    SecurityFacts,
)
from trading.models import (
    Announcement,
    Award,
    BidSecurity,
    BidSubmission,
    CommitteeMember,
    DepositMovement,
    Lot,
    Project,
)

#: The read-only connection to the operation side.
READ = "supervision"


def entries_after(seq: int, limit: int) -> list[TradeLogEntry]:
    """The next committed trade-log entries after `seq`, in order."""
    return list(
        TradeLogEntry.objects.using(READ)
        .filter(seq__gt=seq)
        .order_by("seq")
        .only(
            "seq",
            "action",
            "object_type",
            "object_id",
            "occurred_at",
            "payload",
            "category",
            "centre_id_ref",
        )[:limit]
    )


def last_seq() -> int:
    entry = TradeLogEntry.objects.using(READ).order_by("-seq").only("seq").first()
    return entry.seq if entry else 0


def alert_rules() -> list[AlertRule]:
    """The whole rule catalog (the registry picks the applicable row per trade)."""
    return list(AlertRule.objects.all())


def statutory_rules_for(category: str, on: date) -> list[StatutoryRule]:
    """The catalog's rules in force for the category (every method: the detectors filter by
    the trade's method below), read through the supervision connection."""
    valid = (Q(valid_from__isnull=True) | Q(valid_from__lte=on)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=on)
    )
    return list(
        StatutoryRule.objects.using(READ)
        .filter(
            valid,
            Q(category__isnull=True)
            | Q(category__code=category)
            | Q(category__subtypes__code=category)
            | Q(category__subtypes__subtypes__code=category),
        )
        .select_related("method")
        .distinct()
    )


def statutory_rules_by_code(codes: list[str], on: date) -> list[StatutoryRule]:
    codes = [c for c in codes if c]
    if not codes:
        return []
    valid = (Q(valid_from__isnull=True) | Q(valid_from__lte=on)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=on)
    )
    return list(StatutoryRule.objects.using(READ).filter(valid, code__in=codes))


def holiday_calendar() -> HolidayCalendar:
    exceptions = dict(HolidayCalendarDay.objects.using(READ).values_list("date", "is_working_day"))
    complete = (
        HolidayCalendarYear.objects.using(READ).filter(complete=True).values_list("year", flat=True)
    )
    return HolidayCalendar(exceptions=exceptions, complete_years=frozenset(complete))


@dataclass(frozen=True)
class HoldSpan:
    """A hold as the trade log saw it: from its `hold.suspended` entry to its `hold.lifted`."""

    hold_id: int
    reason: str
    from_seq: int
    to_seq: int | None = None


def holds_for(entries: Iterable[TradeLogEntry]) -> dict[int, list[HoldSpan]]:
    """The holds of every project the entries name, by trade-log position (one query for a
    whole batch; positions, not clocks, so entries of the same instant are ordered)."""
    ids = {
        e.payload.get("project")
        for e in entries
        if isinstance(e.payload, dict) and isinstance(e.payload.get("project"), int)
    }
    spans: dict[int, dict[str, HoldSpan]] = {}
    if ids:
        for entry in (
            TradeLogEntry.objects.using(READ)
            .filter(action__in=["hold.suspended", "hold.lifted"], payload__project__in=ids)
            .order_by("seq")
        ):
            project = entry.payload["project"]
            held = spans.setdefault(project, {})
            if entry.action == "hold.suspended":
                held[entry.object_id] = HoldSpan(
                    int(entry.object_id), entry.payload.get("reason", ""), entry.seq
                )
            elif entry.object_id in held:
                span = held[entry.object_id]
                held[entry.object_id] = HoldSpan(
                    span.hold_id, span.reason, span.from_seq, entry.seq
                )
    return {project: list(held.values()) for project, held in spans.items()}


def entry_facts(entry: TradeLogEntry, holds: dict[int, list[HoldSpan]]) -> EntryFacts:
    project_id = entry.payload.get("project") if isinstance(entry.payload, dict) else None
    hold = None
    # Only the operation side's own steps count: a complaint or a triage during a hold is
    # what the hold is for.
    if isinstance(project_id, int) and entry.object_type.startswith("trading."):
        for span in holds.get(project_id, []):
            if span.from_seq < entry.seq and (span.to_seq is None or entry.seq < span.to_seq):
                hold = (span.hold_id, span.reason)
                break
    return EntryFacts(
        seq=entry.seq,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        occurred_at=entry.occurred_at,
        payload=entry.payload if isinstance(entry.payload, dict) else {},
        category=entry.category,
        centre_id=entry.centre_id_ref,
        hold_in_force=hold,
    )


def lots_touched(entries: Iterable[TradeLogEntry]) -> dict[int, int]:
    """Lot id → the last entry seq that touched it: an entry naming a lot touches that lot,
    one naming only a project touches every lot of the project."""
    touched: dict[int, int] = {}
    projects: dict[int, int] = {}
    for entry in entries:
        payload = entry.payload if isinstance(entry.payload, dict) else {}
        lot, project = payload.get("lot"), payload.get("project")
        if isinstance(lot, int):
            touched[lot] = entry.seq
        elif isinstance(project, int):
            projects[project] = entry.seq
    if projects:
        for lot_id, project_id in (
            Lot.objects.using(READ).filter(project_id__in=projects).values_list("id", "project_id")
        ):
            touched[lot_id] = max(touched.get(lot_id, 0), projects[project_id])
    return touched


def listings_touched(entries: Iterable[TradeLogEntry]) -> dict[int, int]:
    """Auction listing id → the last entry seq that touched it (auction entries name it)."""
    touched: dict[int, int] = {}
    for entry in entries:
        payload = entry.payload if isinstance(entry.payload, dict) else {}
        listing = payload.get("listing")
        if entry.action.startswith("auction.") and isinstance(listing, int):
            touched[listing] = entry.seq
    return touched


def listing_facts(listing_id: int) -> ListingFacts | None:
    """An auction listing's outcome, registrants, their bids and any registrant sharing a
    legal representative with an entity under a market ban now — all through the read-only
    connection."""
    listing = (
        Listing.objects.using(READ)
        .select_related("category", "method", "winner__entity")
        .filter(pk=listing_id)
        .first()
    )
    if listing is None:
        return None
    bids = dict(
        AuctionBid.objects.using(READ)
        .filter(listing_id=listing_id)
        .values_list("registration_id")
        .annotate(n=Count("id"))
    )
    registrations = list(
        Registration.objects.using(READ).filter(listing_id=listing_id).select_related("entity")
    )
    registrants = tuple(
        RegistrantFacts(
            uscc=r.entity.uscc,
            name=r.entity.name,
            number=r.number,
            deposit_confirmed=r.deposit_confirmed_at is not None,
            legal_representative=r.entity.legal_representative,
            bids=bids.get(r.pk, 0),
        )
        for r in registrations
    )
    return ListingFacts(
        listing_id=listing.pk,
        title=listing.title,
        category=listing.category.code,
        method=(
            "agreement" if "agreement" in (listing.result_method or "") else listing.method.code
        ),
        department=listing.category.supervising_department or Department.DEVELOPMENT_REFORM,
        region_id=listing.region_id,
        centre_id=listing.centre_id,
        state=listing.state,
        starting_price=listing.starting_price,
        increment=listing.increment,
        reserve_price=listing.reserve_price,
        final_price=listing.final_price,
        winner_uscc=listing.winner.entity.uscc if listing.winner_id else "",
        registrants=registrants,
        banned_representatives=_banned_representatives(registrants),
    )


def overdue_candidate_lots() -> list[int]:
    """Lots where a statutory step may be overdue: awarded without a contract, or with a bid
    security still held after the award."""
    awarded = Award.objects.using(READ).values_list("lot_id", flat=True)
    unsigned = Lot.objects.using(READ).filter(pk__in=awarded, contract__isnull=True)
    held = BidSecurity.objects.using(READ).filter(lot_id__in=awarded, state=BidSecurity.State.HELD)
    return sorted(
        set(unsigned.values_list("id", flat=True)) | set(held.values_list("lot_id", flat=True))
    )


def overdue_candidate_listings() -> list[int]:
    """Closed auctions and listings with a deposit still held (received, neither refunded
    nor applied)."""
    return sorted(
        set(
            Registration.objects.using(READ)
            .filter(
                listing__state__in=[Listing.State.SOLD, Listing.State.FAILED],
                deposit_state=Registration.DepositState.CONFIRMED,
            )
            .values_list("listing_id", flat=True)
        )
    )


def listing_overdue_facts(listing_id: int, *, with_rules: dict) -> ListingFacts | None:
    """A listing's facts with what the overdue sweep needs: when it ended, the deposits still
    held, the statutory rules of its category and the holiday calendar."""
    facts = listing_facts(listing_id)
    if facts is None:
        return None
    listing = Listing.objects.using(READ).only("id", "result_at").get(pk=listing_id)
    facts.result_at = listing.result_at
    facts.deposits_held = tuple(
        Registration.objects.using(READ)
        .filter(listing_id=listing_id, deposit_state=Registration.DepositState.CONFIRMED)
        .values_list("entity__uscc", flat=True)
        .order_by("entity__uscc")
    )
    on = (facts.result_at or timezone.now()).date()
    key = (facts.category, on)
    if key not in with_rules:
        with_rules[key] = statutory_rules_for(facts.category, on)
    facts.statutory_rules = [
        r for r in with_rules[key] if r.method_id is None or r.method.code == facts.method
    ]
    if "calendar" not in with_rules:
        with_rules["calendar"] = holiday_calendar()
    facts.calendar = with_rules["calendar"]
    return facts


def _banned_representatives(registrants) -> tuple[BannedRepresentative, ...]:
    names = {r.legal_representative for r in registrants if r.legal_representative}
    if not names:
        return ()
    now = timezone.now()
    namesakes = {
        entity.uscc: entity
        for entity in MarketEntity.objects.using(READ).filter(legal_representative__in=names)
    }
    bans = (
        MeasureScope.objects.using(READ)
        .filter(
            uscc__in=namesakes,
            effect=Effect.REFUSE,
            measure__measure_type__code="market_ban",
            valid_from__lte=now,
            valid_to__gte=now,
        )
        .values_list("uscc", "measure__record__decision_no")
    )
    found = []
    for banned_uscc, decision in bans:
        banned = namesakes[banned_uscc]
        for registrant in registrants:
            if (
                registrant.uscc != banned_uscc
                and registrant.legal_representative == banned.legal_representative
            ):
                found.append(
                    BannedRepresentative(
                        registrant_uscc=registrant.uscc,
                        banned_uscc=banned_uscc,
                        banned_name=banned.name,
                        representative=banned.legal_representative,
                        decision=decision or "",
                    )
                )
    return tuple(dict.fromkeys(found))


def lot_facts(lot_id: int, *, with_rules: dict | None = None) -> LotFacts | None:
    """Everything the lot detectors read about one lot (about a dozen queries)."""
    lot = (
        Lot.objects.using(READ)
        .select_related(
            "project__category", "project__method", "project__tenderee", "project__schedule"
        )
        .filter(pk=lot_id)
        .first()
    )
    if lot is None:
        return None
    project: Project = lot.project
    schedule = getattr(project, "schedule", None)
    bids = list(BidSubmission.objects.using(READ).filter(lot=lot).select_related("entity"))
    entities = {
        b.entity.uscc: EntityFacts(
            uscc=b.entity.uscc,
            name=b.entity.name,
            legal_representative=b.entity.legal_representative,
            contact_phone=b.entity.contact_phone,
            address=b.entity.address,
            bank_account=b.entity.bank_account_number,
        )
        for b in bids
    }
    movements: dict[int, dict[str, object]] = {}
    for security_id, kind, total in (
        DepositMovement.objects.using(READ)
        .filter(security__lot=lot)
        .values_list("security_id", "kind")
        .annotate(total=Sum("amount"))
    ):
        movements.setdefault(security_id, {})[kind] = total
    securities = [
        SecurityFacts(
            uscc=s.entity.uscc,
            amount=s.amount,
            payer_account=s.payer_account,
            state=s.state,
            received_total=movements.get(s.pk, {}).get("received") or s.amount,
            refunded_total=movements.get(s.pk, {}).get("refunded") or 0,
            refunded_at=s.refunded_at,
        )
        for s in BidSecurity.objects.using(READ).filter(lot=lot).select_related("entity")
    ]
    # Never a whole user row: the reader may not see password hashes (only these columns).
    members = list(
        CommitteeMember.objects.using(READ)
        .filter(lot=lot)
        .select_related("user")
        .only("id", "lot_id", "user_id", "is_expert", "user__username", "user__display_name")
    )
    profiles = {
        p.user_id: p
        for p in ExpertProfile.objects.using(READ).filter(user_id__in=[m.user_id for m in members])
    }
    relations: dict[int, list] = {}
    for expert_id, uscc, ended in (
        ExpertRelation.objects.using(READ)
        .filter(expert__in=profiles.values())
        .values_list("expert__user_id", "entity_uscc", "ended_on")
    ):
        relations.setdefault(expert_id, []).append((uscc, ended))
    committee = [
        MemberFacts(
            user_id=m.user_id,
            name=profiles[m.user_id].full_name if m.user_id in profiles else str(m.user),
            is_expert=m.is_expert,
            employer_uscc=profiles[m.user_id].employer_uscc if m.user_id in profiles else "",
            relations=tuple(relations.get(m.user_id, ())),
        )
        for m in members
    ]
    report = getattr(lot, "report", None) if _has(lot, "report") else None
    candidates = (
        Announcement.objects.using(READ)
        .filter(lot=lot, kind=Announcement.Kind.CANDIDATES)
        .order_by("-published_at")
        .first()
    )
    award = Award.objects.using(READ).filter(lot=lot).first()
    contract_signed_at = (
        lot.contract.signed_at if award is not None and _has(lot, "contract") else None
    )
    facts = LotFacts(
        project_id=project.pk,
        project_title=project.title,
        lot_id=lot.pk,
        lot_number=lot.number,
        category=project.category.code,
        method=project.method.code,
        department=project.category.supervising_department or Department.DEVELOPMENT_REFORM,
        region_id=project.region_id,
        centre_id=project.centre_id,
        tenderee_uscc=project.tenderee.uscc,
        funding_source=project.funding_source,
        state=lot.state,
        estimate_amount=lot.estimate_amount,
        bid_security_amount=lot.bid_security_amount,
        documents_issued_at=schedule.documents_issued_at if schedule else None,
        documents_sale_ends_at=schedule.documents_sale_ends_at if schedule else None,
        bid_deadline=schedule.bid_deadline if schedule else None,
        clarifications=_clarifications(project),
        bids=[
            BidFacts(
                id=b.pk,
                uscc=b.entity.uscc,
                state=b.state,
                received_at=b.received_at,
                client_ip=b.client_ip or "",
                device_fingerprint=b.device_fingerprint,
                price=b.price,
                qualified=b.qualified,
                disqualification_reason=b.disqualification_reason,
                document_digests=tuple(
                    d.get("digest", "") for d in (b.documents_manifest or []) if d.get("digest")
                ),
                document_authorship=_authorship(b.documents_metadata),
            )
            for b in bids
        ],
        entities=entities,
        securities=securities,
        committee=committee,
        ranking=[row["bid"] for row in (report.ranking if report else []) if "bid" in row],
        evaluation_completed_at=report.completed_at if report else None,
        candidates_published_at=candidates.published_at if candidates else None,
        candidates_publicity_ends_at=candidates.publicity_ends_at if candidates else None,
        award=AwardFacts(
            bid_id=award.bid_id,
            candidate_rank=award.candidate_rank,
            reason=award.reason,
            awarded_at=award.awarded_at,
        )
        if award
        else None,
        contract_signed_at=contract_signed_at,
    )
    if award is not None:
        facts.group_meetings = _group_meetings(lot, {b.uscc for b in facts.live_bids})
    rules_on = (facts.documents_issued_at or timezone.now()).date()
    cache = with_rules if with_rules is not None else {}
    key = (facts.category, rules_on)
    if key not in cache:
        cache[key] = statutory_rules_for(facts.category, rules_on)
    facts.statutory_rules = [
        r for r in cache[key] if r.method_id is None or r.method.code == facts.method
    ]
    if "calendar" not in cache:
        cache["calendar"] = holiday_calendar()
    facts.calendar = cache["calendar"]
    return facts


def _authorship(records) -> tuple[tuple[str, str, str], ...]:
    """(document, field, value) for every metadata field trading read at the opening."""
    found = []
    for record in records if isinstance(records, list) else []:
        fields = record.get("fields") if isinstance(record, dict) else None
        if not isinstance(fields, dict):
            continue
        for key, value in fields.items():
            if isinstance(value, str) and value:
                found.append((str(record.get("name", "")), str(key), value))
    return tuple(found)


def _has(obj, relation: str) -> bool:
    try:
        getattr(obj, relation)
    except Exception:
        return False
    return True


def _clarifications(project: Project) -> list[ClarificationFacts]:
    logged = {
        e.payload.get("announcement"): e.payload
        for e in TradeLogEntry.objects.using(READ).filter(
            object_type="trading.project",
            object_id=str(project.pk),
            action="project.clarified",
        )
    }
    items = []
    for announcement in Announcement.objects.using(READ).filter(
        project=project, kind__in=[Announcement.Kind.CLARIFICATION, Announcement.Kind.CHANGE]
    ):
        payload = logged.get(announcement.pk, {})
        deadline = payload.get("bid_deadline")
        items.append(
            ClarificationFacts(
                announcement_id=announcement.pk,
                issued_at=announcement.published_at,
                affects_bid_preparation=bool(payload.get("affects_bid_preparation", True)),
                bid_deadline_after=_parse(deadline),
                deadline_pushed=bool(payload.get("deadline_pushed", False)),
            )
        )
    return items


def _parse(value):
    return parse_datetime(value) if isinstance(value, str) else None


def _group_meetings(lot: Lot, group: set[str]) -> list[GroupMeeting]:
    """Other awarded lots on which exactly this group of bidders bid, with their winners."""
    if len(group) < 2:
        return []
    live = BidSubmission.objects.using(READ).exclude(state=BidSubmission.State.WITHDRAWN)
    candidates = (
        live.filter(entity__uscc__in=group)
        .exclude(lot=lot)
        .values("lot_id")
        .annotate(n=Count("entity", distinct=True))
        .filter(n=len(group))
        .values_list("lot_id", flat=True)
    )
    meetings = []
    for other in (
        Award.objects.using(READ)
        .filter(lot_id__in=list(candidates))
        .select_related("bid__entity")
        .order_by("awarded_at")
    ):
        bidders = set(
            live.filter(lot_id=other.lot_id).values_list("entity__uscc", flat=True).distinct()
        )
        if bidders == group:
            meetings.append(GroupMeeting(lot_id=other.lot_id, winner_uscc=other.bid.entity.uscc))
    return meetings


# --- Supervision's own reads (default connection) ------------------------------------------


def region_subtree(region_id: int | None) -> list[int]:
    """The region and every region under it (city → its districts and counties)."""
    if region_id is None:
        return []
    ids, frontier = {region_id}, [region_id]
    while frontier:
        children = list(
            Region.objects.using(READ).filter(parent_id__in=frontier).values_list("id", flat=True)
        )
        frontier = [c for c in children if c not in ids]
        ids.update(frontier)
    return sorted(ids)


def alerts_for(user) -> QuerySet[Alert]:
    """The alerts a regulator sees: their department's, in their region and below.
    Audit and discipline departments see every department's (H4)."""
    alerts = Alert.objects.all()
    if user.role == Role.PLATFORM_ADMIN:
        return alerts
    if user.role != Role.REGULATOR:
        return alerts.none()
    if user.department not in {Department.AUDIT, Department.DISCIPLINE}:
        # Alerts of no department (a break in the trade log) concern every regulator.
        alerts = alerts.filter(Q(department=user.department) | Q(department=""))
    regions = region_subtree(user.region_id)
    return alerts.filter(Q(region_id_ref__in=regions) | Q(region_id_ref__isnull=True))


def cases_for(user) -> QuerySet[Case]:
    cases = Case.objects.all()
    if user.role == Role.PLATFORM_ADMIN:
        return cases
    if user.role != Role.REGULATOR:
        return cases.none()
    if user.department not in {Department.AUDIT, Department.DISCIPLINE}:
        cases = cases.filter(department=user.department)
    regions = region_subtree(user.region_id)
    return cases.filter(Q(region_id_ref__in=regions) | Q(region_id_ref__isnull=True))


def complaints_for(user) -> QuerySet[Complaint]:
    """Complainants see their own; regulators their department's in their region."""
    complaints = Complaint.objects.all()
    if user.role == Role.PLATFORM_ADMIN:
        return complaints
    if user.role == Role.REGULATOR:
        regions = region_subtree(user.region_id)
        return complaints.filter(department=user.department).filter(
            Q(region_id_ref__in=regions) | Q(region_id_ref__isnull=True)
        )
    return complaints.filter(complainant=user)


def entity_by_uscc(uscc: str) -> MarketEntity | None:
    return MarketEntity.objects.using(READ).filter(uscc=uscc).first()


def project_for_complaint(project_id: int) -> Project | None:
    return (
        Project.objects.using(READ)
        .select_related("category", "method")
        .filter(pk=project_id)
        .first()
    )


def trade_history(project_id: int) -> QuerySet[TradeLogEntry]:
    """The project's full trade history: every entry naming it."""
    return (
        TradeLogEntry.objects.using(READ)
        .filter(
            Q(payload__project=project_id)
            | Q(object_type="trading.project", object_id=str(project_id))
        )
        .order_by("seq")
    )


def statistics(alerts: QuerySet[Alert]) -> dict[str, list[dict]]:
    """Alerts counted by rule, region, centre and month (4 grouped queries)."""
    from django.db.models.functions import TruncMonth

    by_rule = list(alerts.values("rule_code").annotate(n=Count("id")).order_by("-n", "rule_code"))
    by_region = list(
        alerts.values("region_id_ref").annotate(n=Count("id")).order_by("-n", "region_id_ref")
    )
    by_centre = list(
        alerts.values("centre_id_ref").annotate(n=Count("id")).order_by("-n", "centre_id_ref")
    )
    by_month = list(
        alerts.annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by("month")
    )
    regions = dict(
        Region.objects.using(READ)
        .filter(pk__in=[r["region_id_ref"] for r in by_region if r["region_id_ref"]])
        .values_list("pk", "name")
    )
    from portal.centres.models import Centre

    centres = dict(
        Centre.objects.using(READ)
        .filter(pk__in=[c["centre_id_ref"] for c in by_centre if c["centre_id_ref"]])
        .values_list("pk", "name")
    )
    for row in by_region:
        row["name"] = regions.get(row["region_id_ref"], "—")
    for row in by_centre:
        row["name"] = centres.get(row["centre_id_ref"], "—")
    return {"rule": by_rule, "region": by_region, "centre": by_centre, "month": by_month}
