"""Web pages of market entities: register once, the public profile, its upkeep and history."""

import copy

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from portal.accounts.models import Role
from portal.accounts.policies import can_edit_entity, can_view_entity_history
from portal.centres.models import Region
from portal.entities import services
from portal.entities.forms import (
    EntityLookupForm,
    EntityProfileForm,
    EntityRegistrationForm,
    InvitationAcceptForm,
    InvitationForm,
    QualificationForm,
)
from portal.entities.models import EntityInvitation, MarketEntity
from portal.entities.selectors import entity_profile_history
from portal.errors import ApplicationError
from portal.views import add_service_errors

# Several authentication backends are configured; a fresh account logs in with the model one.
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _entity_or_404(uscc: str) -> MarketEntity:
    return get_object_or_404(MarketEntity.objects.select_related("region"), uscc=uscc.upper())


def _entity_for_admin(request, uscc: str) -> MarketEntity:
    """The entity, if the logged-in user administers it; 403 otherwise (the entity is public)."""
    entity = _entity_or_404(uscc)
    if not can_edit_entity(request.user, entity):
        raise PermissionDenied(_("Only this entity's administrator may do this."))
    return entity


@require_http_methods(["GET", "POST"])
def register(request):
    form = EntityRegistrationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entity, user = services.register_entity(
                uscc=data["uscc"],
                name=data["name"],
                entity_type=data["entity_type"],
                legal_representative=data["legal_representative"],
                region=data["region"],
                contact_phone=data["contact_phone"],
                email=data["email"],
                username=data["username"],
                password=data["password"],
                role=data["role"],
            )
        except (ApplicationError, ValidationError) as exc:
            add_service_errors(form, exc, aliases={"contact_email": "email"})
        else:
            login(request, user, backend=MODEL_BACKEND)
            messages.success(
                request,
                _("%(name)s is registered. The registration is valid on the whole platform.")
                % {"name": entity.name},
            )
            return redirect("entities:detail", uscc=entity.uscc)
    return render(request, "entities/register.html", {"form": form})


@require_GET
def check_uscc(request):
    """The registration form's live check of the code (htmx): the field's message only."""
    code = request.GET.get("uscc", "")
    context = {"code": code.strip().upper(), "errors": [], "checked": bool(code.strip())}
    if context["checked"]:
        try:
            context["code"] = services.check_uscc_available(code)
        except ApplicationError as exc:
            context["errors"] = exc.fields.get("uscc", [exc.message])
    return render(request, "entities/_uscc_check.html", context)


@require_GET
def lookup(request):
    """Find an entity's profile by its code (a GET form on the regulator's area)."""
    form = EntityLookupForm(request.GET)
    if not form.is_valid():
        raise Http404
    return redirect("entities:detail", uscc=form.cleaned_data["uscc"].strip().upper())


@require_GET
def detail(request, uscc: str):
    entity = get_object_or_404(
        MarketEntity.objects.select_related("region").prefetch_related("qualifications"),
        uscc=uscc.upper(),
    )
    return render(
        request,
        "entities/detail.html",
        {
            "entity": entity,
            "can_edit": can_edit_entity(request.user, entity),
            "can_view_history": can_view_entity_history(request.user, entity),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, uscc: str):
    entity = _entity_for_admin(request, uscc)
    # The form validates a copy (it writes the input onto its instance); the service locks
    # and re-reads the row itself.
    form = EntityProfileForm(
        request.POST if request.method == "POST" else None, instance=copy.copy(entity)
    )
    if request.method == "POST" and form.is_valid():
        changes = {field: form.cleaned_data[field] for field in form.changed_data}
        try:
            services.update_entity_profile(entity=entity, actor=request.user, **changes)
        except (ApplicationError, ValidationError) as exc:
            add_service_errors(form, exc)
        else:
            if changes:
                messages.success(request, _("The profile is saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("entities:detail", uscc=entity.uscc)
    return render(
        request,
        "entities/edit.html",
        {"entity": entity, "form": form, "qualification_form": QualificationForm()},
    )


@login_required
@require_http_methods(["POST"])
def add_qualification(request, uscc: str):
    entity = _entity_for_admin(request, uscc)
    form = QualificationForm(request.POST)
    if form.is_valid():
        try:
            services.add_qualification(entity=entity, actor=request.user, **form.cleaned_data)
        except (ApplicationError, ValidationError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The qualification is added."))
            return redirect("entities:detail", uscc=entity.uscc)
    return render(
        request,
        "entities/edit.html",
        {
            "entity": entity,
            "form": EntityProfileForm(instance=entity),
            "qualification_form": form,
        },
    )


@login_required
@require_GET
def history(request, uscc: str):
    entity = _entity_or_404(uscc)
    if not can_view_entity_history(request.user, entity):
        raise PermissionDenied(_("Only the entity's members and regulators see its history."))
    return render(
        request,
        "entities/history.html",
        {
            "entity": entity,
            "items": _readable_history(entity_profile_history(entity)),
            "can_edit": can_edit_entity(request.user, entity),
        },
    )


def _readable_history(items: list[dict]) -> list[dict]:
    """Fields by their label, choices and regions by name: the selector gives stored values."""
    region_ids = {
        value
        for item in items
        for value in (item["changes"].get("region") or {}).values()
        if value is not None
    }
    regions = {region.pk: str(region) for region in Region.objects.filter(pk__in=region_ids)}

    def readable(field, value):
        if field.name == "region":
            return regions.get(value, value)
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        return value

    readable_items = []
    for item in items:
        changes = []
        for name, change in item["changes"].items():
            field = MarketEntity._meta.get_field(name)
            changes.append(
                {
                    "label": field.verbose_name,
                    "from": readable(field, change["from"]),
                    "to": readable(field, change["to"]),
                }
            )
        readable_items.append({**item, "changes": changes})
    return readable_items


@login_required
@require_http_methods(["GET", "POST"])
def invite(request, uscc: str):
    entity = _entity_for_admin(request, uscc)
    form = InvitationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invite_member(
                entity=entity, actor=request.user, **form.cleaned_data
            )
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The invitation for %(email)s is ready: send them the link below.")
                % {"email": invitation.email},
            )
            return redirect("entities:invite", uscc=entity.uscc)
    pending = [
        {
            "invitation": invitation,
            "role": Role(invitation.role).label,
            "link": request.build_absolute_uri(reverse("entities:accept", args=[invitation.token])),
        }
        for invitation in entity.invitations.filter(
            accepted_by__isnull=True, expires_at__gt=timezone.now()
        )
    ]
    return render(
        request, "entities/invite.html", {"entity": entity, "form": form, "pending": pending}
    )


@require_http_methods(["GET", "POST"])
def accept(request, token: str):
    invitation = get_object_or_404(
        EntityInvitation.objects.select_related("entity"), token=token, accepted_by__isnull=True
    )
    expired = invitation.expires_at <= timezone.now()
    form = InvitationAcceptForm(
        request.POST if request.method == "POST" else None, email=invitation.email
    )
    if request.method == "POST" and not expired and form.is_valid():
        try:
            user = services.accept_invitation(
                token=token,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
            )
        except ApplicationError as exc:
            if exc.status_code == 404:
                raise Http404 from exc
            add_service_errors(form, exc)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            login(request, user, backend=MODEL_BACKEND)
            messages.success(
                request, _("Welcome: you are a member of %(name)s.") % {"name": user.entity.name}
            )
            return redirect("accounts:dashboard")
    return render(
        request,
        "entities/accept.html",
        {
            "invitation": invitation,
            "role": Role(invitation.role).label,
            "form": form,
            "expired": expired,
        },
    )
