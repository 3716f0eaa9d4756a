"""REST API of market entities: register once, public profile, members, history."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.models import ENTITY_ROLES, Role
from portal.accounts.policies import can_edit_entity, can_view_entity_history
from portal.centres.models import Region
from portal.entities import services
from portal.entities.models import EntityType, MarketEntity
from portal.entities.selectors import entity_profile_history
from portal.errors import ApplicationError


class QualificationOutput(serializers.Serializer):
    kind = serializers.CharField()
    grade = serializers.CharField()
    certificate_number = serializers.CharField()
    issuer = serializers.CharField()
    valid_until = serializers.DateField(allow_null=True)


class EntityPublicOutput(serializers.Serializer):
    """What anyone may see of an entity. Bank details and contacts' e-mail stay private."""

    uscc = serializers.CharField()
    name = serializers.CharField()
    entity_type = serializers.CharField()
    entity_type_display = serializers.CharField(source="get_entity_type_display")
    legal_representative = serializers.CharField()
    region = serializers.CharField(source="region.code")
    region_name = serializers.CharField(source="region.name")
    registered_at = serializers.DateTimeField()
    qualifications = QualificationOutput(many=True)


class EntityRegistrationApi(APIView):
    """POST /api/v1/entities/ — register a market entity once, with its first admin account."""

    permission_classes = [AllowAny]
    throttle_scope = "registration"

    class RegistrationInput(serializers.Serializer):
        uscc = serializers.CharField(max_length=40)
        name = serializers.CharField(max_length=200)
        entity_type = serializers.ChoiceField(choices=EntityType.choices)
        legal_representative = serializers.CharField(max_length=64)
        region = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.all())
        contact_phone = serializers.CharField(max_length=32)
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(write_only=True, style={"input_type": "password"})
        email = serializers.EmailField(required=False, allow_blank=True, default="")
        role = serializers.ChoiceField(
            choices=[(r.value, r.label) for r in Role if r in ENTITY_ROLES],
            default=Role.BIDDER.value,
        )

    @extend_schema(request=RegistrationInput, responses={201: EntityPublicOutput})
    def post(self, request):
        data = self.RegistrationInput(data=request.data)
        data.is_valid(raise_exception=True)
        entity, _user = services.register_entity(**data.validated_data)
        return Response(EntityPublicOutput(entity).data, status=status.HTTP_201_CREATED)


class EntityDetailApi(APIView):
    """GET /api/v1/entities/{uscc}/ — the public profile. PATCH — the entity's admin edits it."""

    permission_classes = [AllowAny]

    class ProfileUpdateInput(serializers.Serializer):
        name = serializers.CharField(max_length=200, required=False)
        legal_representative = serializers.CharField(max_length=64, required=False)
        region = serializers.SlugRelatedField(
            slug_field="code", queryset=Region.objects.all(), required=False
        )
        address = serializers.CharField(max_length=256, required=False, allow_blank=True)
        contact_name = serializers.CharField(max_length=64, required=False, allow_blank=True)
        contact_phone = serializers.CharField(max_length=32, required=False)
        contact_email = serializers.EmailField(required=False, allow_blank=True)
        bank_name = serializers.CharField(max_length=128, required=False, allow_blank=True)
        bank_account_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
        bank_account_number = serializers.CharField(max_length=40, required=False, allow_blank=True)

    def _get(self, uscc: str) -> MarketEntity:
        return get_object_or_404(
            MarketEntity.objects.select_related("region").prefetch_related("qualifications"),
            uscc=uscc.upper(),
        )

    @extend_schema(responses=EntityPublicOutput)
    def get(self, request, uscc: str):
        return Response(EntityPublicOutput(self._get(uscc)).data)

    @extend_schema(request=ProfileUpdateInput, responses=EntityPublicOutput)
    def patch(self, request, uscc: str):
        entity = self._get(uscc)
        if not request.user.is_authenticated:
            raise ApplicationError(
                _("Authentication required."), code="not_authenticated", status_code=401
            )
        if not can_edit_entity(request.user, entity):
            raise ApplicationError(
                _("Only this entity's administrator may edit its profile."),
                code="permission_denied",
                status_code=403,
            )
        data = self.ProfileUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        entity = services.update_entity_profile(
            entity=entity, actor=request.user, **data.validated_data
        )
        return Response(EntityPublicOutput(self._get(entity.uscc)).data)


class EntityHistoryApi(APIView):
    """GET /api/v1/entities/{uscc}/history/ — who changed what and when (members, regulators)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=inline_serializer(
            "EntityHistoryItem",
            {
                "changed_at": serializers.DateTimeField(),
                "changed_by": serializers.CharField(allow_null=True),
                "kind": serializers.CharField(),
                "changes": serializers.DictField(),
            },
            many=True,
        )
    )
    def get(self, request, uscc: str):
        entity = get_object_or_404(MarketEntity, uscc=uscc.upper())
        if not can_view_entity_history(request.user, entity):
            raise ApplicationError(
                _("Only the entity's members and regulators see its history."),
                code="permission_denied",
                status_code=403,
            )
        return Response(entity_profile_history(entity))


class InvitationApi(APIView):
    """POST /api/v1/entities/{uscc}/invitations/ — the entity's admin invites a colleague."""

    permission_classes = [IsAuthenticated]

    class InvitationInput(serializers.Serializer):
        email = serializers.EmailField()
        role = serializers.ChoiceField(
            choices=[(r.value, r.label) for r in Role if r in ENTITY_ROLES],
            default=Role.BIDDER.value,
        )

    @extend_schema(
        request=InvitationInput,
        responses={
            201: inline_serializer(
                "InvitationOutput",
                {"token": serializers.CharField(), "expires_at": serializers.DateTimeField()},
            )
        },
    )
    def post(self, request, uscc: str):
        entity = get_object_or_404(MarketEntity, uscc=uscc.upper())
        if not can_edit_entity(request.user, entity):
            raise ApplicationError(
                _("Only this entity's administrator may invite members."),
                code="permission_denied",
                status_code=403,
            )
        data = self.InvitationInput(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = services.invite_member(
            entity=entity, actor=request.user, **data.validated_data
        )
        return Response(
            {"token": invitation.token, "expires_at": invitation.expires_at},
            status=status.HTTP_201_CREATED,
        )


class InvitationAcceptApi(APIView):
    """POST /api/v1/invitations/{token}/accept/ — join an entity with a new account."""

    permission_classes = [AllowAny]

    class InvitationAcceptInput(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(write_only=True)

    @extend_schema(
        request=InvitationAcceptInput,
        responses={
            201: inline_serializer(
                "AcceptedOutput",
                {"username": serializers.CharField(), "entity": serializers.CharField()},
            )
        },
    )
    def post(self, request, token: str):
        data = self.InvitationAcceptInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.accept_invitation(token=token, **data.validated_data)
        return Response(
            {"username": user.username, "entity": user.entity.uscc}, status=status.HTTP_201_CREATED
        )
