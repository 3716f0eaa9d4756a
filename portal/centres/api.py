"""REST API of regions, centres, venues and bookings."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.centres import services
from portal.centres.models import Centre, Region, Venue, VenueBooking


class RegionOutput(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent.code", allow_null=True, default=None)

    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent"]


class RegionListApi(generics.ListAPIView):
    """GET /api/v1/regions/ — administrative regions (GB/T 2260), filter by level or parent."""

    permission_classes = [AllowAny]
    serializer_class = RegionOutput
    pagination_class = None
    filterset_fields = {"level": ["exact"], "parent__code": ["exact"]}
    queryset = Region.objects.select_related("parent").order_by("code")


class VenueOutput(serializers.ModelSerializer):
    class Meta:
        model = Venue
        fields = ["id", "name", "kind", "capacity", "remote_seats", "is_active"]


class CentreOutput(serializers.ModelSerializer):
    region = serializers.CharField(source="region.code")
    parent = serializers.CharField(source="parent.code", allow_null=True, default=None)
    venues = VenueOutput(many=True)

    class Meta:
        model = Centre
        fields = [
            "code",
            "name",
            "level",
            "region",
            "parent",
            "address",
            "service_phone",
            "complaint_phone",
            "venues",
        ]


class CentreListApi(generics.ListAPIView):
    """GET /api/v1/centres/ — trading centres and county branches, with their venues."""

    permission_classes = [AllowAny]
    serializer_class = CentreOutput
    pagination_class = None
    filterset_fields = {"level": ["exact"], "region__code": ["exact"]}
    queryset = Centre.objects.select_related("region", "parent").prefetch_related("venues")


class BookingOutput(serializers.ModelSerializer):
    class Meta:
        model = VenueBooking
        fields = ["id", "venue", "starts_at", "ends_at", "purpose", "status"]


class VenueBookingApi(APIView):
    """GET/POST /api/v1/venues/{id}/bookings/ — a venue's schedule; staff of its centre book it."""

    permission_classes = [IsAuthenticated]

    class BookingInput(serializers.Serializer):
        starts_at = serializers.DateTimeField()
        ends_at = serializers.DateTimeField()
        purpose = serializers.CharField(max_length=200)

    @extend_schema(responses=BookingOutput(many=True))
    def get(self, request, venue_id: int):
        venue = get_object_or_404(Venue, pk=venue_id)
        bookings = venue.bookings.filter(status=VenueBooking.Status.ACTIVE).order_by("starts_at")
        return Response(BookingOutput(bookings, many=True).data)

    @extend_schema(request=BookingInput, responses={201: BookingOutput})
    def post(self, request, venue_id: int):
        venue = get_object_or_404(Venue.objects.select_related("centre"), pk=venue_id)
        data = self.BookingInput(data=request.data)
        data.is_valid(raise_exception=True)
        booking = services.book_venue(venue=venue, actor=request.user, **data.validated_data)
        return Response(BookingOutput(booking).data, status=status.HTTP_201_CREATED)
