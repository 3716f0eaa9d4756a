"""Web pages of sealed-bid trading: the public announcements and project pages, and the
pages of bidders, tenderees and agents, centre staff and evaluation experts.

Views parse and render, as the API does: every write is a service call, every rule and
permission lives in the services, `trading.policies` and `trading.selectors`. Bid listings
come from `selectors.bids_visible_to` (sealed until the opening) or selectors built on it.
"""

import json
import re
from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog.rules import field_label
from portal import proxy
from portal.accounts.models import Role, User
from portal.accounts.policies import can_manage_centre
from portal.errors import ApplicationError
from portal.views import add_service_errors
from trading import evaluation, policies, selectors
from trading.forms import (
    AnnouncementFilterForm,
    AnnouncementForm,
    AwardForm,
    BidForm,
    ClarificationForm,
    CommitteeFormSet,
    ContractForm,
    LotFormSet,
    ObjectionAnswerForm,
    ObjectionForm,
    PerformanceForm,
    ProjectForm,
    QualificationForm,
    ScheduleOpeningForm,
    ScoresForm,
    SecretForm,
    criteria_formset,
    filled_rows,
    read_uploads,
)
from trading.models import (
    Announcement,
    Award,
    BidSubmission,
    CommitteeMember,
    Contract,
    Criterion,
    DecryptionAttempt,
    EvaluationReport,
    Lot,
    Objection,
    OpeningSession,
    Project,
    Schedule,
    Score,
    TenderDocument,
)
from trading.services import awards, bids, committee, openings, projects
from trading.state_machine import suspension

PER_PAGE = 20
#: How long before its start a scheduled opening's status begins to refresh itself.
POLL_BEFORE_START = timedelta(hours=1)
#: Keys of announcements' structured content that hold a moment (ISO 8601 text).
MOMENT_KEYS = frozenset(
    {
        "documents_issued_at",
        "documents_sale_ends_at",
        "bid_deadline",
        "opening_at",
        "received_at",
        "decrypted_at",
        "signed_at",
    }
)
#: Schedule fields the statutory rules name, and the announcement form's field for each.
VIOLATION_FIELDS = {
    "documents_sale_starts_at": "documents_issued_at",
    "response_deadline": "bid_deadline",
}
LOT_FIELD = re.compile(r"^lots\[(\d+)\]\.")


# --- Loading and authorising ---------------------------------------------------------------


def _party_or_staff(user, project) -> bool:
    return policies.is_project_party(user, project) or policies.is_centre_staff_of(user, project)


def _project(request, project_id: int, *, allowed=None) -> Project:
    """The project if the user may read it (404 otherwise, see `project_for_reader`), and —
    with `allowed` — may act on it (403 to any other reader)."""
    project = selectors.project_for_reader(request.user, project_id)
    if allowed is not None and not allowed(request.user, project):
        raise PermissionDenied(_("You may not take this step on this project."))
    return project


def _lot(request, lot_id: int, *, allowed=None) -> Lot:
    project_id = Lot.objects.filter(pk=lot_id).values_list("project_id", flat=True).first()
    if project_id is None:
        raise Http404
    project = _project(request, project_id, allowed=allowed)
    return next(lot for lot in project.lots.all() if lot.pk == lot_id)


def _own_bid(request, bid_id: int) -> BidSubmission:
    """One of the bidder's own bids; anybody else's is not found."""
    if not policies.is_bidder(request.user):
        raise Http404
    return get_object_or_404(
        BidSubmission.objects.select_related(
            "lot__project__schedule", "lot__project__opening", "lot__project__category", "entity"
        ),
        pk=bid_id,
        entity_id=request.user.entity_id,
    )


def _session_for_staff(request, opening_id: int) -> OpeningSession:
    selectors.run_due_events()
    session = get_object_or_404(
        OpeningSession.objects.select_related("project__centre", "booking__venue"), pk=opening_id
    )
    if not policies.is_centre_staff_of(request.user, session.project):
        raise PermissionDenied(_("Only staff of the project's centre host its opening."))
    return session


def _membership(request, lot_id: int) -> tuple[Lot, CommitteeMember]:
    """The lot and the user's seat on its committee; the evaluation is closed to others."""
    member = get_object_or_404(
        CommitteeMember.objects.select_related(
            "lot__project__category", "lot__project__method", "lot__project__centre"
        ),
        lot_id=lot_id,
        user_id=request.user.pk,
    )
    return member.lot, member


def _schedule(project: Project) -> Schedule | None:
    try:
        return project.schedule
    except Schedule.DoesNotExist:
        return None


def _session(project: Project) -> OpeningSession | None:
    try:
        return project.opening
    except OpeningSession.DoesNotExist:
        return None


# --- Showing refusals ------------------------------------------------------------------------


def _violations(form, exc: ApplicationError) -> list[dict]:
    """A statutory refusal's violations, each put next to the form field it concerns and
    returned for the list at the top of the form (rule, field, message, legal source)."""
    listed = []
    for violation in exc.fields.get("violations", []):
        field = violation.get("field", "")
        match = LOT_FIELD.match(field)
        name = (
            AnnouncementForm.security_field(int(match.group(1)))
            if match
            else VIOLATION_FIELDS.get(field, field)
        )
        target = name if form is not None and name in form.fields else None
        if target is not None:
            form.add_error(
                target,
                _("%(message)s (Source: %(source)s)")
                % {"message": violation["message"], "source": violation["source"]},
            )
        listed.append(
            {
                **violation,
                "field_label": form.fields[target].label if target else field_label(field),
                "anchor": form[target].auto_id if target else "",
            }
        )
    return listed


def _show_refusal(form, exc: ApplicationError | ValidationError, *, aliases=None) -> list[dict]:
    """Put a service's refusal on the form; returns the statutory violations, if any."""
    if isinstance(exc, ApplicationError) and exc.code == "statutory_violation":
        form.add_error(None, exc.message)
        return _violations(form, exc)
    if isinstance(exc, ApplicationError) and exc.code == "not_eligible":
        form.add_error(None, exc.message)  # the credit reasons are records, not field errors
        return []
    add_service_errors(form, exc, aliases=aliases)
    return []


def _moment(value):
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return value
    return value


def _readable(value, key: str = ""):
    """An announcement's structured content with its moments as datetimes, for templates."""
    if isinstance(value, dict):
        return {k: _readable(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_readable(v) for v in value]
    return _moment(value) if key in MOMENT_KEYS else value


def _history(project: Project) -> list[dict]:
    entries = selectors.project_history(project)
    for entry in entries:
        if "announcement" in entry:
            entry["data"] = _readable(entry["announcement"].data)
    return entries


# --- Public ------------------------------------------------------------------------------------


@require_GET
def announcement_list(request):
    form = AnnouncementFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    announcements = selectors.matching_announcements(**filters)
    page = Paginator(announcements, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "trading/announcement_list.html", {"form": form, "page": page})


@require_GET
def announcement_detail(request, announcement_id: int):
    announcement = get_object_or_404(
        selectors.published_announcements().prefetch_related("documents"), pk=announcement_id
    )
    return render(
        request,
        "trading/announcement_detail.html",
        {"announcement": announcement, "data": _readable(announcement.data)},
    )


def _project_context(request, project: Project, *, bid_form=None) -> dict:
    user, now = request.user, timezone.now()
    schedule = _schedule(project)
    session = _session(project)
    is_party = policies.is_project_party(user, project)
    is_staff = policies.is_centre_staff_of(user, project)
    is_bidder = policies.is_bidder(user)
    visible = {item["lot"]: item for item in selectors.bids_visible_to(user, project)}
    bidding_open = schedule is not None and now < schedule.bid_deadline
    decrypting = session is not None and session.state == OpeningSession.State.DECRYPTING
    lots = []
    for lot in project.lots.all():
        item = visible[lot.number]
        sealed = lot.state in selectors.SEALED_LOT_STATES
        own = item.get("own", [])
        for bid in [*own, *(item.get("bids") or [])]:
            bid["state_label"] = BidSubmission.State(bid["state"]).label
        for bid in own:
            live = bid["state"] == BidSubmission.State.SUBMITTED
            bid["can_withdraw"] = live and bidding_open and lot.state == Lot.State.BIDDING
            bid["can_test"] = live and lot.state in {Lot.State.BIDDING, Lot.State.OPENING}
            bid["can_decrypt"] = live and decrypting and lot.state == Lot.State.OPENING
        lots.append(
            {
                "lot": lot,
                "sealed": sealed,
                # While sealed, the selector gives the count to the centre and the tenderee
                # only (招标投标法 第22条).
                "show_count": "bids_received" in item,
                "received": item.get("bids_received"),
                "own": own,
                "bids": item.get("bids"),
                "is_own_lot": any(b["state"] != BidSubmission.State.WITHDRAWN for b in own),
            }
        )
    # The form offers the lots open for bids where the bidder has no live bid (a second one
    # would be refused: it withdraws the first, then bids again).
    can_bid = (
        is_bidder
        and bidding_open
        and any(
            row["lot"].state == Lot.State.BIDDING
            and not any(bid["state"] == BidSubmission.State.SUBMITTED for bid in row["own"])
            for row in lots
        )
    )
    if can_bid and bid_form is None:
        live_bid = BidSubmission.objects.filter(
            lot=OuterRef("pk"), entity_id=user.entity_id, state=BidSubmission.State.SUBMITTED
        )
        bid_form = BidForm(
            lots=project.lots.filter(state=Lot.State.BIDDING)
            .exclude(Exists(live_bid))
            .order_by("number")
        )
    documents_public = schedule is not None and now >= schedule.documents_issued_at
    return {
        **(_status_context(request, session) if session else {}),
        "project": project,
        "suspension": suspension(project),
        "schedule": schedule,
        "session": session,
        "lots": lots,
        "history": _history(project),
        "documents": list(project.documents.all())
        if documents_public or is_party or is_staff
        else [],
        "is_party": is_party,
        "is_staff": is_staff,
        "is_bidder": is_bidder,
        "bidding_open": bidding_open,
        "bid_form": bid_form if can_bid else None,
        "objection_form": ObjectionForm() if is_bidder else None,
        "now": now,
    }


@require_GET
def project_detail(request, project_id: int):
    project = _project(request, project_id)
    return render(request, "trading/project_detail.html", _project_context(request, project))


@require_GET
def download_document(request, document_id: int):
    """A tender document, to anyone from the day the documents are issued (and after)."""
    document = get_object_or_404(TenderDocument, pk=document_id)
    project = _project(request, document.project_id)
    schedule = _schedule(project)
    issued = schedule is not None and timezone.now() >= schedule.documents_issued_at
    if not (issued or _party_or_staff(request.user, project)):
        raise Http404
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=document.name)


# --- Bidders ---------------------------------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def submit_bid(request, project_id: int):
    """The sealed bid. The receipt is shown once, in the answer to the submission: its salt
    is not kept by the platform (only the bidder can then recompute the digest)."""
    project = _project(request, project_id)
    if not policies.is_bidder(request.user):
        raise PermissionDenied(_("Only a bidder's account submits bids."))
    lots = project.lots.filter(state=Lot.State.BIDDING).order_by("number")
    form = BidForm(request.POST or None, request.FILES or None, lots=lots)
    if request.method == "POST" and form.is_valid():
        received_at = proxy.body_received_at(request)  # the upload is complete
        data = form.cleaned_data
        common = {
            "lot": data["lot"],
            "actor": request.user,
            "security": form.security(),
            "client_ip": proxy.client_ip(request),
            "received_at": received_at,
        }
        documents = [] if form.sealed_in_browser else read_uploads(data["documents"])
        try:
            if form.sealed_in_browser:
                bid, receipt = bids.submit_sealed_bid(
                    envelope=data["envelope"].read(),
                    receipt_digest=data["receipt_digest"],
                    **common,
                )
            else:
                bid, receipt = bids.submit_bid(
                    price=data["price"], documents=documents, secret=data["secret"], **common
                )
        except ApplicationError as exc:
            _show_refusal(form, exc, aliases={"security": "security_form"})
        else:
            return _receipt(request, project, bid, receipt, documents)
    return render(request, "trading/bid_form.html", {"project": project, "bid_form": form})


def _receipt(request, project, bid, receipt, documents):
    kept = {
        "platform_receipt": {
            "bid": bid.pk,
            "receipt_digest": receipt.receipt_digest,
            "salt": receipt.salt,
            "received_at": timezone.localtime(receipt.received_at).isoformat(),
            "envelope_digest": receipt.envelope_digest,
        },
        # What, with the price the bidder knows, recomputes the receipt digest.
        "manifest_without_price": {
            "project": str(project.pk),
            "lot": str(bid.lot_id),
            "bidder": request.user.entity.uscc,
            "currency": "CNY",
        },
        "documents": [name for name, _content in documents],
    }
    return render(
        request,
        "trading/receipt.html",
        {
            "project": project,
            "bid": bid,
            "receipt": receipt,
            "documents": kept["documents"],
            "receipt_json": json.dumps(kept, ensure_ascii=False, indent=2),
        },
    )


def _bid_rows(bid_list, now) -> list[BidSubmission]:
    for bid in bid_list:
        project = bid.lot.project
        schedule = _schedule(project)
        session = _session(project)
        live = bid.state == BidSubmission.State.SUBMITTED
        bid.can_withdraw = (
            live
            and bid.lot.state == Lot.State.BIDDING
            and schedule is not None
            and now < schedule.bid_deadline
        )
        bid.can_test = live and bid.lot.state in {Lot.State.BIDDING, Lot.State.OPENING}
        bid.can_decrypt = (
            live
            and bid.lot.state == Lot.State.OPENING
            and session is not None
            and session.state == OpeningSession.State.DECRYPTING
        )
        try:
            bid.won = bid.award is not None
        except Award.DoesNotExist:
            bid.won = False
    return bid_list


@login_required
@require_GET
def my_bids(request):
    if not policies.is_bidder(request.user):
        raise PermissionDenied(_("This page is for bidders."))
    selectors.run_due_events()
    page = Paginator(selectors.bids_of_bidder(request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    _bid_rows(page.object_list, timezone.now())
    return render(request, "trading/my_bids.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def withdraw_bid(request, bid_id: int):
    bid = _own_bid(request, bid_id)
    if request.method == "POST":
        try:
            bids.withdraw_bid(bid=bid, actor=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _(
                    "Your bid is withdrawn. Any bid security is refunded in full to the "
                    "account it came from. You may submit a new bid before the deadline."
                ),
            )
        return redirect("trading:my_bids")
    return render(request, "trading/withdraw_confirm.html", {"bid": bid})


def _outcome_label(outcome) -> str:
    return DecryptionAttempt.Outcome(outcome.cause).label


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def test_decrypt(request, bid_id: int):
    """Prove the secret opens the bid, right after sending: nothing is revealed or changed."""
    bid = _own_bid(request, bid_id)
    form = SecretForm(request.POST or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        try:
            outcome = bids.test_decrypt_bid(
                bid=bid, actor=request.user, secret=form.cleaned_data["secret"]
            )
        except ApplicationError as exc:
            add_service_errors(form, exc)
    return render(
        request,
        "trading/test_decrypt.html",
        {
            "bid": bid,
            "form": form,
            "outcome": outcome,
            "outcome_label": _outcome_label(outcome) if outcome else "",
        },
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def decrypt_bid(request, bid_id: int):
    """The bidder decrypts its bid at the opening, within the window (server clock)."""
    selectors.run_due_events()
    bid = _own_bid(request, bid_id)
    session = _session(bid.lot.project)
    form = SecretForm(request.POST or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        try:
            outcome = openings.decrypt_bid(
                bid=bid, actor=request.user, secret=form.cleaned_data["secret"]
            )
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            if outcome.ok:
                messages.success(request, _("Your bid is decrypted."))
                return redirect("trading:my_bids")
    return render(
        request,
        "trading/decrypt.html",
        {
            **(_status_context(request, session) if session else {}),
            "bid": bid,
            "session": session,
            "form": form,
            "outcome": outcome,
            "outcome_label": _outcome_label(outcome) if outcome else "",
        },
    )


def _status_context(request, session: OpeningSession) -> dict:
    now = timezone.now()
    window = selectors.decryption_window(session, now)
    is_staff = policies.is_centre_staff_of(request.user, session.project)
    soon = (
        session.state == OpeningSession.State.SCHEDULED
        and session.starts_at - now <= POLL_BEFORE_START
    )
    return {
        "session": session,
        "window": window,
        "remaining": _duration(window["remaining_seconds"]),
        "progress": selectors.opening_progress(session) if is_staff else None,
        "is_staff": is_staff,
        "can_start": is_staff
        and session.state == OpeningSession.State.SCHEDULED
        and now >= session.starts_at,
        "poll": window["open"] or soon,
        "now": now,
    }


def _duration(seconds: int | None) -> str:
    if seconds is None:
        return ""
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes:02d}:{seconds:02d}"


@never_cache
@require_GET
def opening_status(request, opening_id: int):
    """The opening's live status (an htmx fragment, polled every 5 s): the state and the
    decryption window's remaining time on the server clock; for the centre's staff also how
    many bids are decrypted and pending (counts only) and the start and close buttons."""
    project_id = (
        OpeningSession.objects.filter(pk=opening_id).values_list("project_id", flat=True).first()
    )
    if project_id is None:
        raise Http404
    _project(request, project_id)  # readers only; closes a window that has run out
    session = OpeningSession.objects.select_related("project__centre").get(pk=opening_id)
    return render(request, "trading/_opening_status.html", _status_context(request, session))


@login_required
@require_POST
def raise_objection(request, lot_id: int):
    lot = _lot(request, lot_id)
    form = ObjectionForm(request.POST)
    if form.is_valid():
        try:
            awards.raise_objection(lot=lot, actor=request.user, text=form.cleaned_data["text"])
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your objection is recorded; the tenderee must answer it."))
    else:
        messages.error(request, _("Write your objection."))
    return redirect("trading:project", project_id=lot.project_id)


# --- Tenderees and agents -------------------------------------------------------------------


def _require_party_role(user) -> None:
    if user.role not in {Role.TENDEREE, Role.AGENT} or user.entity_id is None:
        raise PermissionDenied(_("This page is for tenderees and tendering agents."))


@login_required
@require_GET
def my_projects(request):
    _require_party_role(request.user)
    page = Paginator(selectors.projects_of_party(request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "trading/my_projects.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def create_project(request):
    user = request.user
    _require_party_role(user)
    form = ProjectForm(request.POST or None, actor=user)
    lots = LotFormSet(request.POST or None, prefix="lots")
    if request.method == "POST" and all([form.is_valid(), lots.is_valid()]):
        data = form.cleaned_data
        rows = filled_rows(lots)
        try:
            project = projects.submit_project(
                actor=user,
                title=data["title"],
                category=data["category"],
                method=data["method"],
                subject=data["subject"],
                funding_source=data["funding_source"],
                centre=data["centre"],
                region=data["region"] or data["centre"].region,
                tenderee=data.get("tenderee"),
                approval_number=data["approval_number"],
                description=data["description"],
                lots=[
                    projects.LotInput(
                        name=row["name"],
                        estimate_amount=row["estimate_amount"],
                        bid_security_amount=row["bid_security_amount"] or 0,
                        evaluation_method=row["evaluation_method"],
                    )
                    for row in rows
                ],
            )
        except (ApplicationError, ValidationError) as exc:
            _show_refusal(form, exc)
        else:
            messages.success(
                request,
                _("The project is submitted to %(centre)s for registration.")
                % {"centre": project.centre.name},
            )
            return redirect("trading:project", project_id=project.pk)
    return render(request, "trading/project_form.html", {"form": form, "lots": lots})


@login_required
@require_http_methods(["GET", "POST"])
def publish_announcement(request, project_id: int):
    """The tender announcement. A schedule or security the law forbids is refused whole:
    every violation is listed at the top and next to its field, with its legal source."""
    project = _project(request, project_id, allowed=policies.is_project_party)
    lots = list(project.lots.all())
    form = AnnouncementForm(request.POST or None, request.FILES or None, lots=lots)
    violations = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            projects.publish_tender_announcement(
                project=project,
                actor=request.user,
                title=data["title"],
                body=data["body"],
                documents_issued_at=data["documents_issued_at"],
                documents_sale_ends_at=data["documents_sale_ends_at"],
                questions_deadline=data["questions_deadline"],
                bid_deadline=data["bid_deadline"],
                opening_at=data["opening_at"],
                bid_securities=form.bid_securities(),
                documents=read_uploads(data["documents"]),
            )
        except ApplicationError as exc:
            violations = _show_refusal(form, exc)
        else:
            messages.success(request, _("The tender announcement is published."))
            return redirect("trading:project", project_id=project.pk)
    return render(
        request,
        "trading/announce_form.html",
        {"project": project, "form": form, "violations": violations, "lots": lots},
    )


@login_required
@require_http_methods(["GET", "POST"])
def publish_clarification(request, project_id: int):
    project = _project(request, project_id, allowed=policies.is_project_party)
    schedule = _schedule(project)
    form = ClarificationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            announcement = projects.publish_clarification(
                project=project,
                actor=request.user,
                title=data["title"],
                body=data["body"],
                affects_bid_preparation=data["affects_bid_preparation"],
                new_bid_deadline=data["new_bid_deadline"],
                documents=read_uploads(data["documents"]),
            )
        except ApplicationError as exc:
            _show_refusal(form, exc)
        else:
            published = _readable(announcement.data)
            template = (
                _(
                    "Published. The bid deadline is pushed to %(deadline)s and the opening "
                    "to %(opening)s."
                )
                if published["deadline_pushed"]
                else _("Published. The bid deadline stays %(deadline)s, the opening %(opening)s.")
            )
            messages.success(
                request,
                template
                % {
                    "deadline": _local(published["bid_deadline"]),
                    "opening": _local(published["opening_at"]),
                },
            )
            return redirect("trading:project", project_id=project.pk)
    open_now = (
        project.state == Project.State.ANNOUNCED
        and schedule is not None
        and timezone.now() < schedule.bid_deadline
    )
    return render(
        request,
        "trading/clarification_form.html",
        {
            "project": project,
            "schedule": schedule,
            "form": form,
            "open_now": open_now,
            "pushed_deadline": selectors.deadline_if_clarified(project) if open_now else None,
        },
    )


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


@login_required
@require_http_methods(["GET", "POST"])
def set_criteria(request, lot_id: int):
    lot = _lot(request, lot_id, allowed=_party_or_staff)
    if lot.evaluation_method != Lot.EvaluationMethod.COMPREHENSIVE:
        raise Http404
    initial = [
        {"code": c.code, "name": c.name, "kind": c.kind, "weight": c.weight}
        for c in lot.criteria.all()
    ]
    formset = criteria_formset(initial=initial, data=request.POST or None)
    problems = []
    if request.method == "POST" and formset.is_valid():
        rows = filled_rows(formset)
        try:
            committee.set_criteria(
                lot=lot,
                actor=request.user,
                criteria=[
                    evaluation.Criterion(
                        code=row["code"], name=row["name"], kind=row["kind"], weight=row["weight"]
                    )
                    for row in rows
                ],
            )
        except ApplicationError as exc:
            problems = list(dict.fromkeys([exc.message, *exc.fields.get("criteria", [])]))
        else:
            messages.success(request, _("The scoring criteria are saved."))
            return redirect("trading:lot", lot_id=lot.pk)
    return render(
        request,
        "trading/criteria_form.html",
        {"lot": lot, "project": lot.project, "formset": formset, "problems": problems},
    )


def _ranking_rows(report: EvaluationReport | None, bids_by_id: dict) -> list[dict]:
    if report is None:
        return []
    return [
        {**row, "bidder": bids_by_id.get(row["bid"], {}).get("bidder", "—")}
        for row in report.ranking
    ]


def _render_lot(request, lot: Lot, *, bound: dict | None = None):
    """The lot's workspace for its tenderee, agent and centre: after the opening, the
    evaluation's outcome, candidates, objections, the award, the contract, performance and
    filing; each step's form posts to its own view, which comes back here on a refusal."""
    bound = bound or {}
    user = request.user
    project = lot.project
    is_party = policies.is_project_party(user, project)
    is_staff = policies.is_centre_staff_of(user, project)
    item = selectors.lot_bids_visible_to(user, lot)
    for bid in item.get("bids") or []:
        bid["state_label"] = BidSubmission.State(bid["state"]).label
    bids_by_id = {bid["id"]: bid for bid in item.get("bids") or []}
    report = EvaluationReport.objects.filter(lot=lot).first()
    candidates = (
        lot.announcements.filter(kind=Announcement.Kind.CANDIDATES)
        .order_by("-published_at")
        .first()
    )
    award = Award.objects.filter(lot=lot).select_related("bid__entity").first()
    contract = Contract.objects.filter(lot=lot).prefetch_related("performance").first()
    objections = list(lot.objections.select_related("entity"))
    for objection in objections:
        if is_party and objection.answered_at is None:
            objection.form = bound.get(("answer", objection.pk)) or ObjectionAnswerForm(
                prefix=f"objection-{objection.pk}"
            )
    members = list(lot.committee.select_related("user").order_by("-is_chair", "id"))
    context = {
        "project": project,
        "lot": lot,
        "is_party": is_party,
        "is_staff": is_staff,
        "sealed": lot.state in selectors.SEALED_LOT_STATES,
        "received": item["bids_received"],
        "bids": item.get("bids"),
        "report": report,
        "ranking": _ranking_rows(report, bids_by_id),
        "candidates": candidates,
        "candidates_data": _readable(candidates.data) if candidates else None,
        "publicity_running": candidates is not None
        and candidates.publicity_ends_at is not None
        and timezone.now() < candidates.publicity_ends_at,
        "objections": objections,
        "award": award,
        "contract": contract,
        "members": members,
        "signed": sum(1 for m in members if m.signed_at),
        "criteria": list(lot.criteria.all()),
    }
    if is_party and lot.state == Lot.State.PUBLICITY and candidates is not None:
        context["award_form"] = bound.get("award") or AwardForm(
            candidates=candidates.data.get("candidates", [])
        )
    if is_party and lot.state == Lot.State.AWARDED and award is not None:
        context["contract_form"] = bound.get("contract") or ContractForm(
            initial={"amount": award.bid.price}
        )
    if is_party and contract is not None:
        context["performance_form"] = bound.get("performance") or PerformanceForm()
    return render(request, "trading/lot.html", context)


@login_required
@require_GET
def lot_workspace(request, lot_id: int):
    return _render_lot(request, _lot(request, lot_id, allowed=_party_or_staff))


def _report(request, call, success: str) -> None:
    """A button's service call: its refusal or `success` is shown on the next page."""
    try:
        call()
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)


def _lot_action(request, lot_id: int, action, success: str, *, allowed):
    """A button on the lot's workspace: call the service, say how it went, come back."""
    lot = _lot(request, lot_id, allowed=allowed)
    _report(request, lambda: action(lot=lot, actor=request.user), success)
    return redirect("trading:lot", lot_id=lot.pk)


@login_required
@require_POST
def publish_candidates(request, lot_id: int):
    return _lot_action(
        request,
        lot_id,
        awards.publish_candidates,
        _("The candidates are published."),
        allowed=policies.is_project_party,
    )


@login_required
@require_POST
def answer_objection(request, objection_id: int):
    objection = get_object_or_404(Objection, pk=objection_id)
    lot = _lot(request, objection.lot_id, allowed=policies.is_project_party)
    form = ObjectionAnswerForm(request.POST, prefix=f"objection-{objection.pk}")
    if form.is_valid():
        try:
            awards.answer_objection(
                objection=objection, actor=request.user, answer=form.cleaned_data["answer"]
            )
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The answer is recorded."))
            return redirect("trading:lot", lot_id=lot.pk)
    return _render_lot(request, lot, bound={("answer", objection.pk): form})


@login_required
@require_POST
def award_lot(request, lot_id: int):
    lot = _lot(request, lot_id, allowed=policies.is_project_party)
    candidates = (
        lot.announcements.filter(kind=Announcement.Kind.CANDIDATES)
        .order_by("-published_at")
        .first()
    )
    form = AwardForm(request.POST, candidates=candidates.data["candidates"] if candidates else [])
    if form.is_valid():
        bid = BidSubmission.objects.filter(pk=form.cleaned_data["bid"], lot=lot).first()
        try:
            awards.award_lot(
                lot=lot, actor=request.user, bid=bid, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            _show_refusal(form, exc)
        else:
            messages.success(request, _("The lot is awarded and the result is published."))
            return redirect("trading:lot", lot_id=lot.pk)
    return _render_lot(request, lot, bound={"award": form})


@login_required
@require_POST
def sign_contract(request, lot_id: int):
    lot = _lot(request, lot_id, allowed=policies.is_project_party)
    form = ContractForm(request.POST)
    if form.is_valid():
        try:
            awards.sign_contract(lot=lot, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The contract is published; every bid security of the lot is refunded."),
            )
            return redirect("trading:lot", lot_id=lot.pk)
    return _render_lot(request, lot, bound={"contract": form})


@login_required
@require_POST
def record_performance(request, contract_id: int):
    contract = get_object_or_404(Contract, pk=contract_id)
    lot = _lot(request, contract.lot_id, allowed=policies.is_project_party)
    form = PerformanceForm(request.POST)
    if form.is_valid():
        try:
            awards.record_performance(contract=contract, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The performance record is published."))
            return redirect("trading:lot", lot_id=lot.pk)
    return _render_lot(request, lot, bound={"performance": form})


# --- Centre staff ------------------------------------------------------------------------------


@login_required
@require_GET
def centre_queue(request):
    user = request.user
    if user.role != Role.CENTRE_STAFF or not can_manage_centre(user, user.centre):
        raise PermissionDenied(_("This page is for the staff of a trading centre."))
    selectors.run_due_events()
    queue = list(selectors.centre_project_queue(user.centre))
    groups = [
        (state, label, [p for p in queue if p.state == state])
        for state, label in Project.State.choices
        if state not in {Project.State.ARCHIVED, Project.State.CANCELLED}
    ]
    return render(
        request,
        "trading/centre_queue.html",
        {"centre": user.centre, "groups": groups, "now": timezone.now()},
    )


def _project_action(request, project_id: int, action, success: str, *, target: str):
    project = _project(request, project_id, allowed=policies.is_centre_staff_of)
    _report(request, lambda: action(project=project, actor=request.user), success)
    if target == "queue":
        return redirect("trading:centre_queue")
    return redirect("trading:project", project_id=project.pk)


@login_required
@require_POST
def register_project(request, project_id: int):
    return _project_action(
        request,
        project_id,
        projects.register_project,
        _("The project is registered and has its unified transaction code."),
        target="queue",
    )


@login_required
@require_POST
def archive_project(request, project_id: int):
    return _project_action(
        request,
        project_id,
        awards.archive_project,
        _("The project is archived."),
        target="project",
    )


@login_required
@require_http_methods(["GET", "POST"])
def schedule_opening(request, project_id: int):
    project = _project(request, project_id, allowed=policies.is_centre_staff_of)
    session = _session(project)
    if session is not None:
        return redirect("trading:opening", opening_id=session.pk)
    schedule = _schedule(project)
    form = ScheduleOpeningForm(
        request.POST or None,
        centre=project.centre,
        initial={"starts_at": schedule.opening_at} if schedule else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = openings.schedule_opening(
                project=project,
                actor=request.user,
                venue=data["venue"],
                starts_at=data["starts_at"],
                duration=timedelta(minutes=data["duration_minutes"]),
                decrypt_window_minutes=data["decrypt_window_minutes"],
            )
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The opening is scheduled and %(venue)s is booked in the venue calendar.")
                % {"venue": data["venue"].name},
            )
            return redirect("trading:opening", opening_id=session.pk)
    return render(
        request,
        "trading/opening_schedule_form.html",
        {"project": project, "schedule": schedule, "form": form},
    )


@login_required
@require_GET
def opening_session(request, opening_id: int):
    session = _session_for_staff(request, opening_id)
    venue = session.booking.venue
    calendar_url = reverse("centres:staff", args=[session.project.centre.code])
    week = timezone.localdate(session.starts_at)
    week -= timedelta(days=week.weekday())
    return render(
        request,
        "trading/opening_session.html",
        {
            **_status_context(request, session),
            "project": session.project,
            "venue": venue,
            "calendar_url": f"{calendar_url}?{urlencode({'week': week.isoformat()})}",
        },
    )


def _opening_action(request, opening_id: int, action, success: str):
    session = _session_for_staff(request, opening_id)
    _report(request, lambda: action(session=session, actor=request.user), success)
    return redirect("trading:opening", opening_id=session.pk)


@login_required
@require_POST
def start_opening(request, opening_id: int):
    return _opening_action(
        request,
        opening_id,
        openings.start_opening,
        _("The opening has started: bidders may now decrypt their bids."),
    )


@login_required
@require_POST
def close_opening(request, opening_id: int):
    return _opening_action(
        request,
        opening_id,
        openings.close_opening,
        _("The opening is closed and its record is published."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def seat_committee(request, lot_id: int):
    lot = _lot(request, lot_id, allowed=policies.is_centre_staff_of)
    members = list(lot.committee.select_related("user").order_by("-is_chair", "id"))
    formset = CommitteeFormSet(request.POST or None, prefix="members")
    violations, problems = [], []
    if request.method == "POST" and not members and formset.is_valid():
        rows = [
            form
            for form in formset.forms
            if form.cleaned_data and not getattr(form, "is_blank", True)
        ]
        names = [form.cleaned_data["username"].strip() for form in rows]
        users = {user.username: user for user in User.objects.filter(username__in=names)}
        for form, name in zip(rows, names, strict=True):
            if name not in users:
                form.add_error("username", _("No account has this user name."))
        if all(name in users for name in names):
            try:
                committee.set_committee(
                    lot=lot, actor=request.user, representatives=[users[n] for n in names]
                )
            except ApplicationError as exc:
                violations = _violations(None, exc)
                problems = [
                    exc.message,
                    *exc.fields.get("members", []),
                    *exc.fields.get("representatives", []),
                ]
                problems = list(dict.fromkeys(problems))
            else:
                messages.success(
                    request,
                    _("The drawn experts are revealed and the committee is seated."),
                )
                return redirect("trading:lot", lot_id=lot.pk)
    return render(
        request,
        "trading/committee_form.html",
        {
            "project": lot.project,
            "lot": lot,
            "members": members,
            "formset": formset,
            "violations": violations,
            "problems": problems,
        },
    )


@login_required
@require_POST
def file_lot(request, lot_id: int):
    return _lot_action(
        request,
        lot_id,
        awards.file_lot,
        _("The transaction is filed."),
        allowed=policies.is_centre_staff_of,
    )


# --- Evaluation experts ------------------------------------------------------------------------


@login_required
@require_GET
def my_evaluations(request):
    seats = list(selectors.evaluations_of_member(request.user))
    return render(request, "trading/my_evaluations.html", {"seats": seats})


def _render_evaluation(request, lot, member, *, bound: dict | None = None, scores_form=None):
    bound = bound or {}
    item = selectors.lot_bids_visible_to(request.user, lot)
    opened = [b for b in item.get("bids") or [] if b["state"] == BidSubmission.State.DECRYPTED]
    can_act = lot.state == Lot.State.OPENED and member.signed_at is None
    comprehensive = lot.evaluation_method == Lot.EvaluationMethod.COMPREHENSIVE
    if member.is_chair and can_act:
        for bid in opened:
            bid["form"] = bound.get(bid["id"]) or QualificationForm(
                prefix=f"bid-{bid['id']}",
                initial={
                    "decision": {True: "pass", False: "reject"}.get(bid["qualified"]),
                    "reason": bid["disqualification_reason"],
                },
            )
    if comprehensive and can_act and scores_form is None:
        scores_form = ScoresForm(
            bids=[b for b in opened if b["qualified"] is not False],
            criteria=lot.criteria.exclude(kind=Criterion.Kind.PRICE),
            existing={
                (s.bid_id, s.criterion.code): s.value
                for s in Score.objects.filter(member=member).select_related("criterion")
            },
        )
    report = EvaluationReport.objects.filter(lot=lot).first()
    committee_members = list(lot.committee.all())
    return render(
        request,
        "trading/evaluation.html",
        {
            "project": lot.project,
            "lot": lot,
            "member": member,
            "bids": opened,
            "can_act": can_act,
            "comprehensive": comprehensive,
            "scores_form": scores_form if comprehensive and can_act else None,
            "report": report,
            "ranking": _ranking_rows(report, {b["id"]: b for b in opened}),
            "signed": sum(1 for m in committee_members if m.signed_at),
            "members": len(committee_members),
        },
    )


@login_required
@require_GET
def evaluation_page(request, lot_id: int):
    lot, member = _membership(request, lot_id)
    return _render_evaluation(request, lot, member)


@login_required
@require_POST
def decide_qualification(request, bid_id: int):
    bid = get_object_or_404(BidSubmission, pk=bid_id)
    lot, member = _membership(request, bid.lot_id)
    form = QualificationForm(request.POST, prefix=f"bid-{bid.pk}")
    if form.is_valid():
        try:
            committee.decide_qualification(
                bid=bid,
                actor=request.user,
                qualified=form.cleaned_data["decision"] == "pass",
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The committee's decision is recorded."))
            return redirect("trading:evaluation", lot_id=lot.pk)
    return _render_evaluation(request, lot, member, bound={bid.pk: form})


@login_required
@require_POST
def submit_scores(request, lot_id: int):
    lot, member = _membership(request, lot_id)
    item = selectors.lot_bids_visible_to(request.user, lot)
    opened = [
        b
        for b in item.get("bids") or []
        if b["state"] == BidSubmission.State.DECRYPTED and b["qualified"] is not False
    ]
    form = ScoresForm(
        request.POST,
        bids=opened,
        criteria=lot.criteria.exclude(kind=Criterion.Kind.PRICE),
        existing={},
    )
    if form.is_valid():
        try:
            committee.submit_scores(lot=lot, actor=request.user, scores=form.scores())
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Your scores are saved; you may change them until you sign.")
            )
            return redirect("trading:evaluation", lot_id=lot.pk)
    return _render_evaluation(request, lot, member, scores_form=form)


@login_required
@require_POST
def sign_report(request, lot_id: int):
    lot, _member = _membership(request, lot_id)
    try:
        report = committee.sign_report(lot=lot, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        if report is None:
            messages.success(request, _("You have signed; the other members have yet to sign."))
        else:
            messages.success(request, _("Every member has signed: the evaluation is complete."))
    return redirect("trading:evaluation", lot_id=lot.pk)
