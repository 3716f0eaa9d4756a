"""Web pages of the credit registry: public credit information (E2), the entity's own
credit file with its score explained, and the regulator's forms (record, repair, import)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from credit import policies, selectors
from credit.forms import CreditImportForm, CreditLookupForm, CreditRecordForm, CreditRepairForm
from credit.models import EvidenceDocument, Measure, RecordKind, Severity
from credit.services import imports, records, repairs
from portal.entities.uscc import normalise_uscc, validate_uscc
from portal.errors import ApplicationError
from portal.views import add_service_errors


def _code_or_404(uscc: str) -> str:
    code = normalise_uscc(uscc)
    if validate_uscc(code) is not None:
        raise Http404
    return code


def _party(code: str, *, public_only: bool) -> dict:
    entity = selectors.entity_for(code)
    record_list = list(selectors.records_of(code, public_only=public_only))
    if entity is None and not record_list:
        raise Http404
    return {
        "uscc": code,
        "entity": entity,
        "name": selectors.party_name(code, entity),
        "records": record_list,
        "measures": list(
            selectors.measures_in_force(code, at=timezone.now(), public_only=public_only)
        ),
    }


@require_GET
def index(request):
    """Public credit information: look an entity up by its code; the public lists."""
    form = CreditLookupForm(request.GET or None)
    if request.GET and form.is_valid():
        code = normalise_uscc(form.cleaned_data["uscc"])
        problem = validate_uscc(code)
        if problem is None:
            return redirect("credit:entity", uscc=code)
        form.add_error("uscc", problem.message)
    return render(
        request,
        "credit/index.html",
        {"form": form, "can_record": policies.can_record_credit(request.user)},
    )


@require_GET
def entity(request, uscc: str):
    """The public credit page of an entity: public records and the measures in force that
    follow from them. Non-public records are never shown here, whoever looks."""
    code = _code_or_404(uscc)
    context = _party(code, public_only=True)
    context["can_read_file"] = policies.can_read_credit_file(request.user, code)
    return render(request, "credit/entity.html", context)


@login_required
@require_GET
def credit_file(request, uscc: str):
    """The whole credit file: every record, evidence, repairs and the score explained."""
    code = _code_or_404(uscc)
    if not policies.can_read_credit_file(request.user, code):
        raise PermissionDenied(_("Only the entity's members and regulators read its credit file."))
    context = _party(code, public_only=False)
    context["score"] = score = selectors.score_of(code)
    context["contributions"] = [
        {
            "item": item,
            "kind": RecordKind(item.facts.kind).label,
            "severity": Severity(item.facts.severity).label,
        }
        for item in score.contributions
    ]
    context["can_repair"] = policies.is_regulator(request.user)
    context["own"] = getattr(request.user, "entity", None) is not None
    return render(request, "credit/file.html", context)


@login_required
@require_GET
def mine(request):
    """The logged-in member's own entity's credit file."""
    entity = getattr(request.user, "entity", None)
    if entity is None:
        raise Http404
    return redirect("credit:file", uscc=entity.uscc)


@login_required
@require_GET
def evidence(request, document_id: int):
    """An evidence document, for those who read the whole credit file."""
    document = get_object_or_404(EvidenceDocument.objects.select_related("record"), pk=document_id)
    if not policies.can_read_credit_file(request.user, document.record.uscc):
        raise PermissionDenied(_("Only the entity's members and regulators read its credit file."))
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.name,
        content_type=document.content_type or "application/octet-stream",
    )


@require_GET
def bans(request):
    """Public list: entities under a market ban or on the negative list now (E2)."""
    page = Paginator(selectors.published_list(), 50).get_page(request.GET.get("page"))
    return render(request, "credit/bans.html", {"page": page})


def _require_recorder(user) -> None:
    if not policies.can_record_credit(user):
        raise PermissionDenied(_("Only regulators of the competent department record credit."))


@login_required
@require_http_methods(["GET", "POST"])
def add_record(request):
    _require_recorder(request.user)
    form = CreditRecordForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        regulator=request.user,
    )
    if request.method == "POST" and form.is_valid():
        evidence = [
            records.EvidenceInput(
                name=upload.name, content=upload.read(), content_type=upload.content_type or ""
            )
            for upload in form.cleaned_data["evidence"]
        ]
        try:
            record = records.add_record(
                actor=request.user, evidence=evidence, **form.service_arguments()
            )
        except (ApplicationError, ValidationError) as exc:
            add_service_errors(
                form,
                exc,
                aliases={"measure_type": "measure"},
            )
        else:
            messages.success(
                request,
                _("Decision %(decision)s is recorded for %(name)s.")
                % {"decision": record.decision_no, "name": record.entity_name},
            )
            return redirect("credit:file", uscc=record.uscc)
    return render(request, "credit/record_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def repair(request, measure_id: int):
    """Credit repair (信用修复): the competent regulator records the decision."""
    _require_recorder(request.user)
    measure = get_object_or_404(
        Measure.objects.select_related("record", "measure_type", "region"), pk=measure_id
    )
    form = CreditRepairForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            repairs.repair_measure(actor=request.user, measure=measure, **form.cleaned_data)
        except (ApplicationError, ValidationError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The credit repair is recorded."))
            return redirect("credit:file", uscc=measure.uscc)
    return render(request, "credit/repair_form.html", {"form": form, "measure": measure})


@login_required
@require_http_methods(["GET", "POST"])
def import_records(request):
    """Bulk load from another credit platform; the report lists every row."""
    _require_recorder(request.user)
    form = CreditImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    credit_import = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            credit_import = imports.import_records(
                actor=request.user, content=upload.read(), file_name=upload.name
            )
        except ApplicationError as exc:
            add_service_errors(form, exc)
    return render(
        request, "credit/import_form.html", {"form": form, "credit_import": credit_import}
    )
