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
        item = {"lot": lot.number, "state": lot.state, "bids_received": lot.received}
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
