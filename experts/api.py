"""REST API of the expert pool. Views parse and render; rules live in services and policies.

There is deliberately no endpoint, field or parameter that names an expert for a draw: a
request naming, preferring or excluding one is refused (F2).
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from experts import policies, selectors, services
from experts.models import DrawInvitation, ExpertDraw
from portal.errors import ApplicationError

# --- Specialties -------------------------------------------------------------------------


class ExpertSpecialtyOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.IntegerField()
    parent = serializers.CharField(source="parent.code", allow_null=True, default=None)
    needs_confirmation = serializers.BooleanField(
        help_text="True while the code is not confirmed against the official classification."
    )
    source = serializers.CharField()


class ExpertSpecialtyListApi(APIView):
    """GET /api/v1/experts/specialties/ — the specialty classification, public."""

    permission_classes = [AllowAny]

    @extend_schema(responses=ExpertSpecialtyOutput(many=True))
    def get(self, request):
        specialties = selectors.active_specialties()
        return Response(ExpertSpecialtyOutput(specialties, many=True).data)


# --- Draws ---------------------------------------------------------------------------------


class ExpertDrawSpecialtyInput(serializers.Serializer):
    code = serializers.CharField(max_length=16)
    count = serializers.IntegerField(min_value=1, max_value=services.draws.MAX_EXPERTS_PER_DRAW)
    backups = serializers.IntegerField(min_value=0, required=False)


class ExpertDrawRequestInput(serializers.Serializer):
    specialties = ExpertDrawSpecialtyInput(many=True, allow_empty=False)
    needed_at = serializers.DateTimeField(help_text="When the evaluation starts.")
    needed_until = serializers.DateTimeField(
        required=False,
        help_text=f"When it ends; default: {services.draws.DEFAULT_EVALUATION_HOURS} hours "
        "after the start.",
    )
    region_scope = serializers.ChoiceField(choices=ExpertDraw.RegionScope.choices)
    backups = serializers.IntegerField(
        min_value=0, default=0, help_text="Reserves per specialty (a line may set its own)."
    )
    lot = serializers.IntegerField(required=False, allow_null=True, default=None)


class ExpertDrawGroupOutput(serializers.Serializer):
    specialty = serializers.CharField(source="specialty_code")
    count = serializers.IntegerField()
    backups = serializers.IntegerField()


class ExpertDrawOutput(serializers.Serializer):
    """What the operation side may know: the count and the commitment, never a name."""

    id = serializers.IntegerField()
    project = serializers.IntegerField(source="project_id")
    lot = serializers.IntegerField(source="lot_id", allow_null=True)
    state = serializers.CharField(
        help_text="committed, drawn, failed, revealed (the evaluation started) or cancelled."
    )
    drawn = serializers.SerializerMethodField(help_text="How many members the draw seats.")
    groups = ExpertDrawGroupOutput(many=True)
    commitment = serializers.CharField(help_text="SHA-256 of the seed, published in advance.")
    eligible_digest = serializers.CharField()
    commit_log_seq = serializers.IntegerField(allow_null=True)
    public_value = serializers.CharField()
    algorithm = serializers.CharField()
    needed_at = serializers.DateTimeField(source="needed_from")
    needed_until = serializers.DateTimeField()
    region_scope = serializers.CharField()
    requested_at = serializers.DateTimeField()

    def get_drawn(self, draw) -> int:
        return selectors.drawn_count(draw)


class ExpertDrawMemberOutput(serializers.Serializer):
    full_name = serializers.CharField(source="expert.full_name")
    username = serializers.CharField(source="expert.user.username")
    specialty = serializers.CharField(source="group.specialty_code")
    state = serializers.CharField()


class ExpertDrawStatusOutput(ExpertDrawOutput):
    invitations = serializers.DictField(
        child=serializers.IntegerField(), help_text="Invitations by state, without names."
    )
    members = ExpertDrawMemberOutput(
        many=True,
        allow_null=True,
        help_text="Null while sealed, and for readers who may not see the names.",
    )


def _draw_for_reader(user, draw_id: int) -> ExpertDraw:
    draw = get_object_or_404(selectors.draws_with_groups(), pk=draw_id)
    if not policies.can_view_draw(user, draw):
        raise ApplicationError(_("Not found."), code="not_found", status_code=404)
    return draw


class ProjectExpertDrawApi(APIView):
    """POST /api/v1/projects/{id}/expert-draws/ — draw experts for the project's evaluation.

    The drawer (any project) or a county port (its centre's projects) asks for specialties
    with counts, the time, a region scope and reserves. 201 with the draw's id, its
    commitment and the number drawn — no names. The parties to avoid come from trading; any
    field naming, preferring or excluding an expert is refused (400 designation_refused)."""

    @extend_schema(request=ExpertDrawRequestInput, responses={201: ExpertDrawOutput})
    def post(self, request, project_id: int):
        if isinstance(request.data, dict):
            services.check_request_keys(request.data.keys())
            for line in request.data.get("specialties") or []:
                if isinstance(line, dict):
                    services.check_request_keys(
                        {f"specialties.{key}" for key in line.keys() - {"code", "count", "backups"}}
                    )
        data = ExpertDrawRequestInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        draw = services.draw_experts(
            actor=request.user,
            project_id=project_id,
            specialties=[
                services.SpecialtyCount(
                    code=line["code"], count=line["count"], backups=line.get("backups")
                )
                for line in values["specialties"]
            ],
            needed_from=values["needed_at"],
            needed_until=values.get("needed_until"),
            region_scope=values["region_scope"],
            backups=values["backups"],
            lot_id=values["lot"],
        )
        draw = selectors.draws_with_groups().get(pk=draw.pk)
        return Response(ExpertDrawOutput(draw).data, status=status.HTTP_201_CREATED)


class ExpertDrawDetailApi(APIView):
    """GET /api/v1/expert-draws/{id}/ — the draw's state for those who follow it: the count,
    the commitment, invitations by state; the names only once the evaluation has started,
    and only for the centre hosting it, the pool supervisor and regulators."""

    @extend_schema(responses=ExpertDrawStatusOutput)
    def get(self, request, draw_id: int):
        draw = _draw_for_reader(request.user, draw_id)
        services.sweep_draw(draw=draw)
        body = ExpertDrawOutput(draw).data
        body["invitations"] = selectors.invitation_summary(draw)
        body["members"] = (
            ExpertDrawMemberOutput(selectors.members_of(draw), many=True).data
            if policies.can_see_names(request.user, draw)
            else None
        )
        return Response(body)


class ExpertDrawCancelInput(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class ExpertDrawCancelApi(APIView):
    """POST /api/v1/expert-draws/{id}/cancel/ — the evaluation will not happen as drawn."""

    @extend_schema(request=ExpertDrawCancelInput, responses=ExpertDrawOutput)
    def post(self, request, draw_id: int):
        draw = _draw_for_reader(request.user, draw_id)
        data = ExpertDrawCancelInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.cancel_draw(draw=draw, actor=request.user, reason=data.validated_data["reason"])
        return Response(ExpertDrawOutput(selectors.draws_with_groups().get(pk=draw.pk)).data)


# --- The audit record -----------------------------------------------------------------------


class ExpertAuditPartiesOutput(serializers.Serializer):
    tenderee = serializers.CharField()
    agent = serializers.CharField(allow_blank=True)
    bidders = serializers.ListField(child=serializers.CharField())


class ExpertAuditGroupOutput(serializers.Serializer):
    position = serializers.IntegerField()
    specialty = serializers.CharField()
    count = serializers.IntegerField()
    backups = serializers.IntegerField()
    eligible = serializers.ListField(child=serializers.IntegerField())
    eligible_digest = serializers.CharField()


class ExpertAuditReasonOutput(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField(allow_blank=True)


class ExpertAuditExclusionOutput(serializers.Serializer):
    expert = serializers.IntegerField()
    reasons = ExpertAuditReasonOutput(many=True)


class ExpertAuditInvitationOutput(serializers.Serializer):
    seq = serializers.IntegerField()
    group = serializers.IntegerField()
    expert = serializers.IntegerField(allow_null=True)
    state = serializers.CharField()
    vacated_seq = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField(allow_blank=True)


class ExpertDrawAuditOutput(serializers.Serializer):
    """Enough to re-run the draw (`experts.draw_plan.verify_draw`) once the seed is revealed;
    while the names are sealed, `seed`, the experts of `invitations`, `vacancies` and
    `members` are null."""

    draw = serializers.IntegerField()
    state = serializers.CharField()
    algorithm = serializers.CharField()
    algorithm_description = serializers.CharField()
    project = serializers.IntegerField()
    lot = serializers.IntegerField(allow_null=True)
    category = serializers.CharField()
    centre = serializers.IntegerField()
    requested_by = serializers.IntegerField()
    requested_at = serializers.DateTimeField()
    needed_from = serializers.DateTimeField()
    needed_until = serializers.DateTimeField()
    region_scope = serializers.CharField()
    home_regions = serializers.ListField(child=serializers.CharField())
    parties = ExpertAuditPartiesOutput()
    rules = serializers.DictField(child=serializers.IntegerField())
    commitment = serializers.CharField()
    commit_log_seq = serializers.IntegerField(allow_null=True)
    public_value = serializers.CharField()
    seed = serializers.CharField(allow_null=True)
    eligible_digest = serializers.CharField()
    groups = ExpertAuditGroupOutput(many=True)
    exclusions = ExpertAuditExclusionOutput(many=True)
    invitations = ExpertAuditInvitationOutput(many=True)
    vacancies = serializers.ListField(child=serializers.IntegerField(), allow_null=True)
    members = serializers.ListField(child=serializers.IntegerField(), allow_null=True)
    drawn_at = serializers.DateTimeField(allow_null=True)
    revealed_at = serializers.DateTimeField(allow_null=True)
    failure_reason = serializers.CharField(allow_blank=True)


class ExpertDrawAuditApi(APIView):
    """GET /api/v1/expert-draws/{id}/audit/ — the audit record, for the pool supervisor and
    regulators (403 to others who follow the draw, 404 to everyone else)."""

    @extend_schema(responses=ExpertDrawAuditOutput)
    def get(self, request, draw_id: int):
        draw = _draw_for_reader(request.user, draw_id)
        if not policies.can_audit_draws(request.user):
            raise ApplicationError(
                _("Only the pool supervisor and regulators read the audit record."),
                code="permission_denied",
                status_code=403,
            )
        return Response(ExpertDrawAuditOutput(selectors.audit_record(draw)).data)


# --- The expert's invitations ---------------------------------------------------------------


class ExpertInvitationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    specialty = serializers.CharField(source="group.specialty_code")
    centre = serializers.CharField(source="draw.centre.name")
    region_scope = serializers.CharField(source="draw.region_scope")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    respond_by = serializers.DateTimeField()
    state = serializers.CharField()


class ExpertInvitationListApi(APIView):
    """GET /api/v1/expert-invitations/ — the signed-in expert's own invitations."""

    @extend_schema(responses=ExpertInvitationOutput(many=True))
    def get(self, request):
        invitations = selectors.invitations_for_expert(request.user)
        return Response(ExpertInvitationOutput(invitations, many=True).data)


class ExpertInvitationResponseInput(serializers.Serializer):
    accept = serializers.BooleanField()
    recuse = serializers.BooleanField(
        default=False, help_text="Declining because of a conflict of interest (回避)."
    )
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ExpertInvitationResponseApi(APIView):
    """POST /api/v1/expert-invitations/{id}/response/ — the expert confirms or declines; a
    decline draws a further expert from the same eligible set."""

    @extend_schema(request=ExpertInvitationResponseInput, responses=ExpertInvitationOutput)
    def post(self, request, invitation_id: int):
        invitation = get_object_or_404(
            DrawInvitation.objects.select_related("expert", "draw"), pk=invitation_id
        )
        data = ExpertInvitationResponseInput(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = services.respond_to_invitation(
            invitation=invitation, actor=request.user, **data.validated_data
        )
        invitation = selectors.invitations_for_expert(request.user).get(pk=invitation.pk)
        return Response(ExpertInvitationOutput(invitation).data)
