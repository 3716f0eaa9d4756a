"""Fixtures of the web tests: the personas from tests/conftest.py, logged in, and the data
the pages show."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from portal.notices.models import Notice
from tests import factories
from tests.conftest import PASSWORD

BEIJING = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def client_for():
    """A browser logged in as `user` (a fresh client each call, so personas can coexist)."""

    def make(user) -> Client:
        browser = Client()
        browser.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return browser

    return make


@pytest.fixture
def member_a(db, bidder_a):
    """A member of bidder A's entity who is not its administrator."""
    return factories.BidderFactory(
        username="member_a", entity=bidder_a.entity, is_entity_admin=False
    )


@pytest.fixture
def registration_data(city):
    return {
        "uscc": factories.make_uscc(4242),
        "name": "漳州市测试建设有限公司",
        "entity_type": "enterprise",
        "legal_representative": "李四",
        "region": str(city.pk),
        "contact_phone": "0596-7654321",
        "email": "office@example.cn",
        "username": "lisi",
        "password": PASSWORD,
        "password_confirmation": PASSWORD,
        "role": "bidder",
    }


@pytest.fixture
def monday_noon(time_machine):
    """Time stands still at noon, Beijing time, on Monday 2026-11-23."""
    moment = datetime(2026, 11, 23, 12, 0, tzinfo=BEIJING)
    time_machine.move_to(moment, tick=False)
    return moment


@pytest.fixture
def published_notices(db, centre):
    """One notice of each kind, plus a draft and a scheduled one that must stay hidden."""
    now = timezone.now()
    notices = [
        Notice.objects.create(
            kind=kind,
            title=f"{label}（测试）",
            body="第一段。\n\n第二段。",
            source="国办发〔2015〕63号",
            centre=centre if index % 2 else None,
            published_at=now - timedelta(days=index + 1),
        )
        for index, (kind, label) in enumerate(Notice.Kind.choices)
    ]
    Notice.objects.create(kind=Notice.Kind.POLICY, title="草稿通知", body="未发布")
    Notice.objects.create(
        kind=Notice.Kind.POLICY,
        title="定时通知",
        body="明天发布",
        published_at=now + timedelta(days=1),
    )
    return notices
