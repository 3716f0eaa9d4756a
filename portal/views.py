"""The public home page, the liveness probe, and the one helper every web form uses to show a
service's refusal."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.centres.models import Centre
from portal.errors import ApplicationError
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


@never_cache
@require_GET
def healthz(request):
    """Liveness: the process answers (no database, no cache). A probe for the proxy or the
    orchestrator, and the benchmarks' floor: what the middleware alone costs a request."""
    return HttpResponse("ok", content_type="text/plain")


def add_service_errors(
    form: Form, error: ApplicationError | ValidationError, *, aliases: dict | None = None
) -> None:
    """Show a service's refusal next to the fields it names; the rest goes on top of the form.

    Services raise ApplicationError with `.fields` ({field: [messages]}), or a model's
    ValidationError from `full_clean()`. `aliases` maps a service field to the form's name
    for it (the service's `contact_email` is the registration form's `email`).
    """
    aliases = aliases or {}
    if isinstance(error, ApplicationError):
        fields, summary = error.fields, [error.message]
    elif hasattr(error, "error_dict"):
        fields, summary = error.message_dict, []
    else:
        fields, summary = {}, error.messages
    if not fields:
        for message in summary:
            form.add_error(None, message)
        return
    for field, messages in fields.items():
        name = aliases.get(field, field)
        target = name if name in form.fields and name != NON_FIELD_ERRORS else None
        for message in messages:
            form.add_error(target, message)
