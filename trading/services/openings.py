"""The bid opening (开标): scheduled in a venue, online for remote bidders.

At the opening time the host starts the session; lots with fewer bids than the law requires
fail and must be re-tendered; bidders decrypt their own bids within the decryption window;
when the window ends, bids not decrypted are rejected (电子招标投标办法 第31条) and the
opening record — bidders and prices — is published.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.selectors import rule_by_code
from portal import sealing
from portal.centres.models import Venue
from portal.centres.services import book_venue
from trading import document_metadata, policies
from trading.models import (
    Announcement,
    BidSubmission,
    DecryptionAttempt,
    Lot,
    OpeningSession,
    Project,
    Schedule,
)
from trading.services.bids import (
    DecryptionOutcome,
    _attempt_outcome,
    archive_key,
    bid_aad,
    lot_gate,
    unseal_for_opening,
)
from trading.services.common import log, refuse
from trading.state_machine import StateError, check_not_suspended, move

#: What a bid that was not decrypted in time becomes, by the cause of the failure
#: (电子招标投标办法 第31条): the bidder's own failure revokes the bid (撤销); a failure not of
#: its making (a corrupted envelope) counts as withdrawn (撤回) and the bidder may claim losses.
FAILED_DECRYPTION_CONSEQUENCE = {
    None: "revoked",  # never attempted
    DecryptionAttempt.Outcome.WRONG_SECRET: "revoked",
    DecryptionAttempt.Outcome.INVALID_PACKAGE: "revoked",
    DecryptionAttempt.Outcome.CORRUPTED: "withdrawn",
    DecryptionAttempt.Outcome.UNSUPPORTED_SUITE: "withdrawn",
    DecryptionAttempt.Outcome.WRONG_ARCHIVE_KEY: "withdrawn",
    DecryptionAttempt.Outcome.KEY_KIND_MISMATCH: "withdrawn",
}
FAILED_DECRYPTION_SOURCE = "电子招标投标办法 第31条"
CONSEQUENCE_LABELS = {
    "revoked": gettext_lazy("revoked (the bidder's failure)"),
    "withdrawn": gettext_lazy("withdrawn (not the bidder's fault)"),
}

#: The minimum number of bids a lot needs to be opened, by rule code in the catalog.
MIN_BIDDERS_RULES = ("{category}.{method}.min_bidders", "{category}.min_bidders")


def min_bidders(project: Project) -> tuple[int, str]:
    """The legal minimum of bids to open a lot, and its source (1 where the law sets none,
    e.g. single-source procurement)."""
    for pattern in MIN_BIDDERS_RULES:
        rule = rule_by_code(
            pattern.format(category=project.category.code, method=project.method.code)
        )
        if rule is not None:
            return int(rule.value), rule.source
    return 1, ""


@transaction.atomic
def schedule_opening(
    *,
    project: Project,
    actor,
    venue: Venue,
    starts_at: datetime | None = None,
    duration: timedelta = timedelta(hours=2),
    decrypt_window_minutes: int = 30,
) -> OpeningSession:
    """Centre staff book a venue for the opening (never double-booked, B4)."""
    project = (
        Project.objects.select_for_update(of=("self",))
        .select_related("category")
        .get(pk=project.pk)
    )
    if not policies.is_centre_staff_of(actor, project):
        raise refuse(
            _("Only staff of the project's centre schedule its opening."),
            "permission_denied",
            status=403,
        )
    check_not_suspended(project)
    if venue.centre_id != project.centre_id:
        raise refuse(_("The venue belongs to another centre."), "venue_invalid", "venue")
    schedule = Schedule.objects.filter(project=project).first()
    if schedule is None or project.state != Project.State.ANNOUNCED:
        raise StateError(
            _("The tender must be announced first."), code="invalid_state", status_code=409
        )
    starts_at = starts_at or schedule.opening_at
    if starts_at < schedule.bid_deadline:
        raise refuse(
            _("The opening cannot start before the bid deadline."),
            "opening_before_deadline",
            "starts_at",
        )
    if not 5 <= decrypt_window_minutes <= 240:
        raise refuse(
            _("The decryption window is between 5 and 240 minutes."),
            "window_invalid",
            "decrypt_window_minutes",
        )
    if OpeningSession.objects.filter(project=project).exists():
        raise refuse(_("The opening is already scheduled."), "opening_exists", status=409)
    booking = book_venue(
        venue=venue,
        actor=actor,
        starts_at=starts_at,
        ends_at=starts_at + duration,
        purpose=_("Bid opening: %(title)s") % {"title": project.title},
    )
    session = OpeningSession.objects.create(
        project=project,
        booking=booking,
        starts_at=starts_at,
        decrypt_window_minutes=decrypt_window_minutes,
        host=actor,
    )
    log(
        "opening.scheduled",
        session,
        actor=actor,
        project=project,
        venue=venue.pk,
        starts_at=starts_at,
    )
    return session


def _lock_session(session: OpeningSession) -> OpeningSession:
    return (
        OpeningSession.objects.select_for_update(of=("self",))
        .select_related("project__category", "project__method")
        .get(pk=session.pk)
    )


@transaction.atomic
def start_opening(*, session: OpeningSession, actor) -> OpeningSession:
    """Open the session at (or after) its time: lots short of bidders fail; the others wait
    for their bidders to decrypt."""
    session = _lock_session(session)
    project = session.project
    if not policies.is_centre_staff_of(actor, project):
        raise refuse(
            _("Only staff of the project's centre host its opening."),
            "permission_denied",
            status=403,
        )
    check_not_suspended(project)
    now = timezone.now()
    if session.state != OpeningSession.State.SCHEDULED:
        raise StateError(
            _("The opening has already started."), code="invalid_state", status_code=409
        )
    if now < session.starts_at:
        raise StateError(_("It is not yet the opening time."), code="too_early", status_code=409)
    schedule = Schedule.objects.get(project=project)
    if now < schedule.bid_deadline:
        raise StateError(_("Bids are still open."), code="too_early", status_code=409)
    minimum, source = min_bidders(project)
    # Close the bid box first: wait for bids still committing (they hold the gate shared and
    # a key-share lock on their lot), and only then lock the lots, so the two never deadlock.
    for lot_id in project.lots.order_by("pk").values_list("pk", flat=True):
        lot_gate(lot_id, exclusive=True)
    lots = list(project.lots.select_for_update(of=("self",)).order_by("number"))
    outcome = {}
    for lot in lots:
        if lot.state != Lot.State.BIDDING:
            continue
        received = lot.bids.filter(state=BidSubmission.State.SUBMITTED).count()
        if received < minimum:
            lot.failure_reason = _(
                "%(received)d bid(s) received, fewer than the %(minimum)d required (%(source)s)."
            ) % {"received": received, "minimum": minimum, "source": source}
            lot.save(update_fields=["failure_reason"])
            move(
                lot,
                "fail",
                actor=actor,
                payload={"bids_received": received, "minimum": minimum, "source": source},
            )
            _publish_failure(lot, actor)
            outcome[lot.number] = "failed"
        else:
            move(lot, "start_opening", actor=actor, payload={"bids_received": received})
            outcome[lot.number] = "decrypting"
    session.state = OpeningSession.State.DECRYPTING
    session.started_at = now
    session.save(update_fields=["state", "started_at"])
    log(
        "opening.started",
        session,
        actor=actor,
        project=project,
        lots=outcome,
        window_ends_at=now + timedelta(minutes=session.decrypt_window_minutes),
    )
    return session


def _publish_failure(lot: Lot, actor) -> Announcement:
    return Announcement.objects.create(
        project=lot.project,
        lot=lot,
        kind=Announcement.Kind.FAILURE,
        title=_("Failure notice: %(project)s, lot %(number)s")
        % {"project": lot.project.title, "number": lot.number},
        body=lot.failure_reason,
        published_at=timezone.now(),
        published_by=actor,
        data={"lot": lot.number, "reason": lot.failure_reason},
    )


def window_ends_at(session: OpeningSession) -> datetime | None:
    if session.started_at is None:
        return None
    return session.started_at + timedelta(minutes=session.decrypt_window_minutes)


@transaction.atomic
def decrypt_bid(*, bid: BidSubmission, actor, secret: str) -> DecryptionOutcome:
    """The bidder decrypts its own bid at the opening, within the window. Every attempt is
    logged with its outcome; the outcome is returned (not raised) so the log is kept."""
    bid = (
        BidSubmission.objects.select_for_update(of=("self",))
        .select_related("lot__project__category", "entity")
        .get(pk=bid.pk)
    )
    if not (policies.is_bidder(actor) and actor.entity_id == bid.entity_id):
        raise refuse(_("Only the bidder decrypts its bid."), "permission_denied", status=403)
    project = bid.lot.project
    session = OpeningSession.objects.filter(project=project).first()
    now = timezone.now()
    ends = session and window_ends_at(session)
    if bid.state == BidSubmission.State.DECRYPTED:
        return DecryptionOutcome(True, DecryptionAttempt.Outcome.SUCCESS, _("Already decrypted."))
    if (
        session is None
        or session.state != OpeningSession.State.DECRYPTING
        or bid.state != BidSubmission.State.SUBMITTED
        or bid.lot.state != Lot.State.OPENING
        or now > ends
    ):
        message = _("Decryption is possible only during the opening's decryption window.")
        DecryptionAttempt.objects.create(
            bid=bid,
            attempted_by=actor,
            outcome=DecryptionAttempt.Outcome.OUTSIDE_WINDOW,
            detail=message,
        )
        return DecryptionOutcome(False, DecryptionAttempt.Outcome.OUTSIDE_WINDOW, message)
    aad = bid_aad(bid.lot, bid.entity.uscc)
    try:
        envelope, package = unseal_for_opening(bid, secret)
        archived = sealing.rewrap_for_archive(
            envelope,
            secret,
            aad=aad,
            archive_key=archive_key(),
            expected_digest=bid.envelope_digest,
        )
    except sealing.UnsealError as exc:
        cause = _attempt_outcome(exc)
        DecryptionAttempt.objects.create(
            bid=bid, attempted_by=actor, outcome=cause, detail=str(exc)[:300]
        )
        log(
            "bid.decryption_failed",
            bid,
            actor=actor,
            project=project,
            lot_id=bid.lot_id,
            cause=cause,
        )
        return DecryptionOutcome(False, cause, str(exc))
    # The bidder's secret is not kept: the envelope is re-wrapped for the committee and archive.
    default_storage.delete(bid.envelope.name)
    default_storage.save(bid.envelope.name, ContentFile(archived.to_bytes()))
    manifest = package.manifest
    bid.price = Decimal(manifest["price"])
    bid.documents_manifest = manifest.get("documents", [])
    bid.documents_metadata = document_metadata.documents_metadata(
        bid.documents_manifest, list(package.documents)
    )
    bid.state = BidSubmission.State.DECRYPTED
    bid.decrypted_at = now
    bid.archive_wrapped = True
    bid.save(
        update_fields=[
            "price",
            "documents_manifest",
            "documents_metadata",
            "state",
            "decrypted_at",
            "archive_wrapped",
        ]
    )
    DecryptionAttempt.objects.create(
        bid=bid, attempted_by=actor, outcome=DecryptionAttempt.Outcome.SUCCESS
    )
    log(
        "bid.decrypted",
        bid,
        actor=actor,
        project=project,
        lot_id=bid.lot_id,
        bidder=bid.entity.uscc,
        price=bid.price,
        decrypted_at=now,
        documents_metadata=bid.documents_metadata,
    )
    return DecryptionOutcome(True, DecryptionAttempt.Outcome.SUCCESS)


@transaction.atomic
def close_opening(
    *, session: OpeningSession, actor=None, force: bool = False
) -> OpeningSession | None:
    """End the decryption window: bids not decrypted are rejected, the opening record is
    published. Runs when the window has passed (by the due-events sweep, or the host), or
    earlier when every bid is decrypted. Idempotent: a closed session is left alone."""
    session = _lock_session(session)
    if session.state != OpeningSession.State.DECRYPTING:
        return None
    project = session.project
    if actor is not None and not policies.is_centre_staff_of(actor, project):
        raise refuse(
            _("Only staff of the project's centre host its opening."),
            "permission_denied",
            status=403,
        )
    now = timezone.now()
    pending = BidSubmission.objects.filter(
        lot__project=project, lot__state=Lot.State.OPENING, state=BidSubmission.State.SUBMITTED
    )
    if now <= window_ends_at(session) and pending.exists() and not force:
        raise StateError(_("Bidders are still decrypting."), code="window_open", status_code=409)
    for bid in pending.select_for_update(of=("self",)).select_related("entity"):
        # The cause is the last failed attempt at the opening (test decryptions don't count).
        failures = [outcome for outcome in FAILED_DECRYPTION_CONSEQUENCE if outcome]
        last = (
            bid.attempts.filter(outcome__in=failures, is_test=False)
            .order_by("-attempted_at")
            .first()
        )
        cause = last.outcome if last else None
        consequence = FAILED_DECRYPTION_CONSEQUENCE.get(cause, "revoked")
        bid.state = BidSubmission.State.REJECTED
        bid.rejection_reason = _(
            "Not decrypted within the window (%(cause)s): treated as %(consequence)s (%(source)s)."
        ) % {
            "cause": DecryptionAttempt.Outcome(cause).label if cause else _("no attempt"),
            "consequence": CONSEQUENCE_LABELS[consequence],
            "source": FAILED_DECRYPTION_SOURCE,
        }
        bid.save(update_fields=["state", "rejection_reason"])
        log(
            "bid.rejected_not_decrypted",
            bid,
            actor=actor,
            project=project,
            lot_id=bid.lot_id,
            bidder=bid.entity.uscc,
            cause=cause,
            consequence=consequence,
            source=FAILED_DECRYPTION_SOURCE,
        )
    for lot in (
        project.lots.select_for_update(of=("self",))
        .filter(state=Lot.State.OPENING)
        .order_by("number")
    ):
        opened = list(
            lot.bids.filter(state=BidSubmission.State.DECRYPTED)
            .select_related("entity")
            .order_by("received_at")
        )
        if not opened:
            lot.failure_reason = _("No bid could be decrypted.")
            lot.save(update_fields=["failure_reason"])
            move(lot, "fail", actor=actor, payload={"decrypted": 0})
            _publish_failure(lot, actor)
            continue
        move(lot, "close_opening", actor=actor, payload={"decrypted": len(opened)})
        if not project.method.public_opening:
            continue  # the panel opens the responses; nothing is read out in public
        rejected = lot.bids.filter(state=BidSubmission.State.REJECTED).select_related("entity")
        Announcement.objects.create(
            project=project,
            lot=lot,
            kind=Announcement.Kind.OPENING_RECORD,
            title=_("Bid-opening record: %(project)s, lot %(number)s")
            % {"project": project.title, "number": lot.number},
            body=_("%(count)d bid(s) opened.") % {"count": len(opened)},
            published_at=now,
            published_by=actor,
            data={
                "lot": lot.number,
                "bids": [
                    {
                        "bidder": b.entity.name,
                        "uscc": b.entity.uscc,
                        "price": str(b.price),
                        "received_at": b.received_at.isoformat(),
                        "decrypted_at": b.decrypted_at.isoformat(),
                    }
                    for b in opened
                ],
                "rejected": [
                    {"bidder": b.entity.name, "uscc": b.entity.uscc, "reason": b.rejection_reason}
                    for b in rejected
                ],
            },
        )
    session.state = OpeningSession.State.CLOSED
    session.closed_at = now
    session.save(update_fields=["state", "closed_at"])
    log("opening.closed", session, actor=actor, project=project)
    return session


def close_due_openings(now: datetime | None = None) -> int:
    """The due-events sweep: close every session whose decryption window has passed.
    Safe to run from several workers at once (each session is locked and re-checked)."""
    now = now or timezone.now()
    closed = 0
    for session in OpeningSession.objects.filter(state=OpeningSession.State.DECRYPTING):
        if window_ends_at(session) < now and close_opening(session=session) is not None:
            closed += 1
    return closed
