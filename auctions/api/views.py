"""REST API of auctions under /api/v1/auctions/: parse, call a service or selector, render.

The live endpoints: `POST …/bids/` (201 with the new standing, 409 with the reason),
`GET …/state/` (cheap, for short polling) and `GET …/stream/` (server-sent events with a
bounded lifetime; the client reconnects, EventSource does so by itself).
"""

import hashlib
import hmac
import json
import threading
import time
from decimal import Decimal

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.db import close_old_connections, connections
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from auctions import live, selectors, streams
from auctions.api.authentication import LiveTokenAuthentication
from auctions.api.early_refusal import too_low_answer
from auctions.models import IncrementRule, Listing, Registration
from auctions.services import listings, registrations
from auctions.services.bidding import place_bid
from portal.centres.models import Centre
from portal.entities.models import MarketEntity
from portal.errors import ApplicationError

# --- Output shapes ---------------------------------------------------------------------


class ListingOutput(serializers.ModelSerializer):
    """A listing as the public sees it: never the reserve price before the result."""

    category = serializers.CharField(source="category.code")
    method = serializers.CharField(source="method.code")
    centre = serializers.CharField(source="centre.code")
    region = serializers.CharField(source="region.code")
    transferor = serializers.CharField(source="transferor.name")
    reserve_price = serializers.SerializerMethodField()
    winner_number = serializers.CharField(source="winner.number", allow_null=True, default=None)

    class Meta:
        model = Listing
        fields = [
            "id",
            "title",
            "transaction_code",
            "category",
            "method",
            "centre",
            "region",
            "transferor",
            "state",
            "description",
            "location",
            "area_sqm",
            "land_use",
            "term_years",
            "plot_ratio",
            "mineral",
            "mining_area_sqkm",
            "mining_licence_kind",
            "target_company",
            "share_percent",
            "appraised_value",
            "starting_price",
            "increment",
            "increment_rule",
            "deposit_amount",
            "extension_minutes",
            "announcement_published_at",
            "registration_ends_at",
            "listing_starts_at",
            "listing_ends_at",
            "auction_starts_at",
            "ends_at",
            "tender_starts_at",
            "opening_at",
            "decrypt_window_minutes",
            "opening_closes_at",
            "current_price",
            "bid_count",
            "final_price",
            "result_method",
            "result_at",
            "result_note",
            "confirmation_number",
            "winner_number",
            "reserve_price",
        ]

    @extend_schema_field(serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True))
    def get_reserve_price(self, listing) -> str | None:
        reserve = selectors.reserve_visible(listing)
        return None if reserve is None else str(reserve)


class StateOutput(serializers.Serializer):
    listing_id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=Listing.State.choices)
    version = serializers.IntegerField(help_text="Bumped on every change of the listing.")
    server_time = serializers.DateTimeField(help_text="The server clock: the only clock.")
    ends_at = serializers.DateTimeField(allow_null=True, help_text="End of the current phase.")
    seconds_left = serializers.IntegerField(allow_null=True)
    current_price = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    minimum_next_bid = serializers.DecimalField(max_digits=18, decimal_places=2)
    increment = serializers.DecimalField(max_digits=18, decimal_places=2)
    increment_rule = serializers.ChoiceField(choices=IncrementRule.choices)
    bid_count = serializers.IntegerField()
    leader_number = serializers.CharField(allow_null=True)
    own_number = serializers.CharField(allow_null=True)
    own_standing = serializers.ChoiceField(
        choices=[
            "observer",
            "not_registered",
            "no_bids",
            "not_bidding",
            "leading",
            "outbid",
            "won",
            "lost",
        ]
    )
    deposit_state = serializers.CharField(allow_null=True)
    final_price = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    winner_number = serializers.CharField(allow_null=True)
    reserve_price = serializers.DecimalField(
        max_digits=18,
        decimal_places=2,
        allow_null=True,
        help_text="Null until the result (the reserve is secret before).",
    )


class AcceptedBidOutput(StateOutput):
    class BidOutput(serializers.Serializer):
        sequence = serializers.IntegerField()
        amount = serializers.DecimalField(max_digits=18, decimal_places=2)

    bid = BidOutput()


class RegistrationOutput(serializers.ModelSerializer):
    listing = serializers.IntegerField(source="listing_id")
    deposit_amount = serializers.DecimalField(
        source="listing.deposit_amount", max_digits=18, decimal_places=2
    )

    class Meta:
        model = Registration
        fields = [
            "id",
            "listing",
            "number",
            "deposit_state",
            "deposit_amount",
            "deposit_confirmed_at",
            "refund_due_on",
            "registered_at",
            "qualifications",
            "qualification_state",
            "qualification_reason",
            "qualification_reviewed_at",
        ]


class RegistrationReviewOutput(RegistrationOutput):
    """A registration with the intended buyer's name, for the review (staff) or its owner."""

    entity_name = serializers.CharField(source="entity.name")
    entity_uscc = serializers.CharField(source="entity.uscc")

    class Meta(RegistrationOutput.Meta):
        fields = [*RegistrationOutput.Meta.fields, "entity_name", "entity_uscc"]


class BidHistoryOutput(serializers.Serializer):
    sequence = serializers.IntegerField()
    number = serializers.CharField(help_text="The bidder number (竞买号), never the identity.")
    amount = serializers.DecimalField(max_digits=18, decimal_places=2)
    placed_at = serializers.DateTimeField()
    phase = serializers.CharField()


def _state(request, listing_id: int) -> dict:
    return selectors.current_state(request.user, listing_id).as_dict()


# --- Listings --------------------------------------------------------------------------


class ListingInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    category = serializers.ChoiceField(choices=["land", "mining", "equity"])
    method = serializers.ChoiceField(
        choices=["auction", "listing", "tender"],
        help_text="tender (招标): land and mining only, sealed bids opened at `opening_at`.",
    )
    centre = serializers.SlugRelatedField(slug_field="code", queryset=Centre.objects.all())
    transferor = serializers.SlugRelatedField(
        slug_field="uscc", queryset=MarketEntity.objects.all()
    )
    starting_price = serializers.DecimalField(max_digits=18, decimal_places=2, min_value=0)
    increment = serializers.DecimalField(max_digits=18, decimal_places=2, min_value=Decimal("0.01"))
    increment_rule = serializers.ChoiceField(
        choices=IncrementRule.choices, default=IncrementRule.AT_LEAST
    )
    deposit_amount = serializers.DecimalField(max_digits=18, decimal_places=2, min_value=0)
    reserve_price = serializers.DecimalField(
        max_digits=18, decimal_places=2, required=False, allow_null=True
    )
    extension_minutes = serializers.IntegerField(min_value=1, max_value=60, default=5)
    registration_ends_at = serializers.DateTimeField()
    listing_starts_at = serializers.DateTimeField(required=False)
    listing_ends_at = serializers.DateTimeField(required=False)
    auction_starts_at = serializers.DateTimeField(required=False)
    ends_at = serializers.DateTimeField(
        required=False, help_text="End of an auction's free bidding period."
    )
    tender_starts_at = serializers.DateTimeField(
        required=False, help_text="Tender: sealed bids are accepted from this instant."
    )
    opening_at = serializers.DateTimeField(
        required=False, help_text="Tender: the bid deadline, which is the opening time (开标)."
    )
    decrypt_window_minutes = serializers.IntegerField(
        min_value=5,
        max_value=240,
        default=30,
        help_text="Tender: minutes each bidder has to decrypt its bid at the opening.",
    )
    description = serializers.CharField(required=False, allow_blank=True)
    location = serializers.CharField(required=False, allow_blank=True, max_length=200)
    area_sqm = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    land_use = serializers.CharField(required=False, allow_blank=True, max_length=64)
    term_years = serializers.IntegerField(required=False, min_value=1, max_value=70)
    plot_ratio = serializers.CharField(required=False, allow_blank=True, max_length=32)
    mineral = serializers.CharField(required=False, allow_blank=True, max_length=64)
    mining_area_sqkm = serializers.DecimalField(max_digits=12, decimal_places=4, required=False)
    mining_licence_kind = serializers.CharField(required=False, allow_blank=True, max_length=32)
    target_company = serializers.CharField(required=False, allow_blank=True, max_length=200)
    share_percent = serializers.DecimalField(max_digits=7, decimal_places=4, required=False)
    appraised_value = serializers.DecimalField(max_digits=18, decimal_places=2, required=False)
    below_appraisal_approval = serializers.CharField(
        required=False, allow_blank=True, max_length=200
    )


class ListingsApi(APIView):
    """GET /api/v1/auctions/ — the announced listings. POST — the centre's staff create one."""

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else super().get_permissions()

    @extend_schema(responses=ListingOutput(many=True))
    def get(self, request):
        return Response(ListingOutput(selectors.public_listings()[:200], many=True).data)

    @extend_schema(request=ListingInput, responses={201: ListingOutput})
    def post(self, request):
        data = ListingInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        centre = values.pop("centre")
        listing = listings.create_listing(
            actor=request.user,
            centre=centre,
            region=centre.region,
            category_code=values.pop("category"),
            method_code=values.pop("method"),
            **values,
        )
        return Response(
            ListingOutput(selectors.listing_detail(listing.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class ListingDetailApi(APIView):
    """GET /api/v1/auctions/{id}/ — public once announced; the reserve only after the result."""

    permission_classes = [AllowAny]

    @extend_schema(responses=ListingOutput)
    def get(self, request, listing_id: int):
        return Response(ListingOutput(selectors.listing_for_reader(request.user, listing_id)).data)


class AnnounceApi(APIView):
    """POST /api/v1/auctions/{id}/announce/ — the centre's staff publish the announcement."""

    @extend_schema(request=None, responses=ListingOutput)
    def post(self, request, listing_id: int):
        listing = get_object_or_404(Listing, pk=listing_id)
        listings.announce_listing(actor=request.user, listing=listing)
        return Response(ListingOutput(selectors.listing_detail(listing_id)).data)


class PreDisclosureApi(APIView):
    """POST /api/v1/auctions/{id}/pre-disclosure/ — equity: publish the pre-disclosure."""

    @extend_schema(request=None, responses=ListingOutput)
    def post(self, request, listing_id: int):
        listing = get_object_or_404(Listing, pk=listing_id)
        listings.publish_pre_disclosure(actor=request.user, listing=listing)
        return Response(ListingOutput(selectors.listing_detail(listing_id)).data)


class AgreementApi(APIView):
    """POST /api/v1/auctions/{id}/agreement/ — one qualified buyer: the agreed price."""

    class AuctionAgreementInput(serializers.Serializer):
        price = serializers.DecimalField(max_digits=18, decimal_places=2)

    @extend_schema(request=AuctionAgreementInput, responses=ListingOutput)
    def post(self, request, listing_id: int):
        data = self.AuctionAgreementInput(data=request.data)
        data.is_valid(raise_exception=True)
        listing = get_object_or_404(Listing, pk=listing_id)
        listings.record_agreement(
            actor=request.user, listing=listing, price=data.validated_data["price"]
        )
        return Response(ListingOutput(selectors.listing_detail(listing_id)).data)


class SessionFaultApi(APIView):
    """POST /api/v1/auctions/{id}/session/ — a fault: suspend, resume or void the session."""

    class AuctionSessionInput(serializers.Serializer):
        action = serializers.ChoiceField(choices=["suspend", "resume", "void"])
        reason = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(request=AuctionSessionInput, responses=ListingOutput)
    def post(self, request, listing_id: int):
        data = self.AuctionSessionInput(data=request.data)
        data.is_valid(raise_exception=True)
        listing = get_object_or_404(Listing, pk=listing_id)
        action = data.validated_data["action"]
        if action == "resume":
            listings.resume_session(actor=request.user, listing=listing)
        else:
            service = listings.suspend_session if action == "suspend" else listings.void_session
            service(actor=request.user, listing=listing, reason=data.validated_data["reason"])
        return Response(ListingOutput(selectors.listing_detail(listing_id)).data)


# --- Registration and deposits ---------------------------------------------------------


class RegistrationsApi(APIView):
    """POST /api/v1/auctions/{id}/registrations/ — register to bid (credit checked); the
    answer carries the bidder number and the deposit to pay."""

    class AuctionRegistrationInput(serializers.Serializer):
        qualifications = serializers.CharField(
            required=False,
            allow_blank=True,
            default="",
            max_length=4000,
            help_text="Required for equity: reviewed by the centre's staff after the disclosure.",
        )

    @extend_schema(responses=RegistrationReviewOutput(many=True))
    def get(self, request, listing_id: int):
        """The centre's staff: every registration with its qualifications and the decision;
        a bidder: its own (the decision and its reason); anyone else: 403."""
        listing = selectors.listing_for_reader(request.user, listing_id)
        rows = selectors.registrations_for_reader(request.user, listing)
        return Response(RegistrationReviewOutput(rows, many=True).data)

    @extend_schema(request=AuctionRegistrationInput, responses={201: RegistrationOutput})
    def post(self, request, listing_id: int):
        data = self.AuctionRegistrationInput(data=request.data)
        data.is_valid(raise_exception=True)
        listing = selectors.listing_for_reader(request.user, listing_id)
        registration = registrations.register(
            actor=request.user,
            listing=listing,
            qualifications=data.validated_data["qualifications"],
        )
        return Response(RegistrationOutput(registration).data, status=status.HTTP_201_CREATED)


class DepositConfirmApi(APIView):
    """POST /api/v1/auctions/registrations/{id}/deposit/ — the centre's staff confirm the
    deposit received in full."""

    class AuctionDepositInput(serializers.Serializer):
        amount = serializers.DecimalField(max_digits=18, decimal_places=2)
        reference = serializers.CharField(max_length=64)

    @extend_schema(request=AuctionDepositInput, responses=RegistrationOutput)
    def post(self, request, registration_id: int):
        data = self.AuctionDepositInput(data=request.data)
        data.is_valid(raise_exception=True)
        registration = get_object_or_404(Registration, pk=registration_id)
        registration = registrations.confirm_deposit(
            actor=request.user, registration=registration, **data.validated_data
        )
        return Response(RegistrationOutput(registration).data)


class BankCallbackApi(APIView):
    """POST /api/v1/auctions/deposits/bank-callback/ — the bank reports a deposit received.
    The raw body is signed with the shared secret: header `X-Bank-Signature` = hex
    HMAC-SHA256(AUCTIONS_BANK_CALLBACK_SECRET, body)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    class AuctionBankCallbackInput(serializers.Serializer):
        transaction_code = serializers.CharField(max_length=17)
        bidder_number = serializers.CharField(max_length=8)
        amount = serializers.DecimalField(max_digits=18, decimal_places=2)
        reference = serializers.CharField(max_length=64)

    @extend_schema(request=AuctionBankCallbackInput, responses=RegistrationOutput, auth=[])
    def post(self, request):
        secret = settings.AUCTIONS_BANK_CALLBACK_SECRET
        signature = request.headers.get("X-Bank-Signature", "")
        expected = hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
        if not secret or not hmac.compare_digest(signature, expected):
            raise ApplicationError(
                _("The bank's signature does not verify."),
                code="bad_signature",
                status_code=403,
            )
        data = self.AuctionBankCallbackInput(data=request.data)
        data.is_valid(raise_exception=True)
        registration = get_object_or_404(
            Registration,
            listing__transaction_code=data.validated_data["transaction_code"],
            number=data.validated_data["bidder_number"],
        )
        registration = registrations.confirm_deposit(
            actor=None,
            registration=registration,
            amount=data.validated_data["amount"],
            reference=data.validated_data["reference"],
            by_bank=True,
        )
        return Response(RegistrationOutput(registration).data)


# --- Bidding and the live state --------------------------------------------------------

#: The live endpoints' authentication: the token query compiled once (same answers, same
#: immediate revocation as DRF's), then the browser's session.
LIVE_AUTHENTICATION = [LiveTokenAuthentication, SessionAuthentication]


class BidsApi(APIView):
    """POST /api/v1/auctions/{id}/bids/ `{amount}` → 201 with the new standing, or 409 with
    the reason (too_low with the minimum, not_exactly_one_increment, ended, not_started,
    not_registered, deposit_not_confirmed). GET — the bid history by bidder number."""

    authentication_classes = LIVE_AUTHENTICATION

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else super().get_permissions()

    class AuctionBidInput(serializers.Serializer):
        amount = serializers.CharField(
            max_length=24, help_text="Yuan, as a decimal string (e.g. 10350000.00)."
        )

    @extend_schema(
        request=AuctionBidInput,
        responses={
            201: AcceptedBidOutput,
            409: inline_serializer(
                "BidRefusal",
                fields={
                    "detail": serializers.CharField(),
                    "code": serializers.CharField(),
                    "minimum": serializers.ListField(child=serializers.CharField()),
                },
            ),
        },
    )
    def post(self, request, listing_id: int):
        data = self.AuctionBidInput(data=request.data)
        data.is_valid(raise_exception=True)
        accepted = place_bid(
            actor=request.user, listing=listing_id, amount=data.validated_data["amount"]
        )
        listing = accepted.listing
        listing.leader = accepted.registration
        body = selectors.accepted_bid_state(request.user, listing, accepted.registration).as_dict()
        body["bid"] = {"sequence": accepted.bid.sequence, "amount": str(accepted.bid.amount)}
        return Response(body, status=status.HTTP_201_CREATED)

    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST":
            # Most bids are too low by the time they arrive: answered from the snapshot with
            # the full path's checks, without DRF's machinery (auctions/api/early_refusal.py).
            answer = too_low_answer(
                request, kwargs["listing_id"], headers=self.default_response_headers
            )
            if answer is not None:
                return answer
        return super().dispatch(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code == status.HTTP_409_CONFLICT:
            # A refused bid (too low, ended…) is the auction working, up to a hundred a second
            # in a busy one, each answered with its reason: not a "Conflict:" warning line in
            # django.request's log (Django skips a response marked as already logged).
            response._has_been_logged = True
        return response

    @extend_schema(responses=BidHistoryOutput(many=True))
    def get(self, request, listing_id: int):
        listing = selectors.listing_for_reader(request.user, listing_id)
        return Response(BidHistoryOutput(selectors.bid_history(listing), many=True).data)


class StateApi(APIView):
    """GET /api/v1/auctions/{id}/state/ — current price, end, server time, own standing.
    The listing's cached snapshot and one query for the reader's registration
    (auctions/live.py): suitable for short polling (once a second)."""

    authentication_classes = LIVE_AUTHENTICATION
    permission_classes = [AllowAny]

    @extend_schema(responses=StateOutput)
    def get(self, request, listing_id: int):
        response = Response(_state(request, listing_id))
        response["Cache-Control"] = "no-store"
        return response


class EventStreamRenderer(BaseRenderer):
    media_type = "text/event-stream"
    format = "sse"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return json.dumps(data).encode()


def state_events(request, listing_id: int, *, lifetime: float, interval: float = 1.0):
    """Server-sent events: the state once a second (the countdown re-syncs on the server
    clock), for at most `lifetime` seconds, so a sync worker is never pinned for long; the
    client reconnects (`retry`). Under ASGI (uvicorn) the same view streams without holding
    a worker thread per watcher."""
    deadline = time.monotonic() + lifetime
    yield "retry: 1000\n\n"
    while True:
        try:
            state = _state(request, listing_id)
        finally:
            close_old_connections()
        yield f"event: state\nid: {state['version']}\ndata: {json.dumps(state, default=str)}\n\n"
        if state["state"] in {"sold", "failed", "voided"} or time.monotonic() >= deadline:
            return
        time.sleep(interval)


class StreamApi(APIView):
    """GET /api/v1/auctions/{id}/stream/ — live updates as server-sent events (a `state`
    event on each change and at least each second, with the same body as …/state/), closed
    after AUCTIONS_STREAM_SECONDS (AUCTIONS_ASGI_STREAM_SECONDS under ASGI), each stream's
    lifetime spread over the last quarter; EventSource reconnects by itself. Served by the ASGI
    workers in production (deploy/): a coroutine per watcher, not a worker."""

    authentication_classes = LIVE_AUTHENTICATION
    permission_classes = [AllowAny]
    renderer_classes = [EventStreamRenderer, JSONRenderer]

    #: Under ASGI every opening runs in a thread and a connection of its own: 200 bidders
    #: opening at once would ask PostgreSQL for 200 connections. At most this many open at
    #: once per process; the others wait their turn (milliseconds each).
    openings = threading.BoundedSemaphore(8)

    def dispatch(self, request, *args, **kwargs):
        if not isinstance(request, ASGIRequest):
            return super().dispatch(request, *args, **kwargs)
        with self.openings:
            try:
                return super().dispatch(request, *args, **kwargs)
            finally:
                # The response outlives this thread's work: a connection left open here would
                # be held for the stream's lifetime (200 watchers, 200 connections).
                connections.close_all()

    @extend_schema(
        responses={
            (200, "text/event-stream"): OpenApiResponse(
                response=OpenApiTypes.STR, description="`event: state` with StateOutput as data"
            )
        }
    )
    def get(self, request, listing_id: int):
        if isinstance(request._request, ASGIRequest) and live.enabled():
            # One coroutine per watcher, sharing one watch of the snapshot (auctions/streams.py).
            # A current snapshot exists only for a public listing with no move due (a missing
            # or due one sends the opening to the database, which makes the move): so the
            # bidders who connect together at an opening cost two indexed queries each
            # (token, own registration), not the listing's seven-table join as well.
            if not live.is_public_now(listing_id, timezone.now()):
                listing = selectors.listing_for_reader(request.user, listing_id)  # 404 first
                if listing.state not in live.PUBLIC_STATES:  # a draft, to its centre's staff
                    return self._sync_stream(request, listing_id)
            own = selectors.own_registration_of(request.user, listing_id)
            # A coroutine holds no worker, so it may live longer (each reconnection is an
            # opening: the token, the registration, a connection of its own).
            lifetime = streams.lifetime(settings.AUCTIONS_ASGI_STREAM_SECONDS)
            events = streams.state_events(request.user, own, listing_id, lifetime=lifetime)
            return self._respond(events)
        selectors.listing_for_reader(request.user, listing_id)  # 404 before streaming
        return self._sync_stream(request, listing_id)

    def _sync_stream(self, request, listing_id: int):
        """The plain generator, which holds its thread (a sync worker) for its lifetime."""
        lifetime = streams.lifetime(settings.AUCTIONS_STREAM_SECONDS)
        return self._respond(state_events(request, listing_id, lifetime=lifetime))

    @staticmethod
    def _respond(events):
        response = StreamingHttpResponse(events, content_type="text/event-stream")
        response["Cache-Control"] = "no-store"
        response["X-Accel-Buffering"] = "no"
        return response
