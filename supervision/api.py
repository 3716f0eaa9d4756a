"""REST API of supervision: alerts and their triage, the signed chain head, complaints.

Views parse and render; the rules live in the services, policies and selectors.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.errors import ApplicationError
from supervision import policies, selectors
from supervision.models import Alert, AlertRule, Case, Complaint, Severity
from supervision.services import alerts as alert_services
from supervision.services import complaints as complaint_services
from supervision.services import integrity


def _require_workbench(user) -> None:
    if not policies.can_view_workbench(user):
        raise ApplicationError(
            _("Only regulators see supervision alerts."), code="permission_denied", status_code=403
        )


# --- Alerts ------------------------------------------------------------------------------


class AlertTransitionOutput(serializers.Serializer):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    reason = serializers.CharField()
    actor = serializers.CharField(source="actor.username")
    at = serializers.DateTimeField()


class AlertOutput(serializers.ModelSerializer):
    class Meta:
        model = Alert
        fields = [
            "id",
            "rule_code",
            "group",
            "severity",
            "title",
            "status",
            "status_reason",
            "project_id_ref",
            "lot_id_ref",
            "project_title",
            "entities",
            "department",
            "category",
            "region_id_ref",
            "centre_id_ref",
            "source",
            "trade_log_seq",
            "case",
            "created_at",
            "updated_at",
        ]


class AlertDetailOutput(AlertOutput):
    evidence = serializers.JSONField()
    transitions = AlertTransitionOutput(many=True)

    class Meta(AlertOutput.Meta):
        fields = [*AlertOutput.Meta.fields, "evidence", "transitions"]


class AlertFilter(serializers.Serializer):
    status = serializers.ChoiceField(choices=Alert.Status.choices, required=False)
    rule = serializers.CharField(required=False, help_text="Rule code, e.g. collusion.shared_ip")
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    since = serializers.DateTimeField(required=False, help_text="Raised at or after (ISO 8601).")


@extend_schema(
    tags=["supervision"],
    parameters=[
        OpenApiParameter("status", str, enum=Alert.Status.values),
        OpenApiParameter("rule", str),
        OpenApiParameter("severity", str, enum=Severity.values),
        OpenApiParameter("since", str, description="ISO 8601 date-time"),
    ],
)
class AlertListApi(ListAPIView):
    """Alerts of the regulator's department, in their region and below, newest first."""

    serializer_class = AlertOutput
    filter_backends: list = []

    def get_queryset(self):
        _require_workbench(self.request.user)
        query = AlertFilter(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        alerts = selectors.alerts_for(self.request.user)
        values = query.validated_data
        if "status" in values:
            alerts = alerts.filter(status=values["status"])
        if "rule" in values:
            alerts = alerts.filter(rule_code=values["rule"])
        if "severity" in values:
            alerts = alerts.filter(severity=values["severity"])
        if "since" in values:
            alerts = alerts.filter(created_at__gte=values["since"])
        return alerts.order_by("-created_at", "-id")


@extend_schema(tags=["supervision"], responses=AlertDetailOutput)
class AlertDetailApi(APIView):
    def get(self, request, alert_id: int):
        _require_workbench(request.user)
        alert = get_object_or_404(
            selectors.alerts_for(request.user).prefetch_related("transitions__actor"), pk=alert_id
        )
        return Response(AlertDetailOutput(alert).data)


class TriageInput(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[s for s in Alert.Status.choices if s[0] != Alert.Status.NEW]
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    case = serializers.IntegerField(
        required=False, help_text="Add the alert to this open case instead of opening one."
    )


@extend_schema(tags=["supervision"], request=TriageInput, responses=AlertDetailOutput)
class AlertTriageApi(APIView):
    """Acknowledge, investigate, dismiss (with a reason) or confirm (opens a case)."""

    def post(self, request, alert_id: int):
        _require_workbench(request.user)
        alert = get_object_or_404(selectors.alerts_for(request.user), pk=alert_id)
        data = TriageInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        case = None
        if "case" in values:
            case = get_object_or_404(selectors.cases_for(request.user), pk=values["case"])
        alert = alert_services.triage_alert(
            alert=alert,
            actor=request.user,
            status=values["status"],
            reason=values["reason"],
            case=case,
        )
        return Response(AlertDetailOutput(alert).data)


class AlertRuleOutput(serializers.ModelSerializer):
    class Meta:
        model = AlertRule
        fields = [
            "code",
            "group",
            "name",
            "description",
            "severity",
            "category",
            "method",
            "params",
            "source",
            "red_flag_code",
            "enabled",
        ]


@extend_schema(tags=["supervision"])
class AlertRuleListApi(ListAPIView):
    """The alert-rule catalog: every rule with its thresholds and source."""

    serializer_class = AlertRuleOutput
    permission_classes = [AllowAny]
    filter_backends: list = []
    pagination_class = None
    queryset = AlertRule.objects.all()


class CaseOutput(serializers.ModelSerializer):
    alerts = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "title",
            "department",
            "region_id_ref",
            "project_id_ref",
            "state",
            "opened_at",
            "conclusion",
            "alerts",
        ]


@extend_schema(tags=["supervision"])
class CaseListApi(ListAPIView):
    serializer_class = CaseOutput
    filter_backends: list = []

    def get_queryset(self):
        _require_workbench(self.request.user)
        return selectors.cases_for(self.request.user).prefetch_related("alerts")


# --- The signed chain head ---------------------------------------------------------------


class SignedHeadOutput(serializers.Serializer):
    seq = serializers.IntegerField(help_text="Entries in the trade log.")
    entry_hash = serializers.CharField(help_text="Hash of the last entry (SHA-256, hex).")
    signed_at = serializers.DateTimeField()
    message = serializers.CharField(help_text="The exact UTF-8 text signed (canonical JSON).")
    signature = serializers.CharField(help_text="Ed25519 signature of `message`, base64.")
    public_key = serializers.CharField(help_text="The platform's Ed25519 public key, base64.")
    algorithm = serializers.CharField()


@extend_schema(tags=["supervision"], responses=SignedHeadOutput)
class TradeLogHeadApi(APIView):
    """The trade log's chain head, signed by the platform: auditors keep it and later prove
    what the log held, with `manage.py verify_trade_log` on a copy."""

    permission_classes = [AllowAny]

    def get(self, request):
        return Response(SignedHeadOutput(integrity.signed_head()).data)


class PublicKeyOutput(serializers.Serializer):
    algorithm = serializers.CharField()
    public_key = serializers.CharField(help_text="Raw 32-byte key, base64.")
    pem = serializers.CharField(help_text="SubjectPublicKeyInfo, PEM.")


@extend_schema(tags=["supervision"], responses=PublicKeyOutput)
class PublicKeyApi(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        return Response(
            PublicKeyOutput(
                {
                    "algorithm": "Ed25519",
                    "public_key": integrity.public_key_b64(),
                    "pem": integrity.public_key_pem(),
                }
            ).data
        )


# --- Complaints --------------------------------------------------------------------------


class ComplaintStepOutput(serializers.Serializer):
    step = serializers.CharField()
    at = serializers.DateTimeField()
    note = serializers.CharField()
    trade_log_seq = serializers.IntegerField(allow_null=True)


class ComplaintOutput(serializers.ModelSerializer):
    steps = ComplaintStepOutput(many=True)
    suspended = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = [
            "id",
            "project_id_ref",
            "lot_id_ref",
            "project_title",
            "department",
            "complainant_uscc",
            "grounds",
            "evidence",
            "grounds_known_at",
            "filed_at",
            "acceptance_due_at",
            "decision_due_at",
            "limits",
            "state",
            "accepted_at",
            "ruled_at",
            "outcome",
            "ruling",
            "ruling_published",
            "suspended",
            "steps",
        ]

    def get_suspended(self, complaint) -> bool:
        from portal.holds.selectors import active_hold

        hold = active_hold(complaint.project_id_ref)
        return hold is not None and hold.ordered_by_ref == f"supervision.complaint:{complaint.pk}"


class EvidenceInput(serializers.Serializer):
    description = serializers.CharField(max_length=500)
    sha256 = serializers.RegexField(r"^[0-9a-f]{64}$", required=False, allow_blank=True)


class ComplaintInput(serializers.Serializer):
    project = serializers.IntegerField()
    lot = serializers.IntegerField(required=False, allow_null=True)
    grounds = serializers.CharField()
    grounds_known_at = serializers.DateTimeField(
        help_text="When the complainant knew or should have known the grounds (engineering: "
        "the filing period runs from here); for procurement, when the answer to the "
        "question (质疑) was due or received."
    )
    evidence = EvidenceInput(many=True, required=False)


class ComplaintCreateApi(APIView):
    @extend_schema(tags=["complaints"], request=ComplaintInput, responses={201: ComplaintOutput})
    def post(self, request):
        data = ComplaintInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        complaint = complaint_services.file_complaint(
            actor=request.user,
            project_id=values["project"],
            lot_id=values.get("lot"),
            grounds=values["grounds"],
            grounds_known_at=values["grounds_known_at"],
            evidence=[dict(e) for e in values.get("evidence", [])],
        )
        return Response(ComplaintOutput(complaint).data, status=status.HTTP_201_CREATED)


def _complaint(request, complaint_id: int) -> Complaint:
    return get_object_or_404(
        selectors.complaints_for(request.user).prefetch_related("steps"), pk=complaint_id
    )


@extend_schema(tags=["complaints"], responses=ComplaintOutput)
class ComplaintDetailApi(APIView):
    """The complaint and every step taken on it: the complainant sees the same record."""

    def get(self, request, complaint_id: int):
        return Response(ComplaintOutput(_complaint(request, complaint_id)).data)


class AcceptanceInput(serializers.Serializer):
    accept = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField()


class RulingInput(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Complaint.Outcome.choices)
    ruling = serializers.CharField()
    publish = serializers.BooleanField(required=False, default=True)


@extend_schema(tags=["complaints"], request=AcceptanceInput, responses=ComplaintOutput)
class ComplaintAcceptanceApi(APIView):
    def post(self, request, complaint_id: int):
        data = AcceptanceInput(data=request.data)
        data.is_valid(raise_exception=True)
        complaint = complaint_services.decide_acceptance(
            complaint=_complaint(request, complaint_id), actor=request.user, **data.validated_data
        )
        return Response(ComplaintOutput(complaint).data)


@extend_schema(tags=["complaints"], request=ReasonInput, responses=ComplaintOutput)
class ComplaintSuspensionApi(APIView):
    """Suspend the trade pending the complaint; DELETE lifts the suspension."""

    def post(self, request, complaint_id: int):
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        complaint = complaint_services.suspend_trade(
            complaint=_complaint(request, complaint_id),
            actor=request.user,
            reason=data.validated_data["reason"],
        )
        return Response(ComplaintOutput(complaint).data)

    def delete(self, request, complaint_id: int):
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        complaint = complaint_services.lift_suspension(
            complaint=_complaint(request, complaint_id),
            actor=request.user,
            reason=data.validated_data["reason"],
        )
        return Response(ComplaintOutput(complaint).data)


@extend_schema(tags=["complaints"], request=RulingInput, responses=ComplaintOutput)
class ComplaintRulingApi(APIView):
    def post(self, request, complaint_id: int):
        data = RulingInput(data=request.data)
        data.is_valid(raise_exception=True)
        complaint = complaint_services.rule_on_complaint(
            complaint=_complaint(request, complaint_id), actor=request.user, **data.validated_data
        )
        return Response(ComplaintOutput(complaint).data)


class PublishedRulingOutput(serializers.ModelSerializer):
    class Meta:
        model = Complaint
        fields = ["id", "project_id_ref", "project_title", "department", "outcome", "ruling"]


@extend_schema(tags=["complaints"])
class PublishedRulingListApi(ListAPIView):
    """Published rulings, for everyone (H5)."""

    serializer_class = PublishedRulingOutput
    permission_classes = [AllowAny]
    filter_backends: list = []
    queryset = Complaint.objects.filter(
        state=Complaint.State.RULED, ruling_published=True
    ).order_by("-ruled_at")
