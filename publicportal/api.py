"""The portal's REST API (`/api/v1/`): the public list, OCDS, the change feed, statistics,
and the exchange endpoints for connected trading systems."""

from datetime import datetime
from decimal import Decimal

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.centres.models import Centre
from portal.errors import ApplicationError
from publicportal import cache as portal_cache
from publicportal import (
    changes,
    exchange,
    feed_sources,
    ocds,
    selectors,
    statistics,
    transfers,
)
from publicportal.authentication import IsSourceSystem, SourceSystemAuthentication
from publicportal.forms import PublicationFilterForm
from publicportal.index import publication_payload
from publicportal.models import Publication
from trading.models import Announcement


class PublicationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    source = serializers.ChoiceField(choices=Publication.Source.choices)
    source_key = serializers.CharField()
    system = serializers.CharField(allow_null=True)
    system_name = serializers.CharField(allow_null=True)
    project_key = serializers.CharField()
    project_title = serializers.CharField()
    transaction_code = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    data = serializers.DictField()
    category = serializers.CharField()
    category_name = serializers.CharField()
    method = serializers.CharField(allow_null=True)
    region = serializers.CharField()
    region_name = serializers.CharField()
    centre = serializers.CharField(allow_null=True)
    centre_name = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=Publication.Status.choices)
    status_label = serializers.CharField()
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    published_at = serializers.DateTimeField()
    detail_path = serializers.CharField()
    project_path = serializers.CharField()


class PublicationPageOutput(serializers.Serializer):
    count = serializers.IntegerField(
        help_text="Exact up to 500 (see count_capped), or an estimate (see count_estimated)."
    )
    count_capped = serializers.BooleanField()
    count_estimated = serializers.BooleanField(
        help_text="Counting would have been slow: the database's estimate is given."
    )
    has_next = serializers.BooleanField()
    single_character = serializers.BooleanField(
        help_text="A one-character search returns the 200 most recent matches only."
    )
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    results = PublicationOutput(many=True)


def _param(name: str, description: str, type_=OpenApiTypes.STR) -> OpenApiParameter:
    return OpenApiParameter(name, type_, OpenApiParameter.QUERY, description=description)


LIST_PARAMETERS = [
    _param("q", "Words to search in titles (Chinese: any 2+ characters, e.g. 道路)"),
    _param("category", "Category code (its subtypes included)"),
    _param(
        "kind",
        "Announcement kind (tender, change, opening_record, result, …; transfer, "
        "disclosure, … for land, mining and equity)",
    ),
    _param("method", "Trading method code"),
    _param("region", "Region division code (the divisions under it included)"),
    _param("centre", "Centre code"),
    _param("status", "Project status: bidding, evaluating, awarded, failed"),
    _param("source", "trading, auctions or external"),
    _param("system", "Code of a connected trading system"),
    _param("project", "A trading project id, or a project key"),
    _param("from", "Published on or after (YYYY-MM-DD)", OpenApiTypes.DATE),
    _param("to", "Published on or before (YYYY-MM-DD)", OpenApiTypes.DATE),
    _param("sort", "-date (default, newest first) or date"),
    _param("page", "Page number", OpenApiTypes.INT),
    _param("page_size", "Results per page (at most 100)", OpenApiTypes.INT),
]


class AnnouncementListApi(APIView):
    """GET /api/v1/announcements/ — every published announcement of every category, centre
    and source, newest first, filtered and searched (E1, E2)."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="announcements_list",
        parameters=LIST_PARAMETERS,
        responses=PublicationPageOutput,
    )
    def get(self, request):
        form = PublicationFilterForm(request.query_params)
        if not form.is_valid():
            raise ApplicationError(
                "Invalid filter.", code="invalid_filter", fields=form.api_errors()
            )
        page = selectors.publication_page(
            form.filters(), page=form.page_number(), per_page=form.per_page()
        )
        response = Response(page)
        portal_cache.allow_shared_caching(request, response)
        return response


class AnnouncementDetailApi(APIView):
    """GET /api/v1/announcements/{id}/ — one publication (its id in the portal's index)."""

    permission_classes = [AllowAny]

    @extend_schema(responses=PublicationOutput)
    def get(self, request, publication_id: int):
        publication = get_object_or_404(
            Publication.objects.select_related("category", "method", "region", "centre", "system"),
            pk=publication_id,
        )
        return Response(publication_payload(publication) | selectors.publication_links(publication))


# --- Open data: OCDS ------------------------------------------------------------------------

OCDS_PAGE = 200


def _ocds_response(package: dict) -> Response:
    return Response(package, content_type="application/json")


class OcdsReleasesApi(APIView):
    """GET /api/v1/ocds/releases/?since=… — an OCDS 1.1 release package of the releases
    published since a date-time, oldest first, 200 a page (`links.next` for the rest)."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            _param("since", "ISO 8601 date-time (or date): releases published from then on"),
            _param("page", "Page number", OpenApiTypes.INT),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        since = _parse_since(request.query_params.get("since"))
        page = _page(request.query_params.get("page"))
        release_list = ocds.releases(since=since)
        start = (page - 1) * OCDS_PAGE
        package = ocds.release_package(
            release_list[start : start + OCDS_PAGE], uri=request.build_absolute_uri()
        )
        if start + OCDS_PAGE < len(release_list):
            query = request.query_params.copy()
            query["page"] = str(page + 1)
            package["links"] = {
                "next": request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
            }
        return _ocds_response(package)


class OcdsBulkApi(APIView):
    """GET /api/v1/ocds/bulk/{year}-{month}/ — every release of one month (bulk download)."""

    permission_classes = [AllowAny]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, year: int, month: int):
        if not 1 <= month <= 12 or not 2000 <= year <= 2100:
            raise ApplicationError(
                "No such month.",
                code="invalid_month",
                fields={"month": ["A month is YYYY-MM, 2000-01 to 2100-12."]},
            )
        start = timezone.make_aware(datetime(year, month, 1))
        end = timezone.make_aware(datetime(year + month // 12, month % 12 + 1, 1))
        uri = request.build_absolute_uri()

        def build():
            return ocds.release_package(ocds.releases(since=start, until=end), uri=uri)

        package = portal_cache.cached("ocds-month", {"year": year, "month": month}, build)
        response = _ocds_response(package)
        response["Content-Disposition"] = f'attachment; filename="ocds-{year}-{month:02d}.json"'
        return response


class OcdsRecordApi(APIView):
    """GET /api/v1/ocds/records/{ocid}/ — the record package of one contracting process,
    with its releases and the compiled release."""

    permission_classes = [AllowAny]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, ocid: str):
        project = ocds.project_for_ocid(ocid)
        if project is None:
            raise Http404
        release_uri = request.build_absolute_uri(reverse("api:ocds-releases"))
        return _ocds_response(
            ocds.record_package(project, uri=request.build_absolute_uri(), release_uri=release_uri)
        )


def _parse_since(value: str | None):
    if not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        day = parse_date(value) if len(value) == 10 else None
        if day is None:
            raise ApplicationError(
                "Invalid date.",
                code="invalid_filter",
                fields={"since": ["Use an ISO 8601 date-time, e.g. 2026-03-01T00:00:00+08:00."]},
            )
        parsed = datetime.combine(day, datetime.min.time())
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _page(value: str | None) -> int:
    if value is None:
        return 1
    if not value.isdigit() or int(value) < 1:
        raise ApplicationError(
            "Invalid page.", code="invalid_filter", fields={"page": ["A positive integer."]}
        )
    return int(value)


# --- The change feed ------------------------------------------------------------------------


class ChangeOutput(serializers.Serializer):
    cursor = serializers.CharField()
    object_type = serializers.ChoiceField(
        choices=feed_sources.OBJECT_TYPES,
        help_text="publication (any announcement of any source), performance (a contract "
        "performance record), credit_record (a public credit record with its measure, in the "
        "credit exchange format), notice (policies, service list, fees, complaint channels)",
    )
    object_key = serializers.CharField()
    action = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    data = serializers.DictField()


class ChangePageOutput(serializers.Serializer):
    results = ChangeOutput(many=True)
    next_cursor = serializers.CharField()


class ChangesApi(APIView):
    """GET /api/v1/changes/?cursor=… — everything public that changed since the cursor,
    oldest first: announcements of every source, contract performance, public credit records
    (penalties, market bans, repairs) and notices. Start without a cursor; pass back
    `next_cursor` each time. No change is skipped or repeated, whatever the order in which
    the writing transactions commit."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            _param("cursor", "The next_cursor of the previous call (none to start)"),
            _param("limit", "At most this many changes (1–500, default 100)", OpenApiTypes.INT),
        ],
        responses=ChangePageOutput,
    )
    def get(self, request):
        limit = request.query_params.get("limit", "100")
        if not limit.isdigit() or not 1 <= int(limit) <= changes.MAX_LIMIT:
            raise ApplicationError(
                "Invalid limit.", code="invalid_filter", fields={"limit": ["1 to 500."]}
            )
        return Response(changes.changes_since(request.query_params.get("cursor"), limit=int(limit)))


# --- The data exchange: connected trading systems (B6) -------------------------------------


class SystemRegistrationInput(serializers.Serializer):
    code = serializers.SlugField(max_length=32)
    name = serializers.CharField(max_length=128)
    operator = serializers.CharField(max_length=128, required=False, default="")
    centre = serializers.SlugRelatedField(slug_field="code", queryset=Centre.objects.all())


class SystemRegistrationOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    centre = serializers.CharField()
    credential = serializers.CharField(help_text="Shown this once; only its digest is stored.")


class SystemRegistrationApi(APIView):
    """POST /api/v1/exchange/systems/ — connect a third-party trading system (the platform
    administrator, or the staff of the centre it publishes for)."""

    @extend_schema(request=SystemRegistrationInput, responses={201: SystemRegistrationOutput})
    def post(self, request):
        data = _valid(SystemRegistrationInput, request.data)
        system, credential = exchange.register_system(actor=request.user, **data)
        return Response(
            {
                "code": system.code,
                "name": system.name,
                "centre": system.centre.code,
                "credential": credential,
            },
            status=status.HTTP_201_CREATED,
        )


class PushedProjectInput(serializers.Serializer):
    external_id = serializers.CharField(max_length=64)
    title = serializers.CharField(max_length=200)
    category = serializers.CharField(max_length=32)
    region = serializers.CharField(max_length=6)
    method = serializers.CharField(max_length=32, required=False, default="")
    transaction_code = serializers.CharField(max_length=40, required=False, default="")
    budget_amount = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        allow_null=True,
        default=None,
    )
    tenderee = serializers.CharField(max_length=200, required=False, default="")


class PushedAnnouncementInput(serializers.Serializer):
    external_id = serializers.CharField(max_length=64)
    project = PushedProjectInput()
    kind = serializers.CharField(
        max_length=32,
        help_text="tender, clarification, change, opening_record, failure, "
        "candidates, result or contract",
    )
    title = serializers.CharField(max_length=250)
    body = serializers.CharField()
    published_at = serializers.DateTimeField()
    amount = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        allow_null=True,
        default=None,
    )
    data = serializers.DictField(required=False, default=dict)

    def validate_kind(self, value: str) -> str:
        if value not in Announcement.Kind.values:
            raise serializers.ValidationError(
                f"Not a kind of announcement; one of: {', '.join(Announcement.Kind.values)}."
            )
        return value


class PushApi(APIView):
    """POST /api/v1/exchange/announcements/ — a connected system pushes one announcement with
    its project (`Authorization: System <credential>`). Idempotent by the system's own
    `external_id`: pushing again updates. 201 when new, 200 when updated; a refused push
    names every bad field (`project.category`, `published_at`, …) and saves nothing."""

    authentication_classes = [SourceSystemAuthentication]
    permission_classes = [IsSourceSystem]

    @extend_schema(
        request=PushedAnnouncementInput, responses={200: PublicationOutput, 201: PublicationOutput}
    )
    def post(self, request):
        data = _valid(PushedAnnouncementInput, request.data)
        pushed = exchange.PushedAnnouncement(
            **{**data, "project": exchange.PushedProject(**data["project"])}
        )
        publication, created = exchange.push_announcement(system=request.auth, pushed=pushed)
        publication = Publication.objects.select_related(
            "category", "method", "region", "centre", "system"
        ).get(pk=publication.pk)
        return Response(
            publication_payload(publication) | selectors.publication_links(publication),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


def _valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- Statistics (E5) ------------------------------------------------------------------------


class StatisticsTotalsOutput(serializers.Serializer):
    """Tenders and procurement (trading's lots), then the land, mining and equity transfers
    (the auctions' listings with a published result). Amounts in yuan, as decimal strings."""

    projects = serializers.IntegerField()
    lots = serializers.IntegerField()
    budget = serializers.DecimalField(max_digits=20, decimal_places=2)
    awarded_lots = serializers.IntegerField()
    awarded_budget = serializers.DecimalField(max_digits=20, decimal_places=2)
    award_amount = serializers.DecimalField(max_digits=20, decimal_places=2)
    savings_rate = serializers.FloatField(
        allow_null=True, help_text="1 − award ÷ budget of the awarded lots."
    )
    opened_lots = serializers.IntegerField()
    bids = serializers.IntegerField(help_text="Bids of opened lots only.")
    average_bidders = serializers.FloatField(allow_null=True)
    sold_transfers = serializers.IntegerField(help_text="Transfers sold (成交).")
    failed_transfers = serializers.IntegerField(help_text="Transfers failed (流拍/终结).")
    sold_starting_amount = serializers.DecimalField(
        max_digits=20, decimal_places=2, help_text="Starting prices of the transfers sold."
    )
    deal_amount = serializers.DecimalField(
        max_digits=20, decimal_places=2, help_text="Deal prices of the transfers sold."
    )
    premium_rate = serializers.FloatField(
        allow_null=True, help_text="Deal ÷ starting price of the transfers sold, − 1."
    )
    failed_starting_amount = serializers.DecimalField(
        max_digits=20, decimal_places=2, help_text="Starting prices of the transfers failed."
    )


class StatisticsRowOutput(StatisticsTotalsOutput):
    key = serializers.CharField(help_text="Category code, region code or month (YYYY-MM).")
    label = serializers.CharField()


class StatisticsOutput(serializers.Serializer):
    group_by = serializers.ChoiceField(choices=statistics.GROUPS)
    rows = StatisticsRowOutput(many=True)
    totals = StatisticsTotalsOutput()


class StatisticsApi(APIView):
    """GET /api/v1/statistics/?group_by=category|region|month — over the whole platform.
    Tenders and procurement: counts and amounts, the savings rate (1 − award ÷ budget of the
    awarded lots) and the average bidders per lot, in the month the project was registered.
    Land, mining and equity transfers: sold and failed, their starting and deal prices and
    the premium rate, in the month of their result; never a reserve price or a bidder."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[_param("group_by", "category (default), region or month")],
        responses=StatisticsOutput,
    )
    def get(self, request):
        return Response(statistics.statistics(_group_by(request.query_params.get("group_by"))))


def _group_by(value: str | None) -> str:
    value = value or "category"
    if value not in statistics.GROUPS:
        raise ApplicationError(
            "Invalid grouping.",
            code="invalid_filter",
            fields={"group_by": ["One of: category, region, month."]},
        )
    return value


# --- Open data: land, mining and equity transfers ------------------------------------------


class TransfersApi(APIView):
    """GET /api/v1/open-data/transfers/?since=… — land use rights, mining rights and
    state-owned equity transfers (which OCDS does not cover) as a documented JSON package
    (publicportal/README.md), oldest first, 200 a page (`links.next`)."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            _param("since", "ISO 8601 date-time (or date): published from then on"),
            _param("page", "Page number", OpenApiTypes.INT),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        since = _parse_since(request.query_params.get("since"))
        page = _page(request.query_params.get("page"))
        package, more = transfers.transfer_package(
            uri=request.build_absolute_uri(),
            absolute=request.build_absolute_uri,
            since=since,
            offset=(page - 1) * OCDS_PAGE,
            limit=OCDS_PAGE,
        )
        if more:
            query = request.query_params.copy()
            query["page"] = str(page + 1)
            package["links"] = {
                "next": request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
            }
        return Response(package)


class TransferSchemaApi(APIView):
    """GET /api/v1/open-data/transfers/schema/ — the JSON Schema of the transfer package."""

    permission_classes = [AllowAny]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response(transfers.schema())
