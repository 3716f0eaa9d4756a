"""REST API of sealed-bid trading (integrators and the national platform rely on these paths).

Views parse and render; every rule and permission lives in the services and selectors.
"""

from datetime import datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import Category, TradingMethod
from portal import proxy
from portal.accounts.models import User
from portal.centres.models import Centre, Region, Venue
from portal.entities.models import MarketEntity
from portal.errors import ApplicationError
from portal.sealed_uploads import envelope_too_large_message
from trading import evaluation, selectors
from trading.models import (
    Announcement,
    BidSecurity,
    BidSubmission,
    Contract,
    Lot,
    Objection,
    OpeningSession,
    Project,
)
from trading.services import awards, bids, committee, openings, projects
from trading.state_machine import suspension

MAX_DOCUMENT_BYTES = bids.MAX_DOCUMENT_BYTES


# --- Output shapes ---------------------------------------------------------------------


class LotOutput(serializers.ModelSerializer):
    class Meta:
        model = Lot
        fields = [
            "id",
            "number",
            "name",
            "estimate_amount",
            "bid_security_amount",
            "evaluation_method",
            "state",
            "failure_reason",
        ]


class ScheduleOutput(serializers.Serializer):
    documents_issued_at = serializers.DateTimeField()
    documents_sale_ends_at = serializers.DateTimeField()
    questions_deadline = serializers.DateTimeField(allow_null=True)
    bid_deadline = serializers.DateTimeField()
    opening_at = serializers.DateTimeField()


class ProjectOutput(serializers.ModelSerializer):
    category = serializers.CharField(source="category.code")
    method = serializers.CharField(source="method.code")
    tenderee = serializers.CharField(source="tenderee.name")
    tenderee_uscc = serializers.CharField(source="tenderee.uscc")
    agent = serializers.CharField(source="agent.name", allow_null=True, default=None)
    centre = serializers.CharField(source="centre.code")
    region = serializers.CharField(source="region.code")
    lots = LotOutput(many=True)
    schedule = ScheduleOutput(allow_null=True, default=None)
    suspended = serializers.SerializerMethodField(
        help_text="True while the competent department suspends the trade (a hold, H5): "
        "no step can be taken until it is lifted."
    )

    class Meta:
        model = Project
        fields = [
            "id",
            "transaction_code",
            "title",
            "category",
            "method",
            "subject",
            "funding_source",
            "tenderee",
            "tenderee_uscc",
            "agent",
            "centre",
            "region",
            "state",
            "suspended",
            "created_at",
            "registered_at",
            "lots",
            "schedule",
        ]

    def get_suspended(self, project: Project) -> bool:
        return suspension(project) is not None


class AnnouncementOutput(serializers.ModelSerializer):
    project_title = serializers.CharField(source="project.title")
    transaction_code = serializers.CharField(source="project.transaction_code")
    category = serializers.CharField(source="project.category.code")
    lot = serializers.IntegerField(source="lot.number", allow_null=True, default=None)

    class Meta:
        model = Announcement
        fields = [
            "id",
            "project",
            "project_title",
            "transaction_code",
            "category",
            "lot",
            "kind",
            "title",
            "body",
            "data",
            "published_at",
            "publicity_ends_at",
        ]


class BidReceiptOutput(serializers.Serializer):
    id = serializers.IntegerField()
    receipt_digest = serializers.CharField()
    salt = serializers.CharField()
    received_at = serializers.DateTimeField()
    envelope_digest = serializers.CharField()


class DecryptionOutput(serializers.Serializer):
    ok = serializers.BooleanField()
    cause = serializers.CharField()
    message = serializers.CharField(allow_blank=True)


def _project_output(project: Project) -> dict:
    return ProjectOutput(project).data


# --- Projects ---------------------------------------------------------------------------


class ProjectCreateApi(APIView):
    """POST /api/v1/projects/ — a tenderee (or its agent) submits a project with its lots."""

    class LotInput(serializers.Serializer):
        name = serializers.CharField(max_length=200)
        estimate_amount = serializers.DecimalField(
            max_digits=16, decimal_places=2, min_value=Decimal("0.01")
        )
        bid_security_amount = serializers.DecimalField(
            max_digits=16,
            decimal_places=2,
            min_value=Decimal(0),
            required=False,
            default=Decimal(0),
        )
        evaluation_method = serializers.ChoiceField(
            choices=Lot.EvaluationMethod.choices, default=Lot.EvaluationMethod.LOWEST_PRICE
        )

    class ProjectInput(serializers.Serializer):
        title = serializers.CharField(max_length=200)
        category = serializers.SlugRelatedField(slug_field="code", queryset=Category.objects.all())
        method = serializers.SlugRelatedField(
            slug_field="code", queryset=TradingMethod.objects.all()
        )
        subject = serializers.ChoiceField(choices=Project.Subject.choices)
        funding_source = serializers.ChoiceField(choices=Project.FundingSource.choices)
        centre = serializers.SlugRelatedField(slug_field="code", queryset=Centre.objects.all())
        region = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.all())
        tenderee = serializers.SlugRelatedField(
            slug_field="uscc", queryset=MarketEntity.objects.all(), required=False, allow_null=True
        )
        agent = serializers.SlugRelatedField(
            slug_field="uscc", queryset=MarketEntity.objects.all(), required=False, allow_null=True
        )
        approval_number = serializers.CharField(
            max_length=100, required=False, allow_blank=True, default=""
        )
        description = serializers.CharField(required=False, allow_blank=True, default="")
        lots = serializers.ListField(child=serializers.DictField(), min_length=1, max_length=200)

    @extend_schema(request=ProjectInput, responses={201: ProjectOutput})
    def post(self, request):
        data = self.ProjectInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        lot_inputs = []
        errors = {}
        for index, raw in enumerate(values.pop("lots")):
            lot = self.LotInput(data=raw)
            if lot.is_valid():
                lot_inputs.append(projects.LotInput(**lot.validated_data))
            else:
                errors[f"lots[{index}]"] = lot.errors
        if errors:
            raise serializers.ValidationError(errors)
        project = projects.submit_project(actor=request.user, lots=lot_inputs, **values)
        return Response(
            _project_output(selectors.project_detail(project.pk)), status=status.HTTP_201_CREATED
        )


class ProjectDetailApi(APIView):
    """GET /api/v1/projects/{id}/ — public once announced; before, to its parties and centre."""

    permission_classes = [AllowAny]

    @extend_schema(responses=ProjectOutput)
    def get(self, request, project_id: int):
        project = selectors.project_for_reader(request.user, project_id)
        return Response(_project_output(project))


class ProjectRegisterApi(APIView):
    """POST /api/v1/projects/{id}/register/ — centre staff register it (交易登记)."""

    @extend_schema(request=None, responses=ProjectOutput)
    def post(self, request, project_id: int):
        project = get_object_or_404(Project, pk=project_id)
        projects.register_project(project=project, actor=request.user)
        return Response(_project_output(selectors.project_detail(project_id)))


def _uploaded(files) -> list[tuple[str, bytes]]:
    documents = []
    for upload in files:
        if upload.size > MAX_DOCUMENT_BYTES:
            message = _("%(name)s is larger than %(limit)d MB.") % {
                "name": upload.name,
                "limit": MAX_DOCUMENT_BYTES // 2**20,
            }
            raise ApplicationError(
                message, code="document_too_large", fields={"documents": [message]}
            )
        documents.append((upload.name, upload.read()))
    return documents


class AnnouncementPublishApi(APIView):
    """POST /api/v1/projects/{id}/announcements/ — publish the tender announcement.

    400 with `violations` (rule, field, message, legal source) when the schedule or a bid
    security breaks a statutory rule; nothing is published then."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    class TenderInput(serializers.Serializer):
        title = serializers.CharField(max_length=250)
        body = serializers.CharField()
        documents_issued_at = serializers.DateTimeField()
        documents_sale_ends_at = serializers.DateTimeField()
        questions_deadline = serializers.DateTimeField(
            required=False, allow_null=True, default=None
        )
        bid_deadline = serializers.DateTimeField()
        opening_at = serializers.DateTimeField()
        bid_securities = serializers.DictField(
            child=serializers.DecimalField(max_digits=16, decimal_places=2, min_value=Decimal(0)),
            required=False,
            help_text="lot number → bid security (yuan)",
        )
        documents = serializers.ListField(child=serializers.FileField(), required=False)

    @extend_schema(request=TenderInput, responses={201: AnnouncementOutput})
    def post(self, request, project_id: int):
        project = get_object_or_404(Project, pk=project_id)
        data = self.TenderInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.pop("documents", None)
        securities = {int(k): v for k, v in (values.pop("bid_securities", None) or {}).items()}
        announcement = projects.publish_tender_announcement(
            project=project,
            actor=request.user,
            bid_securities=securities,
            documents=_uploaded(request.FILES.getlist("documents")),
            **values,
        )
        return Response(AnnouncementOutput(announcement).data, status=status.HTTP_201_CREATED)


class ClarificationApi(APIView):
    """POST /api/v1/projects/{id}/clarifications/ — a clarification or change notice."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    class ClarificationInput(serializers.Serializer):
        title = serializers.CharField(max_length=250)
        body = serializers.CharField()
        affects_bid_preparation = serializers.BooleanField()
        new_bid_deadline = serializers.DateTimeField(required=False, allow_null=True, default=None)

    @extend_schema(request=ClarificationInput, responses={201: AnnouncementOutput})
    def post(self, request, project_id: int):
        project = get_object_or_404(Project, pk=project_id)
        data = self.ClarificationInput(data=request.data)
        data.is_valid(raise_exception=True)
        announcement = projects.publish_clarification(
            project=project,
            actor=request.user,
            documents=_uploaded(request.FILES.getlist("documents")),
            **data.validated_data,
        )
        return Response(AnnouncementOutput(announcement).data, status=status.HTTP_201_CREATED)


class QuestionApi(APIView):
    """POST /api/v1/projects/{id}/questions/ — a bidder asks about the documents."""

    class QuestionInput(serializers.Serializer):
        text = serializers.CharField(max_length=4000)

    @extend_schema(
        request=QuestionInput,
        responses={201: inline_serializer("QuestionOutput", {"id": serializers.IntegerField()})},
    )
    def post(self, request, project_id: int):
        project = get_object_or_404(Project, pk=project_id)
        data = self.QuestionInput(data=request.data)
        data.is_valid(raise_exception=True)
        question = projects.ask_question(project=project, actor=request.user, **data.validated_data)
        return Response({"id": question.pk}, status=status.HTTP_201_CREATED)


# --- Bids -------------------------------------------------------------------------------


class BidsApi(APIView):
    """POST /api/v1/projects/{id}/bids/ — submit a sealed bid (multipart: lot, price,
    documents, secret, security). GET — before the opening, staff and the tenderee see only
    how many bids arrived per lot; a bidder sees its own; after the opening, the bids."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    class BidInput(serializers.Serializer):
        """Either the bid in clear with the secret, sealed by the server in this request, or
        an envelope the bidder sealed on its own machine with its declared receipt digest."""

        lot = serializers.IntegerField(help_text="lot number")
        price = serializers.DecimalField(
            max_digits=16, decimal_places=2, min_value=Decimal("0.01"), required=False
        )
        secret = serializers.CharField(
            write_only=True,
            trim_whitespace=False,
            max_length=512,
            required=False,
            help_text="the bidder's own decryption secret; never stored",
        )
        documents = serializers.ListField(
            child=serializers.FileField(), min_length=1, required=False
        )
        envelope = serializers.FileField(
            required=False,
            help_text=(
                "a sealed-bid envelope made on the bidder's machine (portal/sealing.py format); "
                "instead of price, secret and documents"
            ),
        )
        receipt_digest = serializers.CharField(
            max_length=64,
            required=False,
            help_text="with `envelope`: the salted receipt digest of the sealed package",
        )
        security_form = serializers.ChoiceField(choices=BidSecurity.Form.choices, required=False)
        security_amount = serializers.DecimalField(max_digits=16, decimal_places=2, required=False)
        security_payer_account = serializers.CharField(
            max_length=40, required=False, allow_blank=True, default=""
        )
        guarantee_issuer = serializers.CharField(
            max_length=128, required=False, allow_blank=True, default=""
        )
        guarantee_number = serializers.CharField(
            max_length=64, required=False, allow_blank=True, default=""
        )
        device_fingerprint = serializers.CharField(
            max_length=128, required=False, allow_blank=True, default=""
        )

        def validate(self, attrs):
            clear = [name for name in ("price", "secret", "documents") if name in attrs]
            sealed = [name for name in ("envelope", "receipt_digest") if name in attrs]
            if sealed and clear:
                raise serializers.ValidationError(
                    {
                        name: _("Send either an envelope you sealed, or the bid in clear.")
                        for name in clear
                    }
                )
            required = (
                ("envelope", "receipt_digest") if sealed else ("price", "secret", "documents")
            )
            missing = [name for name in required if name not in attrs]
            if missing:
                raise serializers.ValidationError(
                    {name: _("This field is required.") for name in missing}
                )
            return attrs

    @extend_schema(request={"multipart/form-data": BidInput}, responses={201: BidReceiptOutput})
    def post(self, request, project_id: int):
        data = self.BidInput(data=request.data)
        data.is_valid(raise_exception=True)
        # The body has been read: this is when the platform had the whole upload.
        received_at = proxy.body_received_at(request)
        values = data.validated_data
        lot = get_object_or_404(Lot, project_id=project_id, number=values["lot"])
        security = None
        if values.get("security_form"):
            security = bids.SecurityInput(
                form=values["security_form"],
                amount=values.get("security_amount") or Decimal(0),
                payer_account=values["security_payer_account"],
                guarantee_issuer=values["guarantee_issuer"],
                guarantee_number=values["guarantee_number"],
            )
        common = {
            "lot": lot,
            "actor": request.user,
            "security": security,
            "client_ip": proxy.client_ip(request),
            "device_fingerprint": values["device_fingerprint"],
            "received_at": received_at,
        }
        if "envelope" in values:
            envelope = values["envelope"]
            if envelope.size > bids.MAX_ENVELOPE_BYTES:  # before reading it into memory
                message = envelope_too_large_message()
                raise ApplicationError(
                    message, code="envelope_too_large", fields={"envelope": [message]}
                )
            bid, receipt = bids.submit_sealed_bid(
                envelope=envelope.read(), receipt_digest=values["receipt_digest"], **common
            )
        else:
            bid, receipt = bids.submit_bid(
                price=values["price"],
                documents=_uploaded(request.FILES.getlist("documents")),
                secret=values["secret"],
                **common,
            )
        return Response(
            {
                "id": bid.pk,
                "receipt_digest": receipt.receipt_digest,
                "salt": receipt.salt,
                "received_at": receipt.received_at,
                "envelope_digest": receipt.envelope_digest,
            },
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        responses=inline_serializer(
            "BidListing", {"lots": serializers.ListField(child=serializers.DictField())}
        )
    )
    def get(self, request, project_id: int):
        project = selectors.project_for_reader(request.user, project_id)
        return Response({"lots": selectors.bids_visible_to(request.user, project)})


class BidWithdrawApi(APIView):
    """DELETE /api/v1/bids/{id}/ — the bidder withdraws before the deadline."""

    @extend_schema(responses={204: None})
    def delete(self, request, bid_id: int):
        bid = get_object_or_404(BidSubmission, pk=bid_id, entity_id=request.user.entity_id)
        bids.withdraw_bid(bid=bid, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SecretInput(serializers.Serializer):
    secret = serializers.CharField(write_only=True, trim_whitespace=False, max_length=512)


def _decryption_response(outcome) -> Response:
    body = {"ok": outcome.ok, "cause": outcome.cause, "message": outcome.message}
    return Response(body, status=status.HTTP_200_OK if outcome.ok else status.HTTP_400_BAD_REQUEST)


class BidTestDecryptApi(APIView):
    """POST /api/v1/bids/{id}/test-decrypt/ — prove your secret opens your bid (reveals nothing)."""

    @extend_schema(request=SecretInput, responses={200: DecryptionOutput, 400: DecryptionOutput})
    def post(self, request, bid_id: int):
        bid = get_object_or_404(BidSubmission, pk=bid_id, entity_id=request.user.entity_id)
        data = SecretInput(data=request.data)
        data.is_valid(raise_exception=True)
        return _decryption_response(
            bids.test_decrypt_bid(bid=bid, actor=request.user, **data.validated_data)
        )


class BidDecryptApi(APIView):
    """POST /api/v1/bids/{id}/decrypt/ — the bidder decrypts its bid at the opening."""

    @extend_schema(request=SecretInput, responses={200: DecryptionOutput, 400: DecryptionOutput})
    def post(self, request, bid_id: int):
        bid = get_object_or_404(BidSubmission, pk=bid_id, entity_id=request.user.entity_id)
        data = SecretInput(data=request.data)
        data.is_valid(raise_exception=True)
        return _decryption_response(
            openings.decrypt_bid(bid=bid, actor=request.user, **data.validated_data)
        )


# --- Openings ---------------------------------------------------------------------------


class OpeningOutput(serializers.ModelSerializer):
    venue = serializers.IntegerField(source="booking.venue_id")
    window_ends_at = serializers.SerializerMethodField()

    class Meta:
        model = OpeningSession
        fields = [
            "id",
            "project",
            "venue",
            "starts_at",
            "decrypt_window_minutes",
            "state",
            "started_at",
            "window_ends_at",
            "closed_at",
        ]

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_window_ends_at(self, session) -> datetime | None:
        return openings.window_ends_at(session)


class OpeningCreateApi(APIView):
    """POST /api/v1/openings/ — centre staff schedule the opening in a venue."""

    class OpeningInput(serializers.Serializer):
        project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.all())
        venue = serializers.PrimaryKeyRelatedField(queryset=Venue.objects.all())
        starts_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
        decrypt_window_minutes = serializers.IntegerField(required=False, default=30)

    @extend_schema(request=OpeningInput, responses={201: OpeningOutput})
    def post(self, request):
        data = self.OpeningInput(data=request.data)
        data.is_valid(raise_exception=True)
        session = openings.schedule_opening(actor=request.user, **data.validated_data)
        return Response(OpeningOutput(session).data, status=status.HTTP_201_CREATED)


class OpeningDetailApi(APIView):
    """GET /api/v1/openings/{id}/ — the session's state and decryption window (server clock)."""

    permission_classes = [AllowAny]

    @extend_schema(responses=OpeningOutput)
    def get(self, request, opening_id: int):
        selectors.run_due_events()
        session = get_object_or_404(OpeningSession.objects.select_related("booking"), pk=opening_id)
        return Response(OpeningOutput(session).data)


class OpeningStartApi(APIView):
    """POST /api/v1/openings/{id}/start/ — the host opens the session at its time."""

    @extend_schema(request=None, responses=OpeningOutput)
    def post(self, request, opening_id: int):
        session = get_object_or_404(OpeningSession, pk=opening_id)
        session = openings.start_opening(session=session, actor=request.user)
        return Response(OpeningOutput(session).data)


class OpeningCloseApi(APIView):
    """POST /api/v1/openings/{id}/close/ — end the decryption window and publish the record."""

    @extend_schema(request=None, responses=OpeningOutput)
    def post(self, request, opening_id: int):
        session = get_object_or_404(
            OpeningSession.objects.select_related("project__centre"), pk=opening_id
        )
        if not openings.policies.is_centre_staff_of(request.user, session.project):
            raise ApplicationError(
                _("Only staff of the project's centre host its opening."),
                code="permission_denied",
                status_code=403,
            )
        openings.close_opening(session=session, actor=request.user)
        session.refresh_from_db()
        return Response(OpeningOutput(session).data)


# --- Evaluation -------------------------------------------------------------------------


class CommitteeApi(APIView):
    """POST /api/v1/lots/{id}/committee/ — seat the evaluation committee: the experts drawn
    for the lot by the expert pool, plus the tenderee's representatives named here. Experts
    cannot be named: a request that tries (`members`, `experts`) is refused."""

    class CommitteeInput(serializers.Serializer):
        representatives = serializers.SlugRelatedField(
            slug_field="username", queryset=User.objects.all(), many=True, required=False
        )

        def validate(self, attrs):
            named = sorted(set(self.initial_data) - {"representatives"})
            if named:
                raise serializers.ValidationError(
                    {
                        name: _(
                            "Experts are drawn at random from the expert pool; nobody names "
                            "them. Only the tenderee's representatives are given here."
                        )
                        for name in named
                    }
                )
            return attrs

    @extend_schema(
        request=CommitteeInput,
        responses={
            201: inline_serializer(
                "CommitteeOutput",
                {
                    "members": serializers.IntegerField(),
                    "experts": serializers.IntegerField(),
                    "chair": serializers.CharField(),
                },
            )
        },
    )
    def post(self, request, lot_id: int):
        lot = get_object_or_404(Lot, pk=lot_id)
        data = self.CommitteeInput(data=request.data)
        data.is_valid(raise_exception=True)
        seated = committee.set_committee(
            lot=lot,
            actor=request.user,
            representatives=data.validated_data.get("representatives", []),
        )
        chair = next((m.user.username for m in seated if m.is_chair), "")
        return Response(
            {
                "members": len(seated),
                "experts": sum(1 for m in seated if m.is_expert),
                "chair": chair,
            },
            status=status.HTTP_201_CREATED,
        )


class CriteriaApi(APIView):
    """POST /api/v1/lots/{id}/criteria/ — the weighted criteria (comprehensive scoring)."""

    class CriterionInput(serializers.Serializer):
        code = serializers.SlugField(max_length=32)
        name = serializers.CharField(max_length=100)
        kind = serializers.ChoiceField(choices=["price", "technical", "business", "service"])
        weight = serializers.DecimalField(max_digits=5, decimal_places=2)

    class CriteriaInput(serializers.Serializer):
        criteria = serializers.ListField(child=serializers.DictField(), min_length=1)

    @extend_schema(
        request=CriteriaInput,
        responses={
            201: inline_serializer("CriteriaOutput", {"criteria": serializers.IntegerField()})
        },
    )
    def post(self, request, lot_id: int):
        lot = get_object_or_404(Lot, pk=lot_id)
        data = self.CriteriaInput(data=request.data)
        data.is_valid(raise_exception=True)
        criteria = []
        for raw in data.validated_data["criteria"]:
            item = self.CriterionInput(data=raw)
            item.is_valid(raise_exception=True)
            criteria.append(evaluation.Criterion(**item.validated_data))
        rows = committee.set_criteria(lot=lot, actor=request.user, criteria=criteria)
        return Response({"criteria": len(rows)}, status=status.HTTP_201_CREATED)


class QualificationApi(APIView):
    """POST /api/v1/bids/{id}/qualification/ — the chair records pass or rejection."""

    class QualificationInput(serializers.Serializer):
        qualified = serializers.BooleanField()
        reason = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(
        request=QualificationInput,
        responses=inline_serializer(
            "BidQualificationOutput", {"qualified": serializers.BooleanField()}
        ),
    )
    def post(self, request, bid_id: int):
        bid = get_object_or_404(BidSubmission.objects.select_related("lot"), pk=bid_id)
        data = self.QualificationInput(data=request.data)
        data.is_valid(raise_exception=True)
        bid = committee.decide_qualification(bid=bid, actor=request.user, **data.validated_data)
        return Response({"qualified": bid.qualified})


class ScoresApi(APIView):
    """POST /api/v1/lots/{id}/scores/ — a member's scores {bid id: {criterion: score}}."""

    class ScoresInput(serializers.Serializer):
        scores = serializers.DictField(
            child=serializers.DictField(
                child=serializers.DecimalField(max_digits=6, decimal_places=2)
            )
        )

    @extend_schema(
        request=ScoresInput,
        responses=inline_serializer("ScoresOutput", {"scores": serializers.IntegerField()}),
    )
    def post(self, request, lot_id: int):
        lot = get_object_or_404(Lot, pk=lot_id)
        data = self.ScoresInput(data=request.data)
        data.is_valid(raise_exception=True)
        scores = {int(k): v for k, v in data.validated_data["scores"].items()}
        return Response(
            {"scores": committee.submit_scores(lot=lot, actor=request.user, scores=scores)}
        )


class SignReportApi(APIView):
    """POST /api/v1/lots/{id}/sign/ — a member signs the report; the last one completes it."""

    @extend_schema(
        request=None,
        responses=inline_serializer(
            "SignOutput",
            {"complete": serializers.BooleanField(), "ranking": serializers.ListField()},
        ),
    )
    def post(self, request, lot_id: int):
        lot = get_object_or_404(Lot, pk=lot_id)
        report = committee.sign_report(lot=lot, actor=request.user)
        return Response(
            {"complete": report is not None, "ranking": report.ranking if report else []}
        )


# --- Candidates, award, contract -----------------------------------------------------------


class CandidatesApi(APIView):
    """POST /api/v1/lots/{id}/candidates/ — publish the candidates for the publicity period."""

    @extend_schema(request=None, responses={201: AnnouncementOutput})
    def post(self, request, lot_id: int):
        lot = get_object_or_404(Lot, pk=lot_id)
        announcement = awards.publish_candidates(lot=lot, actor=request.user)
        return Response(AnnouncementOutput(announcement).data, status=status.HTTP_201_CREATED)


class ObjectionApi(APIView):
    """POST /api/v1/lots/{id}/objections/ — a bidder objects during the publicity."""

    class ObjectionInput(serializers.Serializer):
        text = serializers.CharField(max_length=8000)

    @extend_schema(
        request=ObjectionInput,
        responses={201: inline_serializer("ObjectionOutput", {"id": serializers.IntegerField()})},
    )
    def post(self, request, lot_id: int):
        lot = get_object_or_404(Lot, pk=lot_id)
        data = self.ObjectionInput(data=request.data)
        data.is_valid(raise_exception=True)
        objection = awards.raise_objection(lot=lot, actor=request.user, **data.validated_data)
        return Response({"id": objection.pk}, status=status.HTTP_201_CREATED)


class ObjectionAnswerApi(APIView):
    """POST /api/v1/objections/{id}/answer/ — the tenderee answers."""

    class AnswerInput(serializers.Serializer):
        answer = serializers.CharField(max_length=8000)

    @extend_schema(
        request=AnswerInput,
        responses=inline_serializer("AnswerOutput", {"answered_at": serializers.DateTimeField()}),
    )
    def post(self, request, objection_id: int):
        objection = get_object_or_404(Objection, pk=objection_id)
        data = self.AnswerInput(data=request.data)
        data.is_valid(raise_exception=True)
        objection = awards.answer_objection(
            objection=objection, actor=request.user, **data.validated_data
        )
        return Response({"answered_at": objection.answered_at})


class AwardApi(APIView):
    """POST /api/v1/lots/{id}/award/ — award after the publicity (first candidate unless a
    reason is recorded for another)."""

    class AwardInput(serializers.Serializer):
        bid = serializers.IntegerField(required=False, allow_null=True, default=None)
        reason = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(
        request=AwardInput,
        responses={
            201: inline_serializer(
                "AwardOutput",
                {"bid": serializers.IntegerField(), "candidate_rank": serializers.IntegerField()},
            )
        },
    )
    def post(self, request, lot_id: int):
        lot = get_object_or_404(Lot, pk=lot_id)
        data = self.AwardInput(data=request.data)
        data.is_valid(raise_exception=True)
        bid_id = data.validated_data["bid"]
        bid = get_object_or_404(BidSubmission, pk=bid_id, lot=lot) if bid_id else None
        award = awards.award_lot(
            lot=lot, actor=request.user, bid=bid, reason=data.validated_data["reason"]
        )
        return Response(
            {"bid": award.bid_id, "candidate_rank": award.candidate_rank},
            status=status.HTTP_201_CREATED,
        )


class ContractApi(APIView):
    """POST /api/v1/lots/{id}/contract/ — record the signed contract (securities returned)."""

    class ContractInput(serializers.Serializer):
        amount = serializers.DecimalField(max_digits=16, decimal_places=2)
        key_terms = serializers.CharField(required=False, allow_blank=True, default="")
        duration_days = serializers.IntegerField(
            required=False, allow_null=True, default=None, min_value=1
        )

    @extend_schema(
        request=ContractInput,
        responses={201: inline_serializer("ContractOutput", {"id": serializers.IntegerField()})},
    )
    def post(self, request, lot_id: int):
        lot = get_object_or_404(Lot, pk=lot_id)
        data = self.ContractInput(data=request.data)
        data.is_valid(raise_exception=True)
        contract = awards.sign_contract(lot=lot, actor=request.user, **data.validated_data)
        return Response({"id": contract.pk}, status=status.HTTP_201_CREATED)


class PerformanceApi(APIView):
    """POST /api/v1/contracts/{id}/performance/ — a performance record (履约), published."""

    class PerformanceInput(serializers.Serializer):
        milestone = serializers.CharField(max_length=100)
        description = serializers.CharField()
        amount_paid = serializers.DecimalField(
            max_digits=16, decimal_places=2, required=False, allow_null=True, default=None
        )

    @extend_schema(
        request=PerformanceInput,
        responses={201: inline_serializer("PerformanceOutput", {"id": serializers.IntegerField()})},
    )
    def post(self, request, contract_id: int):
        contract = get_object_or_404(Contract, pk=contract_id)
        data = self.PerformanceInput(data=request.data)
        data.is_valid(raise_exception=True)
        record = awards.record_performance(
            contract=contract, actor=request.user, **data.validated_data
        )
        return Response({"id": record.pk}, status=status.HTTP_201_CREATED)


class FilingApi(APIView):
    """POST /api/v1/lots/{id}/filing/ — transaction filing (成交备案) by the centre."""

    @extend_schema(request=None, responses=LotOutput)
    def post(self, request, lot_id: int):
        lot = get_object_or_404(Lot, pk=lot_id)
        return Response(LotOutput(awards.file_lot(lot=lot, actor=request.user)).data)


class ArchiveApi(APIView):
    """POST /api/v1/projects/{id}/archive/ — the transaction archive (交易档案)."""

    @extend_schema(
        request=None,
        responses=inline_serializer(
            "ArchiveOutput", {"state": serializers.CharField(), "manifest": serializers.DictField()}
        ),
    )
    def post(self, request, project_id: int):
        project = get_object_or_404(Project, pk=project_id)
        project = awards.archive_project(project=project, actor=request.user)
        return Response({"state": project.state, "manifest": project.archive_manifest})
