"""The regulators' workbench (监管工作台): live alerts of their department and region, the
evidence, triage, cases, statistics, the export for audit and discipline departments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.errors import ApplicationError
from portal.views import add_service_errors
from supervision import policies, selectors
from supervision.forms import AlertFilterForm, ComplaintForm, TriageForm
from supervision.models import AlertRule
from supervision.services import alerts as alert_services
from supervision.services import complaints as complaint_services
from supervision.services import exports

PAGE_SIZE = 50


def _regulator(request):
    if not policies.can_view_workbench(request.user):
        raise PermissionDenied
    return request.user


def _filtered(request):
    form = AlertFilterForm(request.GET or None)
    alerts = selectors.alerts_for(request.user)
    if form.is_valid():
        for field, lookup in (
            ("status", "status"),
            ("severity", "severity"),
            ("rule", "rule_code"),
        ):
            if form.cleaned_data.get(field):
                alerts = alerts.filter(**{lookup: form.cleaned_data[field]})
    return form, alerts.order_by("-created_at", "-id")


@login_required
@require_GET
def dashboard(request):
    """The live dashboard: the table polls `alert_rows` every few seconds (htmx)."""
    _regulator(request)
    form, alerts = _filtered(request)
    page = Paginator(alerts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/dashboard.html",
        {"form": form, "page": page, "query": request.GET.urlencode(), "now": timezone.now()},
    )


@login_required
@require_GET
def alert_rows(request):
    """The table body alone, for the dashboard's polling."""
    _regulator(request)
    _form, alerts = _filtered(request)
    page = Paginator(alerts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "supervision/_alert_rows.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def alert_detail(request, alert_id: int):
    user = _regulator(request)
    alert = get_object_or_404(
        selectors.alerts_for(user).prefetch_related("transitions__actor"), pk=alert_id
    )
    form = TriageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            alert_services.triage_alert(
                alert=alert,
                actor=user,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The alert has been updated."))
            return redirect("supervision:alert", alert_id=alert.pk)
    rule = AlertRule.objects.filter(code=alert.rule_code, category="").first()
    return render(
        request,
        "supervision/alert.html",
        {
            "alert": alert,
            "rule": rule,
            "form": form,
            "may_act": policies.can_act_on(
                user,
                department=alert.department,
                region_ids=selectors.region_subtree(user.region_id),
                region_id=alert.region_id_ref,
            ),
        },
    )


@login_required
@require_GET
def project_history(request, project_id: int):
    """The project's full trade history, from the trade log, for regulators."""
    _regulator(request)
    entries = selectors.trade_history(project_id)
    page = Paginator(entries, 200).get_page(request.GET.get("page"))
    alerts = selectors.alerts_for(request.user).filter(project_id_ref=project_id)
    return render(
        request,
        "supervision/history.html",
        {"project_id": project_id, "page": page, "alerts": alerts},
    )


@login_required
@require_GET
def cases(request):
    user = _regulator(request)
    return render(
        request,
        "supervision/cases.html",
        {"cases": selectors.cases_for(user).prefetch_related("alerts")},
    )


@login_required
@require_GET
def statistics(request):
    user = _regulator(request)
    return render(
        request,
        "supervision/statistics.html",
        {"stats": selectors.statistics(selectors.alerts_for(user))},
    )


@login_required
@require_POST
def export(request):
    """The signed bundle of the regulator's cases and their alerts."""
    user = _regulator(request)
    case_list = list(selectors.cases_for(user).prefetch_related("alerts"))
    alert_list = list(selectors.alerts_for(user).filter(case__in=case_list))
    body = exports.export_bundle(actor=user, cases=case_list, alerts=alert_list)
    response = HttpResponse(body, content_type="application/zip")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="supervision-cases-{stamp}.zip"'
    return response


# --- Complaints (投诉), for the parties to a trade ----------------------------------------

STEP_LABELS = {
    "filed": gettext_lazy("Filed"),
    "accepted": gettext_lazy("Accepted by the department"),
    "rejected": gettext_lazy("Not accepted"),
    "suspended": gettext_lazy("Trade suspended"),
    "resumed": gettext_lazy("Suspension lifted"),
    "ruled": gettext_lazy("Ruled"),
}


@login_required
@require_GET
def complaints(request):
    """The complainant's own complaints (a regulator sees its department's)."""
    return render(
        request,
        "supervision/complaints.html",
        {
            "complaints": selectors.complaints_for(request.user).order_by("-filed_at", "-id"),
            "may_file": policies.can_file_complaint(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def file_complaint(request):
    if not policies.can_file_complaint(request.user):
        raise PermissionDenied
    form = ComplaintForm(
        request.POST or None,
        request.FILES or None,
        initial={"project": request.GET.get("project"), "lot": request.GET.get("lot")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            complaint = complaint_services.file_complaint(
                actor=request.user,
                project_id=data["project"],
                lot_id=data["lot"],
                grounds=data["grounds"],
                grounds_known_at=data["grounds_known_at"],
                files=[
                    complaint_services.EvidenceFile(
                        name=upload.name, content=upload.read(), description=description
                    )
                    for upload, description in form.evidence_files()
                ],
            )
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your complaint has been filed."))
            return redirect("supervision:complaint", complaint_id=complaint.pk)
    return render(request, "supervision/complaint_form.html", {"form": form})


@login_required
@require_GET
def complaint_detail(request, complaint_id: int):
    """Every step taken on the complaint, as the department recorded it."""
    complaint = get_object_or_404(
        selectors.complaints_for(request.user).prefetch_related("steps"), pk=complaint_id
    )
    return render(
        request,
        "supervision/complaint.html",
        {
            "complaint": complaint,
            "steps": [
                {"step": step, "label": STEP_LABELS.get(step.step, step.step)}
                for step in complaint.steps.all()
            ],
        },
    )
