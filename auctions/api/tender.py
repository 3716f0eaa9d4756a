"""API of land and mining tenders (招标出让) under /api/v1/auctions/{id}/: the bidder's sealed
bid and its receipt, the bidder's decryption at the opening, the staff's opening, and the
opening record (auctions.services.tender)."""

import base64
import binascii

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from auctions import policies, selectors
from auctions.api.views import ListingOutput
from auctions.models import Listing, TenderBid
from auctions.services import tender
from portal.errors import ApplicationError


class TenderReceiptOutput(serializers.Serializer):
    """The bidder's receipt (投标回执): never the price before the opening."""

    bid_id = serializers.IntegerField()
    number = serializers.CharField(help_text="Your bidder number (竞买号).")
    receipt_digest = serializers.CharField(
        help_text="Salted digest of what you sealed: with your price and the salt you can "
        "prove what you sent."
    )
    salt = serializers.CharField(
        help_text="Hex; returned once, at submission: keep it. Empty when read back later."
    )
    envelope_digest = serializers.CharField()
    received_at = serializers.DateTimeField(help_text="The server clock's receipt time.")
    state = serializers.ChoiceField(choices=TenderBid.State.choices)
    price = serializers.DecimalField(
        max_digits=18,
        decimal_places=2,
        allow_null=True,
        help_text="Null until you decrypt your bid at the opening.",
    )
    invalid_reason = serializers.CharField(allow_blank=True)


def _receipt(bid: TenderBid, *, salt: str = "") -> dict:
    return {
        "bid_id": bid.pk,
        "number": bid.registration.number,
        "receipt_digest": bid.receipt_digest,
        "salt": salt,
        "envelope_digest": bid.envelope_digest,
        "received_at": bid.received_at,
        "state": bid.state,
        "price": None if bid.price is None else str(bid.price),
        "invalid_reason": bid.invalid_reason,
    }


class TenderBidApi(APIView):
    """POST /api/v1/auctions/{id}/tender-bid/ `{price, passphrase}` — a registered bidder with
    its deposit confirmed puts its sealed bid in the bid box before the deadline: 201 with the
    receipt. One bid per bidder, never withdrawn or replaced (409 `already_bid`); late: 409
    `deadline_passed` naming the deadline. GET — your own receipt (404 if you have none)."""

    class TenderBidInput(serializers.Serializer):
        """Either `price` and `passphrase` (sealed by the platform in this request), or
        `envelope` and `receipt_digest` (sealed on your own machine with portal/sealing.py:
        the platform never sees the price)."""

        price = serializers.CharField(
            required=False,
            max_length=24,
            help_text="Yuan, as a decimal string, at least the minimum.",
        )
        passphrase = serializers.CharField(
            required=False,
            write_only=True,
            trim_whitespace=False,
            max_length=1024,
            help_text="Seals your price; never stored. You need it again to decrypt at the "
            "opening: without it your bid is invalid.",
        )
        envelope = serializers.CharField(
            required=False,
            max_length=100_000,
            help_text="Base64 of an envelope you sealed yourself (portal/sealing.py format; "
            "aad = sealing.bid_aad(project=transaction code, lot=listing id, bidder=your "
            "USCC, submission=your bidder number); manifest {lot, bidder, number, price, "
            'currency: "CNY"}, no documents).',
        )
        receipt_digest = serializers.CharField(
            required=False,
            max_length=64,
            help_text="With `envelope`: the salted receipt digest of what you sealed.",
        )

        def validate(self, attrs):
            server = "price" in attrs or "passphrase" in attrs
            bidder = "envelope" in attrs or "receipt_digest" in attrs
            if server == bidder:
                raise serializers.ValidationError(
                    _("Give either price and passphrase, or envelope and receipt_digest.")
                )
            needed = ("price", "passphrase") if server else ("envelope", "receipt_digest")
            missing = {name: [_("This field is required.")] for name in needed if name not in attrs}
            if missing:
                raise serializers.ValidationError(missing)
            if bidder:
                try:
                    attrs["envelope"] = base64.b64decode(attrs["envelope"], validate=True)
                except (binascii.Error, ValueError) as exc:
                    raise serializers.ValidationError(
                        {"envelope": [_("The envelope is not valid base64.")]}
                    ) from exc
            return attrs

    @extend_schema(request=TenderBidInput, responses={201: TenderReceiptOutput})
    def post(self, request, listing_id: int):
        data = self.TenderBidInput(data=request.data)
        data.is_valid(raise_exception=True)
        listing = selectors.listing_for_reader(request.user, listing_id)
        values = data.validated_data
        if "envelope" in values:
            bid = tender.submit_sealed_tender_bid(actor=request.user, listing=listing, **values)
            return Response(_receipt(bid), status=status.HTTP_201_CREATED)
        bid, receipt = tender.submit_tender_bid(actor=request.user, listing=listing, **values)
        return Response(_receipt(bid, salt=receipt.salt), status=status.HTTP_201_CREATED)

    @extend_schema(responses=TenderReceiptOutput)
    def get(self, request, listing_id: int):
        listing = selectors.listing_for_reader(request.user, listing_id)
        bid = tender.own_tender_bid(request.user, listing)
        if bid is None:
            raise ApplicationError(
                _("Your entity has no sealed bid in this tender."), code="no_bid", status_code=404
            )
        return Response(_receipt(bid))


class TenderDecryptionOutput(serializers.Serializer):
    ok = serializers.BooleanField()
    cause = serializers.CharField(
        help_text="success, outside_window, wrong_secret, corrupted, invalid_package, …"
    )
    message = serializers.CharField(allow_blank=True)


class TenderDecryptApi(APIView):
    """POST /api/v1/auctions/{id}/tender-bid/decrypt/ `{passphrase}` — at the opening, the
    bidder decrypts its own bid within the window: 200 when it opened; 400 with the cause
    when not (wrong_secret: try again within the window); 409 outside the window. Every
    attempt is in the trade log with its outcome."""

    class TenderDecryptInput(serializers.Serializer):
        passphrase = serializers.CharField(write_only=True, trim_whitespace=False, max_length=1024)

    @extend_schema(
        request=TenderDecryptInput,
        responses={
            200: TenderDecryptionOutput,
            400: TenderDecryptionOutput,
            409: TenderDecryptionOutput,
        },
    )
    def post(self, request, listing_id: int):
        data = self.TenderDecryptInput(data=request.data)
        data.is_valid(raise_exception=True)
        listing = selectors.listing_for_reader(request.user, listing_id)
        outcome = tender.decrypt_tender_bid(
            actor=request.user, listing=listing, passphrase=data.validated_data["passphrase"]
        )
        code = status.HTTP_200_OK
        if not outcome.ok:
            code = (
                status.HTTP_409_CONFLICT
                if outcome.cause == "outside_window"
                else status.HTTP_400_BAD_REQUEST
            )
        body = {"ok": outcome.ok, "cause": outcome.cause, "message": outcome.message}
        return Response(body, status=code)


class OpeningRowOutput(serializers.Serializer):
    number = serializers.CharField(help_text="The bidder number (竞买号).")
    received_at = serializers.DateTimeField()
    state = serializers.ChoiceField(choices=TenderBid.State.choices)
    bidder = serializers.CharField(
        allow_null=True, help_text="The bidder's name, once the opening is closed."
    )
    price = serializers.DecimalField(
        max_digits=18,
        decimal_places=2,
        allow_null=True,
        help_text="The decrypted price, once the opening is closed.",
    )
    invalid_reason = serializers.CharField(allow_blank=True)


class OpeningRecordOutput(serializers.Serializer):
    listing_id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=Listing.State.choices)
    opening_at = serializers.DateTimeField()
    opening_closes_at = serializers.DateTimeField(allow_null=True)
    bids_received = serializers.IntegerField()
    closed = serializers.BooleanField(help_text="Prices and names are shown once closed.")
    bids = OpeningRowOutput(many=True)


def opening_record_body(listing: Listing) -> dict:
    """The opening record (开标记录) as anyone who may read the listing sees it: nothing
    before the opening; bidder numbers and states during it; names and prices once closed."""
    if listing.state in {Listing.State.DRAFT, Listing.State.ANNOUNCED, Listing.State.TENDER}:
        raise ApplicationError(
            _("The bids have not been opened yet."), code="not_opened", status_code=409
        )
    closed = listing.has_result
    rows = tender.opening_record(listing)
    return {
        "listing_id": listing.pk,
        "state": listing.state,
        "opening_at": listing.opening_at,
        "opening_closes_at": listing.opening_closes_at,
        "bids_received": len(rows),
        "closed": closed,
        "bids": [
            {
                "number": bid.registration.number,
                "received_at": bid.received_at,
                "state": bid.state,
                "bidder": bid.registration.entity.name if closed else None,
                "price": None if not closed or bid.price is None else str(bid.price),
                "invalid_reason": bid.invalid_reason if closed else "",
            }
            for bid in rows
        ],
    }


class OpeningApi(APIView):
    """GET /api/v1/auctions/{id}/opening/ — the opening record (409 before the opening).
    POST `{action: open|close}` — the centre's staff open the bids at the deadline (fewer
    than three bids terminate the tender) or close the opening once every bid is decrypted
    (the window's end closes it by itself)."""

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else super().get_permissions()

    class TenderOpeningInput(serializers.Serializer):
        action = serializers.ChoiceField(choices=["open", "close"])

    @extend_schema(responses=OpeningRecordOutput)
    def get(self, request, listing_id: int):
        listing = selectors.listing_for_reader(request.user, listing_id)
        if listing.method.code != "tender":
            raise ApplicationError(
                _("This listing is not a tender."), code="not_a_tender", status_code=404
            )
        return Response(opening_record_body(listing))

    @extend_schema(request=TenderOpeningInput, responses=ListingOutput)
    def post(self, request, listing_id: int):
        data = self.TenderOpeningInput(data=request.data)
        data.is_valid(raise_exception=True)
        listing = selectors.listing_for_reader(request.user, listing_id)
        if not policies.is_centre_staff_of(request.user, listing):
            raise ApplicationError(
                _("Only the staff of this centre may do this."), code="forbidden", status_code=403
            )
        if data.validated_data["action"] == "open":
            tender.open_bids(actor=request.user, listing=listing)
        else:
            tender.close_tender_opening(actor=request.user, listing=listing)
        return Response(ListingOutput(selectors.listing_detail(listing_id)).data)
