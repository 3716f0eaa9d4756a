"""The public home page."""

from django.shortcuts import render

from portal.centres.models import Centre
from portal.notices.selectors import published_notices


def home(request):
    return render(
        request,
        "portal/home.html",
        {
            "notices": published_notices().select_related("centre")[:8],
            "centres": Centre.objects.select_related("region").filter(parent__isnull=True),
        },
    )
