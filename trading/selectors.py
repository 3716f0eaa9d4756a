"""Reads of trading data, with who-may-see-what applied (sealed until the opening)."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from trading import policies
from trading.models import Announcement, BidSubmission, Lot, Project

#: Lot states in which the bids are still sealed: nobody sees who bid or how much.
SEALED_LOT_STATES = frozenset({Lot.State.PREPARING, Lot.State.BIDDING, Lot.State.OPENING})
#: Project states in which the project is public.
PUBLIC_PROJECT_STATES = frozenset(
    {Project.State.ANNOUNCED, Project.State.CLOSED, Project.State.ARCHIVED}
)


def run_due_events() -> None:
    """Due events also happen when nobody runs Celery beat (the embedded default): reads of
    a trade first close what has fallen due. Cheap when nothing is due (one indexed query)."""
    from trading.services.openings import close_due_openings

    close_due_openings()


def project_detail(project_id: int) -> Project:
    return (
        Project.objects.select_related(
            "category", "method", "tenderee", "agent", "centre", "region", "schedule"
        )
        .prefetch_related(Prefetch("lots", queryset=Lot.objects.order_by("number")))
        .get(pk=project_id)
    )


def project_for_reader(user, project_id: int) -> Project:
    """The project if `user` may read it: anyone once announced; before, its parties and the
    staff of its centre. Outsiders get a 404, not a hint that it exists."""
    run_due_events()
    try:
        project = project_detail(project_id)
    except Project.DoesNotExist as exc:
        raise Http404 from exc
    if project.state in PUBLIC_PROJECT_STATES:
        return project
    if policies.is_project_party(user, project) or policies.is_centre_staff_of(user, project):
        return project
    raise Http404


def bids_visible_to(user, project: Project) -> list[dict]:
    """Per lot, what this reader may know of the bids.

    While a lot is sealed: the count of bids received, and — for a bidder — its own bids'
    receipts. Never who else bid or any price. After the opening: the bids with bidders,
    states and (decrypted) prices, as the opening record publishes them.
    """
    lots = project.lots.order_by("number").annotate(
        received=Count("bids", filter=Q(bids__state=BidSubmission.State.SUBMITTED))
    )
    own_entity = user.entity_id if policies.is_bidder(user) else None
    # Without a public opening (negotiation, consultation, inquiry, single source) only the
    # centre, the purchaser and the panel see the responses.
    insider = (
        policies.is_project_party(user, project)
        or policies.is_centre_staff_of(user, project)
        or policies.sits_on_committee(user, project)
    )
    sees_bids = project.method.public_opening or insider
    result = []
    for lot in lots:
        item = {"lot": lot.number, "state": lot.state}
        # The number of bidders is not disclosed while the box is sealed (招标投标法 第22条),
        # except to the centre and the tenderee, who run the opening.
        if insider or lot.state not in SEALED_LOT_STATES:
            item["bids_received"] = lot.received
        if own_entity is not None:
            item["own"] = [
                {
                    "id": b.pk,
                    "state": b.state,
                    "receipt_digest": b.receipt_digest,
                    "received_at": b.received_at,
                    "envelope_digest": b.envelope_digest,
                }
                for b in lot.bids.filter(entity_id=own_entity).order_by("received_at")
            ]
        if lot.state not in SEALED_LOT_STATES and sees_bids:
            item["bids"] = [
                {
                    "id": b.pk,
                    "bidder": b.entity.name,
                    "uscc": b.entity.uscc,
                    "state": b.state,
                    "price": None if b.price is None else str(b.price),
                    "received_at": b.received_at,
                    "qualified": b.qualified,
                    "disqualification_reason": b.disqualification_reason,
                    "rejection_reason": b.rejection_reason,
                }
                for b in lot.bids.exclude(state=BidSubmission.State.WITHDRAWN)
                .select_related("entity")
                .order_by("received_at")
            ]
        result.append(item)
    return result


def published_announcements(
    *,
    category: str | None = None,
    kind: str | None = None,
    region: str | None = None,
    centre: str | None = None,
    project: str | None = None,
) -> QuerySet[Announcement]:
    queryset = Announcement.objects.select_related("project__category", "lot").order_by(
        "-published_at", "-id"
    )
    if category:
        queryset = queryset.filter(
            Q(project__category__code=category) | Q(project__category__parent__code=category)
        )
    if kind:
        queryset = queryset.filter(kind=kind)
    if region:
        queryset = queryset.filter(
            Q(project__region__code=region) | Q(project__region__parent__code=region)
        )
    if centre:
        queryset = queryset.filter(project__centre__code=centre)
    if project and str(project).isdigit():
        queryset = queryset.filter(project_id=int(project))
    return queryset


# --- Reads of the web pages (trading.views) --------------------------------------------------


def matching_announcements(
    *,
    text: str = "",
    category: str | None = None,
    kind: str | None = None,
    region: str | None = None,
) -> QuerySet[Announcement]:
    """The public list: `published_announcements` and the words of the title. A plain
    `icontains` for now; Chinese full-text search (segmentation) replaces it later."""
    queryset = published_announcements(category=category, kind=kind, region=region)
    text = (text or "").strip()
    if text:
        queryset = queryset.filter(title__icontains=text)
    return queryset.select_related("project__region")


def project_history(project: Project) -> list[dict]:
    """Everything published about a project, oldest first: the tender announcement,
    clarifications and changes, opening records, candidates, the result, contracts — and the
    performance records (履约信息) published after them."""
    from trading.models import PerformanceRecord

    announcements = (
        project.announcements.select_related("lot")
        .prefetch_related("documents")
        .order_by("published_at", "id")
    )
    entries = [{"at": a.published_at, "order": 0, "announcement": a} for a in announcements]
    entries += [
        {"at": record.recorded_at, "order": 1, "performance": record}
        for record in PerformanceRecord.objects.filter(contract__lot__project=project)
        .select_related("contract__lot")
        .order_by("recorded_at", "id")
    ]
    entries.sort(key=lambda entry: (entry["at"], entry["order"]))
    return entries


def lot_bids_visible_to(user, lot: Lot) -> dict:
    """`bids_visible_to` for one lot (the same rules: sealed until its opening)."""
    return next(item for item in bids_visible_to(user, lot.project) if item["lot"] == lot.number)


def bids_of_bidder(user) -> QuerySet[BidSubmission]:
    """A bidder's own bids (its entity's) on every project, newest first. Only its own:
    the receipts, never another bidder's name or price."""
    if not policies.is_bidder(user):
        return BidSubmission.objects.none()
    return (
        BidSubmission.objects.filter(entity_id=user.entity_id)
        .select_related(
            "lot__project__schedule", "lot__project__opening", "lot__project__method", "award"
        )
        .order_by("-received_at", "-id")
    )


def _lots_with_bid_counts():
    """Lots with the number of sealed bids received: a count, never who or how much."""
    return Lot.objects.order_by("number").annotate(
        received=Count("bids", filter=Q(bids__state=BidSubmission.State.SUBMITTED)),
        opened=Count("bids", filter=Q(bids__state=BidSubmission.State.DECRYPTED)),
    )


def projects_of_party(user) -> QuerySet[Project]:
    """The projects a tenderee's or agent's entity brings, newest first."""
    if user.entity_id is None:
        return Project.objects.none()
    return (
        Project.objects.filter(Q(tenderee_id=user.entity_id) | Q(agent_id=user.entity_id))
        .select_related("category", "method", "centre", "tenderee", "schedule", "opening")
        .prefetch_related(Prefetch("lots", queryset=_lots_with_bid_counts()))
        .order_by("-created_at", "-id")
    )


def centre_project_queue(centre) -> QuerySet[Project]:
    """A centre's projects still in its hands (archived and cancelled ones leave the queue),
    oldest first, so what waits longest comes first."""
    return (
        Project.objects.filter(centre=centre)
        .exclude(state__in=[Project.State.ARCHIVED, Project.State.CANCELLED])
        .select_related("category", "method", "tenderee", "schedule", "opening")
        .prefetch_related(Prefetch("lots", queryset=_lots_with_bid_counts()))
        .order_by("created_at", "id")
    )


def opening_progress(session) -> list[dict]:
    """Per lot of an opening, how many bids are decrypted, pending or rejected: counts only,
    so the live status reveals nobody's name or price."""
    lots = session.project.lots.order_by("number").annotate(
        decrypted=Count("bids", filter=Q(bids__state=BidSubmission.State.DECRYPTED)),
        pending=Count("bids", filter=Q(bids__state=BidSubmission.State.SUBMITTED)),
        rejected=Count("bids", filter=Q(bids__state=BidSubmission.State.REJECTED)),
    )
    return [
        {
            "number": lot.number,
            "name": lot.name,
            "state": lot.state,
            "state_label": lot.get_state_display(),
            "decrypted": lot.decrypted,
            "pending": lot.pending,
            "rejected": lot.rejected,
        }
        for lot in lots
    ]


def decryption_window(session, now=None) -> dict:
    """The decryption window on the server clock (the only clock): when it ends and how many
    seconds remain."""
    from datetime import timedelta

    from django.utils import timezone

    now = now or timezone.now()
    if session.started_at is None:
        return {"ends_at": None, "remaining_seconds": None, "open": False}
    ends_at = session.started_at + timedelta(minutes=session.decrypt_window_minutes)
    remaining = max(0, int((ends_at - now).total_seconds()))
    return {
        "ends_at": ends_at,
        "remaining_seconds": remaining,
        "open": session.state == session.State.DECRYPTING and now <= ends_at,
    }


def evaluations_of_member(user) -> QuerySet:
    """The lots whose evaluation committee the user sits on, newest first."""
    from trading.models import CommitteeMember

    return (
        CommitteeMember.objects.filter(user=user)
        .select_related("lot__project", "lot__report")
        .order_by("-lot__project__created_at", "lot__number")
    )


def deadline_if_clarified(project: Project, at=None):
    """The bid deadline a clarification that affects the preparation of bids would give if
    published at `at` (now): the service pushes it this far (招标投标法 第23条)."""
    from django.utils import timezone

    from trading.services.projects import pushed_deadline

    schedule = project.schedule
    return pushed_deadline(project, at or timezone.now(), schedule.bid_deadline)
