from django.db.models import QuerySet
from django.utils import timezone

from portal.notices.models import Notice


def published_notices() -> QuerySet[Notice]:
    """Notices whose publication time has come; drafts and scheduled ones stay hidden."""
    return Notice.objects.filter(published_at__lte=timezone.now()).order_by("-published_at", "-id")
