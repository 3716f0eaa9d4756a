"""The permission matrix: each role can do what it should, through the front door, and
nothing else. Every row tries the action for every role and checks allowed vs refused."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.accounts.models import Department, Role
from tests import factories

pytestmark = pytest.mark.django_db

ALL = [
    "public",
    "bidder_admin",
    "bidder_member",
    "other_bidder",
    "tenderee",
    "agent",
    "centre_staff",
    "other_centre_staff",
    "regulator",
    "expert",
    "pool_maintainer",
    "expert_drawer",
    "pool_supervisor",
    "platform_admin",
]


@pytest.fixture
def world(centre, other_centre, venue):
    entity = factories.EntityFactory(name="甲建设有限公司")
    people = {
        "public": None,
        "bidder_admin": factories.BidderFactory(entity=entity, is_entity_admin=True),
        "bidder_member": factories.BidderFactory(entity=entity, is_entity_admin=False),
        "other_bidder": factories.BidderFactory(),
        "tenderee": factories.BidderFactory(role=Role.TENDEREE),
        "agent": factories.BidderFactory(role=Role.AGENT),
        "centre_staff": factories.make_centre_staff(centre),
        "other_centre_staff": factories.make_centre_staff(other_centre),
        "regulator": factories.RegulatorFactory(department=Department.HOUSING),
        "expert": factories.UserFactory(role=Role.EXPERT),
        "pool_maintainer": factories.UserFactory(role=Role.POOL_MAINTAINER),
        "expert_drawer": factories.UserFactory(role=Role.EXPERT_DRAWER),
        "pool_supervisor": factories.UserFactory(role=Role.POOL_SUPERVISOR),
        "platform_admin": factories.PlatformAdminFactory(),
    }
    return {"entity": entity, "venue": venue, "people": people}


def _client_for(user):
    from rest_framework.test import APIClient

    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _web_client_for(user):
    from django.test import Client

    client = Client()
    if user is not None:
        client.force_login(user)
    return client


_slot = iter(range(1000))


def edit_entity_profile(world, user):
    response = _client_for(user).patch(
        f"/api/v1/entities/{world['entity'].uscc}/",
        {"contact_phone": "0596-7654321"},
        format="json",
    )
    return response.status_code == 200


def invite_member(world, user):
    response = _client_for(user).post(
        f"/api/v1/entities/{world['entity'].uscc}/invitations/",
        {"email": "new@example.cn"},
        format="json",
    )
    return response.status_code == 201


def view_entity_history(world, user):
    response = _client_for(user).get(f"/api/v1/entities/{world['entity'].uscc}/history/")
    return response.status_code == 200


def view_public_profile(world, user):
    response = _client_for(user).get(f"/api/v1/entities/{world['entity'].uscc}/")
    return response.status_code == 200


def book_venue(world, user):
    start = datetime(2026, 12, 1, 9, tzinfo=ZoneInfo("Asia/Shanghai")) + timedelta(
        hours=3 * next(_slot)
    )
    response = _client_for(user).post(
        f"/api/v1/venues/{world['venue'].pk}/bookings/",
        {
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
            "purpose": "开标",
        },
        format="json",
    )
    return response.status_code == 201


def use_admin_site(world, user):
    return _web_client_for(user).get("/admin/").status_code == 200


def publish_notice_in_admin(world, user):
    return _web_client_for(user).get("/admin/notices/notice/add/").status_code == 200


MATRIX = {
    edit_entity_profile: {"bidder_admin"},
    invite_member: {"bidder_admin"},
    view_entity_history: {"bidder_admin", "bidder_member", "regulator"},
    view_public_profile: set(ALL),
    book_venue: {"centre_staff"},
    use_admin_site: {"platform_admin"},
    publish_notice_in_admin: {"platform_admin"},
}


@pytest.mark.parametrize("action", list(MATRIX), ids=lambda a: a.__name__)
def test_permission_matrix(world, action):
    allowed = {role for role in ALL if action(world, world["people"][role])}
    assert allowed == MATRIX[action]


def test_one_account_one_role_keeps_the_expert_pool_ends_apart(world):
    """Three-end separation (F6) and 管办分离 (H1): no account holds two of these roles."""
    people = world["people"]
    roles = {people[r].role for r in ("pool_maintainer", "expert_drawer", "pool_supervisor")}
    assert len(roles) == 3
    assert people["regulator"].centre is None and people["regulator"].entity is None
