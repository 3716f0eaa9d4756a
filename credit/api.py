"""REST API of the credit registry, under /api/v1/credit/ (integrators and the national and
provincial credit platforms rely on these paths; the format is docs/CREDIT_EXCHANGE.md).

Views parse and render; the rules live in the services, policies and selectors.
"""

import json

from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import Category
from credit import exchange, policies, selectors
from credit.eligibility import refusal
from credit.models import CreditRecord, Measure, MeasureType
from credit.rules import in_force
from credit.services import imports, records, repairs
from portal.centres.models import Region
from portal.entities.uscc import normalise_uscc, validate_uscc
from portal.errors import ApplicationError


def _forbidden(message: str) -> ApplicationError:
    return ApplicationError(message, code="permission_denied", status_code=403)


def _require_regulator(user) -> None:
    if not policies.is_regulator(user):
        raise _forbidden(_("Only regulators of the competent department record credit."))


def _code_or_400(value: str, field: str = "uscc") -> str:
    code = normalise_uscc(value or "")
    problem = validate_uscc(code)
    if problem is not None:
        raise ApplicationError(problem.message, fields={field: [problem.message]})
    return code


# --- Output shapes ---------------------------------------------------------------------------


class CreditRepairOutput(serializers.Serializer):
    decision_no = serializers.CharField()
    authority = serializers.CharField()
    decided_on = serializers.DateField()
    reason = serializers.CharField()
    previous_valid_to = serializers.DateTimeField(allow_null=True)
    new_valid_to = serializers.DateTimeField()


class CreditMeasureOutput(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.CharField(source="measure_type.code")
    type_name = serializers.CharField(source="measure_type.name")
    source = serializers.CharField(source="measure_type.source")
    effect = serializers.CharField()
    security_percent = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    categories = serializers.SerializerMethodField(
        help_text='Category codes; ["*"] for every category.'
    )
    region = serializers.CharField(source="region.code", allow_null=True, default=None)
    valid_from = serializers.DateTimeField()
    valid_to = serializers.DateTimeField(allow_null=True)
    decided_valid_to = serializers.DateTimeField(allow_null=True)
    in_force = serializers.SerializerMethodField()
    repairs = CreditRepairOutput(many=True)

    def get_categories(self, measure: Measure) -> list[str]:
        if measure.all_categories:
            return [exchange.ALL_CATEGORIES]
        return sorted(scope.category.code for scope in measure.scopes.all())

    def get_in_force(self, measure: Measure) -> bool:
        return in_force(measure.valid_from, measure.valid_to, timezone.now())


class CreditRecordOutput(serializers.Serializer):
    id = serializers.IntegerField()
    uscc = serializers.CharField()
    entity_name = serializers.CharField()
    kind = serializers.CharField()
    kind_display = serializers.CharField(source="get_kind_display")
    severity = serializers.CharField()
    category = serializers.CharField(source="category.code")
    region = serializers.CharField(source="region.code")
    authority = serializers.CharField()
    legal_basis = serializers.CharField()
    decision_no = serializers.CharField()
    reason = serializers.CharField()
    valid_from = serializers.DateTimeField()
    valid_to = serializers.DateTimeField(allow_null=True)
    public = serializers.BooleanField()
    source = serializers.CharField()
    recorded_at = serializers.DateTimeField()
    measures = CreditMeasureOutput(many=True)


class CreditEvidenceOutput(serializers.Serializer):
    name = serializers.CharField()
    sha256 = serializers.CharField()
    size = serializers.IntegerField()
    uploaded_at = serializers.DateTimeField()


class CreditRecordFullOutput(CreditRecordOutput):
    """A record as its entity and regulators see it: with the external id and evidence."""

    external_id = serializers.CharField()
    evidence = CreditEvidenceOutput(many=True)


class CreditMeasureInForceOutput(CreditMeasureOutput):
    decision_no = serializers.CharField(source="record.decision_no")
    authority = serializers.CharField(source="record.authority")


class CreditProfileOutput(serializers.Serializer):
    uscc = serializers.CharField()
    name = serializers.CharField()
    registered = serializers.BooleanField(help_text="Registered on this platform.")
    measures_in_force = CreditMeasureInForceOutput(many=True)
    records = CreditRecordOutput(many=True)


class CreditContributionOutput(serializers.Serializer):
    record = serializers.IntegerField(source="facts.key")
    decision_no = serializers.CharField(source="facts.decision_no")
    kind = serializers.CharField(source="facts.kind")
    severity = serializers.CharField(source="facts.severity")
    points = serializers.IntegerField()
    counted = serializers.BooleanField()
    counts_until = serializers.DateTimeField()
    why = serializers.CharField()


class CreditScoreOutput(serializers.Serializer):
    version = serializers.IntegerField()
    base = serializers.IntegerField()
    penalty_total = serializers.IntegerField()
    reward_total = serializers.IntegerField()
    reward_capped = serializers.BooleanField()
    score = serializers.IntegerField()
    grade = serializers.CharField()
    grade_label = serializers.CharField()
    refusing_measures = serializers.ListField(child=serializers.CharField())
    contributions = CreditContributionOutput(many=True)


class CreditFileOutput(serializers.Serializer):
    uscc = serializers.CharField()
    name = serializers.CharField()
    registered = serializers.BooleanField()
    score = CreditScoreOutput()
    measures_in_force = CreditMeasureInForceOutput(many=True)
    records = CreditRecordFullOutput(many=True)


class CreditRefusalOutput(serializers.Serializer):
    record = serializers.CharField(help_text="Decision number of the record (blank if not public).")
    measure = serializers.CharField()
    message = serializers.CharField()


class CreditEligibilityOutput(serializers.Serializer):
    uscc = serializers.CharField()
    category = serializers.CharField()
    region = serializers.CharField()
    at = serializers.DateTimeField()
    eligible = serializers.BooleanField()
    reasons = CreditRefusalOutput(many=True)


class CreditImportRowOutput(serializers.Serializer):
    line = serializers.IntegerField()
    status = serializers.ChoiceField(choices=[imports.CREATED, imports.UNCHANGED, imports.REJECTED])
    decision_no = serializers.CharField(allow_null=True, required=False)
    record = serializers.IntegerField(required=False)
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


class CreditImportOutput(serializers.Serializer):
    id = serializers.IntegerField()
    file_name = serializers.CharField()
    sha256 = serializers.CharField()
    imported_at = serializers.DateTimeField()
    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rejected = serializers.IntegerField()
    report = CreditImportRowOutput(many=True)


class CreditBanOutput(serializers.Serializer):
    uscc = serializers.CharField()
    entity_name = serializers.CharField(source="record.entity_name")
    measure = CreditMeasureInForceOutput(source="*")


class CreditMeasureTypeOutput(serializers.ModelSerializer):
    class Meta:
        model = MeasureType
        fields = [
            "code",
            "name",
            "effect",
            "security_percent",
            "max_months",
            "published_list",
            "description",
            "source",
            "needs_confirmation",
        ]


# --- Records ----------------------------------------------------------------------------------


class CreditRecordCreateApi(APIView):
    """POST /api/v1/credit/records/ — a regulator of the competent department and region
    records credit information, with its measure (market ban, restriction, …)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=exchange.CreditRecordRow,
        responses={
            201: CreditRecordFullOutput,
            400: OpenApiResponse(description="Invalid input, by field."),
            403: OpenApiResponse(description="Not a regulator competent for this record."),
            409: OpenApiResponse(description="This decision is already recorded."),
        },
    )
    def post(self, request):
        _require_regulator(request.user)
        row = exchange.CreditRecordRow(data=request.data)
        row.is_valid(raise_exception=True)
        record = records.add_record(
            actor=request.user, **exchange.service_arguments(row.validated_data)
        )
        record = selectors.records_of(record.uscc, public_only=False).get(pk=record.pk)
        return Response(CreditRecordFullOutput(record).data, status=status.HTTP_201_CREATED)


class CreditEvidenceApi(APIView):
    """POST /api/v1/credit/records/{id}/evidence/ — attach documents (multipart, field
    `files`); each is kept with its SHA-256 digest."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]

    class CreditEvidenceInput(serializers.Serializer):
        files = serializers.ListField(child=serializers.FileField(), allow_empty=False)

    @extend_schema(
        request={"multipart/form-data": CreditEvidenceInput},
        responses={201: CreditEvidenceOutput(many=True)},
    )
    def post(self, request, record_id: int):
        _require_regulator(request.user)
        record = get_object_or_404(
            CreditRecord.objects.select_related("category", "region"), pk=record_id
        )
        files = request.FILES.getlist("files")
        documents = [
            records.EvidenceInput(
                name=upload.name, content=upload.read(), content_type=upload.content_type or ""
            )
            for upload in files
        ]
        stored = records.add_evidence(actor=request.user, record=record, documents=documents)
        return Response(
            CreditEvidenceOutput(stored, many=True).data, status=status.HTTP_201_CREATED
        )


# --- Profiles ---------------------------------------------------------------------------------


def _profile(uscc: str, *, public_only: bool) -> dict:
    entity = selectors.entity_for(uscc)
    record_list = list(selectors.records_of(uscc, public_only=public_only))
    if entity is None and not record_list:
        raise ApplicationError(
            _("No entity or credit record has this code."), code="not_found", status_code=404
        )
    return {
        "uscc": uscc,
        "name": entity.name if entity else record_list[0].entity_name,
        "registered": entity is not None,
        "records": record_list,
        "measures_in_force": list(
            selectors.measures_in_force(uscc, at=timezone.now(), public_only=public_only)
        ),
    }


class CreditProfileApi(APIView):
    """GET /api/v1/credit/entities/{uscc}/ — the public credit profile (E2): public records
    and the measures in force that follow from them. Non-public records never appear."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: CreditProfileOutput, 404: OpenApiResponse()})
    def get(self, request, uscc: str):
        code = _code_or_400(uscc)
        return Response(CreditProfileOutput(_profile(code, public_only=True)).data)


class CreditFileApi(APIView):
    """GET /api/v1/credit/entities/{uscc}/file/ — the whole credit file with the score and
    each record's part in it: the entity's own members and regulators."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: CreditFileOutput, 403: OpenApiResponse()})
    def get(self, request, uscc: str):
        code = _code_or_400(uscc)
        if not policies.can_read_credit_file(request.user, code):
            raise _forbidden(_("Only the entity's members and regulators read its credit file."))
        profile = _profile(code, public_only=False)
        profile["score"] = selectors.score_of(code)
        return Response(CreditFileOutput(profile).data)


# --- Eligibility ------------------------------------------------------------------------------


class CreditEligibilityApi(APIView):
    """GET /api/v1/credit/eligibility/?uscc=…&category=…&region=…[&at=…] — may the entity
    take part in trading of the category in the region at that instant (default: now)?

    The answer is exact; the details of a refusal that rests on a non-public record are
    shown only to the entity itself and to regulators.
    """

    permission_classes = [AllowAny]

    class CreditEligibilityQuery(serializers.Serializer):
        uscc = serializers.CharField(max_length=40)
        category = serializers.SlugRelatedField(slug_field="code", queryset=Category.objects.all())
        region = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.all())
        at = serializers.DateTimeField(required=False)

    @extend_schema(
        parameters=[
            OpenApiParameter("uscc", str, required=True, description="Unified social credit code."),
            OpenApiParameter("category", str, required=True, description="e.g. engineering."),
            OpenApiParameter("region", str, required=True, description="GB/T 2260 code."),
            OpenApiParameter(
                "at", OpenApiTypes.DATETIME, description="The instant asked about (default now)."
            ),
        ],
        responses={200: CreditEligibilityOutput, 400: OpenApiResponse()},
    )
    def get(self, request):
        query = self.CreditEligibilityQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        code = _code_or_400(query.validated_data["uscc"])
        at = query.validated_data.get("at") or timezone.now()
        category = query.validated_data["category"]
        region = query.validated_data["region"]

        measures = selectors.refusing_measures(
            uscc=code, category_code=category.code, region_code=region.code, at=at
        )
        privileged = policies.can_read_credit_file(request.user, code)
        reasons = []
        for measure in measures:
            reason = refusal(measure)
            if privileged or measure.record_public:
                reasons.append(vars(reason))
            else:
                reasons.append(
                    {
                        "record": "",
                        "measure": reason.measure,
                        "message": _("A measure from a non-public credit record applies."),
                    }
                )
        return Response(
            CreditEligibilityOutput(
                {
                    "uscc": code,
                    "category": category.code,
                    "region": region.code,
                    "at": at,
                    "eligible": not measures,
                    "reasons": reasons,
                }
            ).data
        )


# --- Interconnection --------------------------------------------------------------------------


class RawJSONParser(BaseParser):
    """The body as bytes: the import reads it row by row to report lines."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream.read()


class JSONLinesParser(RawJSONParser):
    media_type = "application/x-ndjson"


class CreditImportApi(APIView):
    """POST /api/v1/credit/imports/ — load records in bulk: a JSON array or JSON Lines as the
    body, or a file (multipart, field `file`). Idempotent; a bad row is reported with its line
    and reason while the good rows load. Each row is checked like a record added by hand."""

    permission_classes = [IsAuthenticated]
    parser_classes = [RawJSONParser, JSONLinesParser, MultiPartParser]

    class CreditImportUpload(serializers.Serializer):
        file = serializers.FileField()

    @extend_schema(
        request={
            "application/json": exchange.CreditRecordRow(many=True),
            "application/x-ndjson": OpenApiTypes.STR,
            "multipart/form-data": CreditImportUpload,
        },
        responses={
            201: CreditImportOutput,
            400: OpenApiResponse(description="Not UTF-8, or no rows."),
            403: OpenApiResponse(description="Not a regulator."),
        },
    )
    def post(self, request):
        _require_regulator(request.user)
        if request.content_type.startswith("multipart/"):
            upload = request.FILES.get("file")
            if upload is None:
                raise ApplicationError(
                    _("Attach the file."), fields={"file": [_("This field is required.")]}
                )
            content, name = upload.read(), upload.name
        else:
            content, name = request.data, ""
        if not isinstance(content, bytes | bytearray):  # pragma: no cover - parsers give bytes
            content = json.dumps(content).encode()
        credit_import = imports.import_records(
            actor=request.user, content=bytes(content), file_name=name
        )
        return Response(CreditImportOutput(credit_import).data, status=status.HTTP_201_CREATED)


class CreditExportApi(APIView):
    """GET /api/v1/credit/exports/[?since=…] — records in the exchange format, as JSON Lines.
    Regulators and platform administrators get every record; others the public ones."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "since", OpenApiTypes.DATETIME, description="Only records recorded since."
            )
        ],
        responses={(200, "application/x-ndjson"): OpenApiTypes.STR},
    )
    def get(self, request):
        since = None
        if request.query_params.get("since"):
            field = serializers.DateTimeField()
            since = field.run_validation(request.query_params["since"])
        full = policies.can_export_all(request.user)
        rows = selectors.export_records(public_only=not full, since=since)
        if full:
            rows = rows.prefetch_related("evidence")

        def lines():
            for record in rows.iterator(chunk_size=500):
                row = exchange.record_row(record, with_evidence=full)
                yield json.dumps(row, ensure_ascii=False) + "\n"

        response = StreamingHttpResponse(lines(), content_type="application/x-ndjson")
        response["Content-Disposition"] = 'attachment; filename="credit-records.jsonl"'
        return response


# --- Repair, public lists, rules ----------------------------------------------------------------


class CreditRepairApi(APIView):
    """POST /api/v1/credit/measures/{id}/repairs/ — credit repair (信用修复): a recorded
    decision ends the measure early. The competent regulator records it."""

    permission_classes = [IsAuthenticated]

    class CreditRepairInput(serializers.Serializer):
        new_valid_to = serializers.DateTimeField(help_text="The measure's new last second.")
        decision_no = serializers.CharField(max_length=128)
        authority = serializers.CharField(max_length=128)
        decided_on = serializers.DateField()
        reason = serializers.CharField(max_length=4000)

    @extend_schema(
        request=CreditRepairInput,
        responses={201: CreditMeasureOutput, 400: OpenApiResponse(), 403: OpenApiResponse()},
    )
    def post(self, request, measure_id: int):
        _require_regulator(request.user)
        measure = get_object_or_404(Measure, pk=measure_id)
        data = self.CreditRepairInput(data=request.data)
        data.is_valid(raise_exception=True)
        repairs.repair_measure(actor=request.user, measure=measure, **data.validated_data)
        measure = (
            Measure.objects.select_related("measure_type", "region")
            .prefetch_related("scopes__category", "repairs")
            .get(pk=measure.pk)
        )
        return Response(CreditMeasureOutput(measure).data, status=status.HTTP_201_CREATED)


class CreditBanListApi(ListAPIView):
    """GET /api/v1/credit/bans/ — entities now under a market ban or on the negative list,
    from public records (E2), a page at a time."""

    permission_classes = [AllowAny]
    serializer_class = CreditBanOutput
    filter_backends: list = []

    def get_queryset(self):
        return selectors.published_list()


class CreditMeasureTypeListApi(APIView):
    """GET /api/v1/credit/measure-types/ — the measure types with their legal sources."""

    permission_classes = [AllowAny]

    @extend_schema(responses=CreditMeasureTypeOutput(many=True))
    def get(self, request):
        return Response(
            CreditMeasureTypeOutput(MeasureType.objects.filter(is_active=True), many=True).data
        )
