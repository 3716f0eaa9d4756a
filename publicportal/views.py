"""The public service portal's pages: parse, call a selector, render."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from publicportal import selectors
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
        page["has_next"] = page["page"] < page["pages"]
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
