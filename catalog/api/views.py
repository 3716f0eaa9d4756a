"""REST API of the trading catalog: public reads of the reference data, and a schedule
pre-check integrators call before publishing a trade (J4)."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog import selectors
from catalog.models import CatalogEntry, Category, FeeStandard, StatutoryRule, TradingMethod
from catalog.rules import ScheduleValueError, check_schedule, coerce_schedule, years_estimated


class MethodOutput(serializers.ModelSerializer):
    class Meta:
        model = TradingMethod
        fields = ["code", "name_zh"]


class SubtypeOutput(serializers.ModelSerializer):
    methods = MethodOutput(many=True)

    class Meta:
        model = Category
        fields = [
            "code",
            "name",
            "transaction_code_letter",
            "alternative_code_letters",
            "supervising_department",
            "methods",
        ]


class CategoryOutput(serializers.ModelSerializer):
    methods = MethodOutput(many=True)
    subtypes = SubtypeOutput(many=True)

    class Meta:
        model = Category
        fields = [
            "code",
            "name",
            "transaction_code_letter",
            "alternative_code_letters",
            "supervising_department",
            "description",
            "methods",
            "subtypes",
        ]


class CategoryListApi(generics.ListAPIView):
    """GET /api/v1/catalog/categories/ — trading categories, their methods and subtypes.

    A subtype (land, mining) also uses the methods listed on its parent.
    """

    permission_classes = [AllowAny]
    serializer_class = CategoryOutput
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return selectors.categories_with_methods()


class RuleOutput(serializers.ModelSerializer):
    category = serializers.CharField(source="category.code", allow_null=True, default=None)
    method = serializers.CharField(source="method.code", allow_null=True, default=None)

    class Meta:
        model = StatutoryRule
        fields = [
            "code",
            "category",
            "method",
            "kind",
            "start_field",
            "end_field",
            "value",
            "value_denominator",
            "unit",
            "condition_field",
            "condition_min_value",
            "description",
            "source",
            "needs_confirmation",
            "valid_from",
            "valid_to",
        ]


class RuleFilters(serializers.Serializer):
    category = serializers.CharField(required=False, allow_blank=True, max_length=32)
    method = serializers.CharField(required=False, allow_blank=True, max_length=48)
    on = serializers.DateField(required=False)


class RuleListApi(APIView):
    """GET /api/v1/catalog/rules/?category=…&method=… — the statutory rules that apply.

    With a category: its rules, its parent's and the platform-wide ones; with a method as
    well: only those of that method and those of every method (method null).
    """

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("category", str, description="Category code, e.g. engineering."),
            OpenApiParameter("method", str, description="Trading method code, e.g. open_tender."),
            OpenApiParameter("on", OpenApiTypes.DATE, description="In force on (default today)."),
        ],
        responses={
            200: RuleOutput(many=True),
            400: OpenApiResponse(
                description="An unknown category or method, named under `category` or `method`."
            ),
        },
    )
    def get(self, request):
        params = RuleFilters(data=request.query_params)
        params.is_valid(raise_exception=True)
        category = params.validated_data.get("category")
        method = params.validated_data.get("method")
        on = params.validated_data.get("on")
        if category:
            rules = selectors.rules_for(category, method or None, on=on)
        elif method:
            message = _("Give the category the method belongs to.")
            raise ValidationError({"category": [message]})
        else:
            rules = selectors.all_rules_in_force(on=on)
        return Response(RuleOutput(rules, many=True).data)


class FeeStandardOutput(serializers.ModelSerializer):
    category = serializers.CharField(source="category.code")

    class Meta:
        model = FeeStandard
        fields = [
            "code",
            "category",
            "name",
            "payer",
            "tiers",
            "minimum_fee",
            "maximum_fee",
            "source",
            "is_example",
            "valid_from",
        ]


class FeeStandardListApi(generics.ListAPIView):
    """GET /api/v1/catalog/fee-standards/ — service-fee standards per category (I1)."""

    permission_classes = [AllowAny]
    serializer_class = FeeStandardOutput
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return selectors.active_fee_standards()


class CatalogEntryOutput(serializers.ModelSerializer):
    category = serializers.CharField(source="category.code")
    required_method = serializers.CharField(
        source="required_method.code", allow_null=True, default=None
    )

    class Meta:
        model = CatalogEntry
        fields = [
            "code",
            "category",
            "subject_kind",
            "subject",
            "funding_source",
            "minimum_amount",
            "mandatory",
            "required_method",
            "source",
            "needs_confirmation",
            "valid_from",
            "valid_to",
        ]


class CatalogEntryListApi(generics.ListAPIView):
    """GET /api/v1/catalog/entries/ — the trading catalog (A3): what must trade on the
    platform (`mandatory`) and what may opt in."""

    permission_classes = [AllowAny]
    serializer_class = CatalogEntryOutput
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return selectors.active_catalog_entries()


class ViolationOutput(serializers.Serializer):
    rule = serializers.CharField()
    field = serializers.CharField()
    message = serializers.CharField()
    source = serializers.CharField()
    needs_confirmation = serializers.BooleanField()
    estimated = serializers.BooleanField()


class ScheduleCheckOutput(serializers.Serializer):
    ok = serializers.BooleanField()
    violations = ViolationOutput(many=True)
    estimated_years = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Years without a holiday arrangement: results counted on weekends only.",
    )


class ScheduleCheckInput(serializers.Serializer):
    category = serializers.CharField(max_length=32, help_text="Category code, e.g. engineering.")
    method = serializers.CharField(
        max_length=48,
        required=False,
        allow_blank=True,
        help_text="Trading method code; empty checks the rules of every method.",
    )
    schedule = serializers.DictField(
        help_text="Field name → ISO date-time (Beijing time if naive), ISO date or number, "
        "e.g. documents_issued_at, bid_deadline, estimate_amount, bid_security_amount, "
        "committee_size, committee_experts. The fields each rule reads are listed by "
        "GET /api/v1/catalog/rules/ (start_field, end_field)."
    )


class ScheduleCheckApi(APIView):
    """POST /api/v1/catalog/schedule-checks/ — check a schedule against the statutory rules.

    Nothing is stored. Every violation is returned at once, with its rule, field, message
    and legal source.
    """

    permission_classes = [AllowAny]

    @extend_schema(
        request=ScheduleCheckInput,
        responses={
            200: ScheduleCheckOutput,
            400: OpenApiResponse(
                description="An unknown category or method (named under `category` or "
                "`method`), or schedule values that cannot be read (under `schedule`)."
            ),
        },
        examples=[
            OpenApiExample(
                "Bid deadline too early",
                request_only=True,
                value={
                    "category": "engineering",
                    "method": "open_tender",
                    "schedule": {
                        "documents_issued_at": "2026-03-02T09:00:00+08:00",
                        "bid_deadline": "2026-03-19T09:30:00+08:00",
                        "estimate_amount": "5000000",
                        "bid_security_amount": "120000",
                    },
                },
            )
        ],
    )
    def post(self, request):
        data = ScheduleCheckInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            schedule = coerce_schedule(data.validated_data["schedule"])
        except ScheduleValueError as exc:
            raise ValidationError({"schedule": exc.errors}) from exc
        rules = selectors.rules_for(
            data.validated_data["category"], data.validated_data.get("method") or None
        )
        calendar = selectors.holiday_calendar()
        try:
            violations = check_schedule(rules=rules, schedule=schedule, calendar=calendar)
        except ScheduleValueError as exc:
            raise ValidationError({"schedule": exc.errors}) from exc
        body = {
            "ok": not violations,
            "violations": [violation.as_dict() for violation in violations],
            "estimated_years": list(
                years_estimated(rules=rules, schedule=schedule, calendar=calendar)
            ),
        }
        return Response(ScheduleCheckOutput(body).data)
