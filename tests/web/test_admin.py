"""The admin site: platform administrators only; the trade log readable and untouchable."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import Role, User
from portal.centres.services import book_venue
from portal.entities.services import invite_member
from portal.notices.models import Notice
from portal.tradelog.models import TradeLogEntry
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_with_staff_flag(staff):
    """Centre staff with Django's `is_staff` set: still not a platform administrator."""
    User.objects.filter(pk=staff.pk).update(is_staff=True)
    staff.refresh_from_db()
    return staff


@pytest.mark.parametrize("persona", ["bidder_a", "regulator", "staff_with_staff_flag"])
def test_admin_site_refuses_everyone_but_platform_admins(request, client_for, persona):
    response = client_for(request.getfixturevalue(persona)).get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_admin_site_refuses_anonymous(client):
    assert client.get(reverse("admin:index")).status_code == 302


@pytest.fixture
def some_of_everything(bidder_a, staff, venue, regulator):
    """A row in each table the admin shows, the trade log included."""
    start = timezone.now() + timedelta(days=1)
    book_venue(
        venue=venue,
        actor=staff,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        purpose="开标",
    )
    invite_member(entity=bidder_a.entity, actor=bidder_a, email="colleague@example.cn")
    Notice.objects.create(kind=Notice.Kind.POLICY, title="通知", body="正文")


def test_every_registered_model_lists_and_opens(client_for, platform_admin, some_of_everything):
    browser = client_for(platform_admin)
    assert browser.get(reverse("admin:index")).status_code == 200
    for model in admin.site._registry:
        meta = model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert browser.get(changelist).status_code == 200, changelist
        instance = model._default_manager.first()
        if instance is not None:
            change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[instance.pk])
            assert browser.get(change).status_code == 200, change


def test_core_models_are_registered():
    labels = {model._meta.label for model in admin.site._registry}
    assert {
        "accounts.User",
        "entities.MarketEntity",
        "entities.EntityInvitation",
        "centres.Region",
        "centres.Centre",
        "centres.Venue",
        "centres.VenueBooking",
        "notices.Notice",
        "tradelog.TradeLogEntry",
    } <= labels


def test_trade_log_cannot_be_added_changed_or_deleted(client_for, platform_admin, bidder_a):
    invite_member(entity=bidder_a.entity, actor=bidder_a, email="x@example.cn")
    entry = TradeLogEntry.objects.get()
    browser = client_for(platform_admin)

    assert browser.get(reverse("admin:tradelog_tradelogentry_add")).status_code == 403
    change_url = reverse("admin:tradelog_tradelogentry_change", args=[entry.pk])
    view = browser.get(change_url)
    assert view.status_code == 200
    assert not view.context["has_change_permission"]
    assert 'name="_save"' not in view.text
    assert browser.post(change_url, {"action": "tampered"}).status_code == 403
    delete_url = reverse("admin:tradelog_tradelogentry_delete", args=[entry.pk])
    assert browser.post(delete_url, {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.action == "entity.member_invited"


def test_making_centre_staff_in_the_admin_grants_the_centre(client_for, platform_admin, centre):
    person = factories.UserFactory(username="new_staff", role=Role.EXPERT)
    url = reverse("admin:accounts_user_change", args=[person.pk])

    response = client_for(platform_admin).post(
        url,
        {
            "username": "new_staff",
            "role": Role.CENTRE_STAFF,
            "centre": centre.pk,
            "is_active": "on",
            "date_joined_0": "2026-11-23",
            "date_joined_1": "09:00:00",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    person = User.objects.get(pk=person.pk)
    assert person.role == Role.CENTRE_STAFF
    assert person.has_perm("centres.manage_centre", centre)
