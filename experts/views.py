"""Web pages of the expert pool, one area per end of the three-end separation (F6):

- the pool maintainer: the pool (sub-pools by specialty and region), a profile, admission,
  assessment, suspension, exit;
- the drawer (and county ports): the draw form, the draw's result (count and commitment);
- the pool supervisor and regulators: everything read-only, and the audit record re-run;
- the expert: the application, declarations, and the invitations to confirm or decline.

Views parse and render only; every rule is in the services and policies.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from experts import draw_plan, forms, policies, selectors, services
from experts.models import DrawInvitation, ExpertDraw, ExpertProfile
from experts.rules import years_between
from portal.accounts.models import Role
from portal.errors import ApplicationError
from portal.views import add_service_errors

PAGE_SIZE = 50


@login_required
@require_GET
def index(request):
    """Each role lands on its own area."""
    user = request.user
    if policies.is_expert(user):
        return redirect("experts:me")
    if policies.can_read_pool(user) and user.role != Role.REGULATOR:
        return redirect("experts:pool")
    if policies.can_read_draws_list(user):
        return redirect("experts:draws")
    raise PermissionDenied(_("The expert pool has no area for your role."))


# --- The expert --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def me(request):
    if not policies.is_expert(request.user):
        raise PermissionDenied(_("This area is for evaluation experts."))
    profile = ExpertProfile.objects.filter(user=request.user).first()
    can_apply = profile is None or profile.status == ExpertProfile.Status.REFUSED
    application = forms.ApplicationForm(prefix="apply") if can_apply else None
    relation_form = forms.RelationForm(prefix="relation")
    unavailability_form = forms.UnavailabilityForm(prefix="absence")
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "apply" and can_apply:
                application = forms.ApplicationForm(request.POST, prefix="apply")
                if application.is_valid():
                    services.apply_for_admission(user=request.user, **application.cleaned_data)
                    messages.success(request, _("Your application has been sent."))
                    return redirect("experts:me")
            elif action == "relation" and profile is not None:
                relation_form = forms.RelationForm(request.POST, prefix="relation")
                if relation_form.is_valid():
                    services.declare_relation(
                        profile=profile, actor=request.user, **relation_form.cleaned_data
                    )
                    messages.success(request, _("The relation is declared."))
                    return redirect("experts:me")
            elif action == "absence" and profile is not None:
                unavailability_form = forms.UnavailabilityForm(request.POST, prefix="absence")
                if unavailability_form.is_valid():
                    services.declare_unavailability(
                        profile=profile, actor=request.user, **unavailability_form.cleaned_data
                    )
                    messages.success(request, _("The period is recorded."))
                    return redirect("experts:me")
        except ApplicationError as exc:
            target = {
                "apply": application,
                "relation": relation_form,
                "absence": unavailability_form,
            }.get(action)
            if target is None:
                raise
            add_service_errors(target, exc)
    context = {
        "profile": profile,
        "application": application,
        "relation_form": relation_form,
        "unavailability_form": unavailability_form,
        "invitations": selectors.invitations_for_expert(request.user)[:20],
    }
    if profile is not None:
        context["relations"] = profile.relations.all()
        context["unavailabilities"] = profile.unavailabilities.order_by("-starts_at")[:20]
        context["specialties"] = profile.specialties.order_by("code")
    return render(request, "experts/me.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def invitation(request, pk: int):
    invitation = get_object_or_404(
        DrawInvitation.objects.select_related("expert", "draw__centre", "group"), pk=pk
    )
    if not policies.owns_profile(request.user, invitation.expert):
        raise Http404
    services.sweep_draw(draw=invitation.draw)
    form = forms.InvitationAnswerForm()
    if request.method == "POST":
        form = forms.InvitationAnswerForm(request.POST)
        if form.is_valid():
            answer = form.cleaned_data["answer"]
            try:
                services.respond_to_invitation(
                    invitation=invitation,
                    actor=request.user,
                    accept=answer == "confirm",
                    recuse=answer == "recuse",
                    reason=form.cleaned_data["reason"],
                )
            except ApplicationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Your answer is recorded."))
                return redirect("experts:invitation", pk=pk)
    invitation.refresh_from_db()
    return render(
        request,
        "experts/invitation.html",
        {"invitation": invitation, "draw": invitation.draw, "form": form},
    )


# --- The pool maintainer, the supervisor, regulators ---------------------------------------


def _require_pool_reader(user) -> None:
    if not policies.can_read_pool(user):
        raise PermissionDenied(_("Only the pool maintainer, its supervisor and regulators."))


@login_required
@require_GET
def pool(request):
    _require_pool_reader(request.user)
    filters = forms.PoolFilterForm(request.GET or None)
    values = filters.cleaned_data if filters.is_valid() else {}
    experts = selectors.pool_listing(
        specialty_code=values["specialty"].code if values.get("specialty") else "",
        region_code=values["region"].code if values.get("region") else "",
        status=values.get("status") or "",
    )
    page = Paginator(experts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "experts/pool.html",
        {
            "filters": filters,
            "page": page,
            "can_maintain": policies.can_maintain_pool(request.user),
            "query": request.GET.urlencode(),
        },
    )


POOL_ACTIONS = {
    "admit": forms.AdmitForm,
    "refuse": forms.ReasonForm,
    "assess": forms.AssessmentForm,
    "suspend": forms.ReasonForm,
    "reinstate": None,
    "retire": forms.ReasonForm,
}


def _run_pool_action(action: str, profile, actor, data: dict):
    if action == "admit":
        return services.admit_expert(profile=profile, actor=actor, **data)
    if action == "refuse":
        return services.refuse_application(profile=profile, actor=actor, **data)
    if action == "assess":
        return services.record_assessment(profile=profile, actor=actor, **data)
    if action == "suspend":
        return services.suspend_expert(profile=profile, actor=actor, **data)
    if action == "reinstate":
        return services.reinstate_expert(profile=profile, actor=actor)
    return services.retire_expert(profile=profile, actor=actor, **data)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request, pk: int):
    _require_pool_reader(request.user)
    profile = get_object_or_404(
        ExpertProfile.objects.select_related("region", "user", "employer"), pk=pk
    )
    can_maintain = policies.can_maintain_pool(request.user)
    action_forms = {
        name: (form_class() if form_class else None) for name, form_class in POOL_ACTIONS.items()
    }
    conduct_form = (
        forms.ConductForm(
            experts=ExpertProfile.objects.filter(pk=profile.pk), initial={"expert": profile}
        )
        if policies.can_record_conduct(request.user)
        else None
    )
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "conduct" and conduct_form is not None:
            conduct_form = forms.ConductForm(
                request.POST, experts=ExpertProfile.objects.filter(pk=profile.pk)
            )
            if conduct_form.is_valid():
                data = dict(conduct_form.cleaned_data)
                try:
                    services.record_conduct(expert=data.pop("expert"), actor=request.user, **data)
                except ApplicationError as exc:
                    add_service_errors(conduct_form, exc)
                else:
                    messages.success(request, _("The conduct is recorded."))
                    return redirect("experts:profile", pk=pk)
        elif action in POOL_ACTIONS:
            if not can_maintain:
                raise PermissionDenied(_("Only the pool maintainer changes the pool."))
            form_class = POOL_ACTIONS[action]
            form = form_class(request.POST) if form_class else None
            if form is None or form.is_valid():
                try:
                    _run_pool_action(
                        action, profile, request.user, form.cleaned_data if form else {}
                    )
                except ApplicationError as exc:
                    if form is None:
                        messages.error(request, exc.message)
                        return redirect("experts:profile", pk=pk)
                    add_service_errors(form, exc)
                else:
                    messages.success(request, _("Done."))
                    return redirect("experts:profile", pk=pk)
            action_forms[action] = form
        else:
            raise PermissionDenied(_("Unknown action."))
    context = {
        "profile": profile,
        "can_maintain": can_maintain,
        "action_forms": action_forms,
        "conduct_form": conduct_form,
        "specialties": profile.specialties.order_by("code"),
        "relations": profile.relations.all(),
        "unavailabilities": profile.unavailabilities.order_by("-starts_at")[:20],
        "assessments": profile.assessments.all()[:10],
        "conduct": profile.conduct_records.select_related("recorded_by")[:20],
        "blacklist": profile.blacklist_entries.all()[:10],
        "credit_score": selectors.credit_score_of(profile),
        "minimum_years": services.pool.minimum_experience_years(),
        "years": _years(profile),
    }
    return render(request, "experts/profile.html", context)


def _years(profile) -> int:
    return years_between(profile.career_started_on, timezone.localdate())


# --- Draws ---------------------------------------------------------------------------------


@login_required
@require_GET
def draws(request):
    if not policies.can_read_draws_list(request.user):
        raise PermissionDenied(_("You follow no draws."))
    page = Paginator(selectors.draws_for_reader(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "experts/draws.html",
        {"page": page, "can_request": policies.can_request_any_draw(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def draw_new(request):
    if not policies.can_request_any_draw(request.user):
        raise PermissionDenied(_("Draws are requested by the drawer or a county port."))
    form = forms.DrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            draw = services.draw_experts(
                actor=request.user,
                project_id=data["project"],
                lot_id=data["lot"],
                specialties=data["lines"],
                needed_from=data["needed_at"],
                needed_until=data["needed_until"],
                region_scope=data["region_scope"],
                backups=data["backups"],
            )
        except ApplicationError as exc:
            add_service_errors(
                form, exc, aliases={"specialties": "specialty_1", "needed_at": "needed_at"}
            )
        else:
            messages.success(request, _("The experts are drawn; their names stay sealed."))
            return redirect("experts:draw", pk=draw.pk)
    return render(request, "experts/draw_form.html", {"form": form})


def _draw_for(request, pk: int) -> ExpertDraw:
    draw = get_object_or_404(selectors.draws_with_groups(), pk=pk)
    if not policies.can_view_draw(request.user, draw):
        raise Http404
    return draw


@login_required
@require_GET
def draw(request, pk: int):
    draw = _draw_for(request, pk)
    services.sweep_draw(draw=draw)
    see_names = policies.can_see_names(request.user, draw)
    members = selectors.members_of(draw) if see_names else None
    conduct_form = None
    if members and policies.can_record_conduct(request.user, draw=draw):
        conduct_form = forms.ConductForm(
            experts=ExpertProfile.objects.filter(pk__in=[m.expert_id for m in members])
        )
    return render(
        request,
        "experts/draw.html",
        {
            "draw": draw,
            "drawn": selectors.drawn_count(draw),
            "summary": _summary(draw),
            "members": members,
            "can_cancel": draw.is_sealed and policies.can_cancel_draw(request.user, draw),
            "can_audit": policies.can_audit_draws(request.user),
            "cancel_form": forms.ReasonForm(),
            "conduct_form": conduct_form,
        },
    )


def _summary(draw: ExpertDraw) -> list[tuple[str, int]]:
    counts = selectors.invitation_summary(draw)
    return [
        (label, counts[state]) for state, label in DrawInvitation.State.choices if counts[state]
    ]


@login_required
@require_POST
def draw_cancel(request, pk: int):
    draw = _draw_for(request, pk)
    form = forms.ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.cancel_draw(draw=draw, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The draw is cancelled."))
    else:
        messages.error(request, _("A cancellation states its reason."))
    return redirect("experts:draw", pk=pk)


@login_required
@require_POST
def draw_conduct(request, pk: int):
    draw = _draw_for(request, pk)
    if draw.is_sealed or not policies.can_record_conduct(request.user, draw=draw):
        raise PermissionDenied(_("Regulators, and the centre that hosted the evaluation."))
    members = [m.expert_id for m in selectors.members_of(draw)]
    form = forms.ConductForm(request.POST, experts=ExpertProfile.objects.filter(pk__in=members))
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.record_conduct(
                expert=data.pop("expert"), actor=request.user, draw=draw, **data
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The conduct is recorded."))
    else:
        messages.error(request, _("Please correct the errors below."))
    return redirect("experts:draw", pk=pk)


@login_required
@require_GET
def draw_audit(request, pk: int):
    draw = _draw_for(request, pk)
    if not policies.can_audit_draws(request.user):
        raise PermissionDenied(_("Only the pool supervisor and regulators read the audit record."))
    record = selectors.audit_record(draw)
    verification = None
    if record["seed"]:
        try:
            drawn = draw_plan.verify_draw(record)
            verification = {"ok": record["members"] is None or drawn == record["members"]}
        except draw_plan.AuditMismatch as exc:
            verification = {"ok": False, "error": str(exc)}
    names = {}
    if not draw.is_sealed:
        ids = {row["expert"] for row in record["invitations"]}
        names = dict(ExpertProfile.objects.filter(pk__in=ids).values_list("pk", "full_name"))
    invitations = [{**row, "name": names.get(row["expert"], "")} for row in record["invitations"]]
    return render(
        request,
        "experts/draw_audit.html",
        {
            "draw": draw,
            "record": record,
            "verification": verification,
            "invitations": invitations,
            "eligible_sizes": [len(group["eligible"]) for group in record["groups"]],
        },
    )
