"""GET /api/v1/notices/ — published notices (policies, service list, fees, complaint channels)."""

from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny

from portal.notices.models import Notice
from portal.notices.selectors import published_notices


class NoticeOutput(serializers.ModelSerializer):
    class Meta:
        model = Notice
        fields = ["id", "kind", "title", "body", "source", "centre", "published_at"]


class NoticeListApi(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = NoticeOutput
    filterset_fields = ["kind", "centre"]

    def get_queryset(self):
        return published_notices()
