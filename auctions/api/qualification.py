"""API of the equity qualification review (资格审核) under /api/v1/auctions/: the centre's
staff decide each intended buyer, then close the review (auctions.services.qualification)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from auctions import selectors
from auctions.api.views import ListingOutput, RegistrationReviewOutput
from auctions.models import Listing, Registration
from auctions.services import qualification


class QualificationDecisionApi(APIView):
    """POST /api/v1/auctions/registrations/{id}/qualification/ — the staff of the listing's
    centre: `qualified` or `not_qualified` with the `reason` (required when refused, shown
    to the buyer). Revisable until the review is closed; every decision is in the trade log."""

    class AuctionQualificationInput(serializers.Serializer):
        decision = serializers.ChoiceField(choices=["qualified", "not_qualified"])
        reason = serializers.CharField(
            required=False, allow_blank=True, default="", max_length=2000
        )

    @extend_schema(request=AuctionQualificationInput, responses=RegistrationReviewOutput)
    def post(self, request, registration_id: int):
        data = self.AuctionQualificationInput(data=request.data)
        data.is_valid(raise_exception=True)
        registration = get_object_or_404(Registration, pk=registration_id)
        registration = qualification.review_qualification(
            actor=request.user,
            registration=registration,
            qualified=data.validated_data["decision"] == "qualified",
            reason=data.validated_data["reason"],
        )
        return Response(RegistrationReviewOutput(registration).data)


class CloseReviewApi(APIView):
    """POST /api/v1/auctions/{id}/qualification-review/close/ — the staff close the review:
    409 `review_incomplete` naming the unreviewed bidder numbers; else one qualified buyer →
    agreement, several → online bidding (now), none → failed; unqualified deposits refunded."""

    @extend_schema(request=None, responses=ListingOutput)
    def post(self, request, listing_id: int):
        listing = get_object_or_404(Listing, pk=listing_id)
        qualification.close_review(actor=request.user, listing=listing)
        return Response(ListingOutput(selectors.listing_detail(listing_id)).data)
