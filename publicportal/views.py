"""The public service portal's pages: parse, call a selector, render."""

import csv
import io

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from publicportal import selectors, statistics
from publicportal.forms import PublicationFilterForm
from publicportal.models import Publication


@require_GET
def search(request):
    """Every published announcement of every category, centre and source (E1, E2)."""
    form = PublicationFilterForm(request.GET)
    page = None
    if form.is_valid():
        page = selectors.publication_page(
            form.filters(), page=form.page_number(), per_page=form.per_page()
        )
        page["has_previous"] = page["page"] > 1
    return render(request, "publicportal/search.html", {"form": form, "page": page})


@require_GET
def publication_detail(request, publication_id: int):
    """A publication pushed by a connected system (ours have their own pages in trading)."""
    publication = get_object_or_404(
        Publication.objects.select_related("category", "region", "centre", "system", "method"),
        pk=publication_id,
    )
    history = selectors.project_publications(publication.project_key)
    return render(
        request,
        "publicportal/publication_detail.html",
        {"publication": publication, "history": history},
    )


@require_GET
def project_history(request, project_key: str):
    """A project's whole history in the index (announcement → changes → opening → result →
    contract), for any source."""
    history = list(selectors.project_publications(project_key))
    if not history:
        raise Http404
    return render(
        request,
        "publicportal/project_history.html",
        {"history": history, "project": history[0]},
    )


def _group_by(request) -> str:
    group_by = request.GET.get("group_by") or "category"
    return group_by if group_by in statistics.GROUPS else "category"


@require_GET
def statistics_page(request):
    """Charts of the statistics (Apache ECharts, served from our own static files)."""
    group_by = _group_by(request)
    data = statistics.statistics(group_by)
    return render(
        request,
        "publicportal/statistics.html",
        {"data": data, "group_by": group_by, "groups": statistics.GROUPS},
    )


@require_GET
def statistics_csv(request):
    group_by = _group_by(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="statistics-{group_by}.csv"'
    response.write("\ufeff")  # a BOM, so that Excel reads the Chinese labels as UTF-8
    writer = csv.writer(response)
    writer.writerows(statistics.table(statistics.statistics(group_by)))
    return response


@require_GET
def statistics_xlsx(request):
    group_by = _group_by(request)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = group_by
    for row in statistics.table(statistics.statistics(group_by)):
        sheet.append(
            [float(v) if isinstance(v, str) and v.replace(".", "", 1).isdigit() else v for v in row]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="statistics-{group_by}.xlsx"'
    return response
