import pytest

from portal.errors import ApplicationError
from portal.notices.models import Notice
from portal.notices.selectors import published_notices
from portal.notices.services import publish_notice
from portal.tradelog.models import TradeLogEntry

pytestmark = pytest.mark.django_db


def _draft():
    return Notice.objects.create(kind=Notice.Kind.POLICY, title="政策告知", body="正文")


def test_draft_is_hidden_until_published_and_publishing_is_logged(platform_admin, api):
    notice = _draft()
    assert notice not in published_notices()
    assert api.get("/api/v1/notices/").data["count"] == 0

    publish_notice(notice=notice, actor=platform_admin)

    assert notice in published_notices()
    assert api.get("/api/v1/notices/").data["results"][0]["title"] == "政策告知"
    entry = TradeLogEntry.objects.get(action="notice.published")
    assert entry.actor_id == platform_admin.pk


def test_only_platform_admins_publish(staff, regulator):
    for user in (staff, regulator):
        with pytest.raises(ApplicationError):
            publish_notice(notice=_draft(), actor=user)
    assert not published_notices().exists()
