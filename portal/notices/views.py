"""Web pages of notices: policies, the service list, fees, rule clean-up, complaint channels."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from portal.notices.models import Notice
from portal.notices.selectors import published_notices

NOTICES_PER_PAGE = 20


@require_GET
def notice_list(request):
    kind = request.GET.get("kind", "")
    notices = published_notices().select_related("centre")
    if kind in Notice.Kind.values:
        notices = notices.filter(kind=kind)
    else:
        kind = ""
    page = Paginator(notices, NOTICES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "notices/list.html",
        {"page": page, "kind": kind, "kinds": Notice.Kind.choices},
    )


@require_GET
def notice_detail(request, pk: int):
    notice = get_object_or_404(published_notices().select_related("centre"), pk=pk)
    return render(request, "notices/detail.html", {"notice": notice})
