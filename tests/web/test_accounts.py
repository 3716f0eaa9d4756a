"""Logging in and out, and "my area", which differs by role."""

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils.text import capfirst

from portal.centres.services import book_venue
from tests.conftest import PASSWORD
from tests.web.conftest import BEIJING

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("accounts:dashboard")


def test_login_leads_to_my_area(client, bidder_a):
    page = client.get(reverse("accounts:login"))
    assert page.status_code == 200
    assert 'name="username"' in page.text and 'name="password"' in page.text

    response = client.post(
        reverse("accounts:login"), {"username": "bidder_a", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response.url == DASHBOARD
    assert int(client.session["_auth_user_id"]) == bidder_a.pk


def test_login_follows_next(client, bidder_a):
    history = reverse("entities:history", args=[bidder_a.entity.uscc])
    response = client.post(
        reverse("accounts:login"), {"username": "bidder_a", "password": PASSWORD, "next": history}
    )
    assert response.url == history


def test_wrong_password_is_refused_on_the_form(client, bidder_a):
    response = client.post(reverse("accounts:login"), {"username": "bidder_a", "password": "x"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post(client_for, bidder_a):
    browser = client_for(bidder_a)
    assert browser.get(reverse("accounts:logout")).status_code == 405
    response = browser.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in browser.session


def test_my_area_needs_a_login(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_entity_admin_area_links_to_the_entity(client_for, bidder_a):
    html = client_for(bidder_a).get(DASHBOARD).text
    uscc = bidder_a.entity.uscc
    for name in ["detail", "history", "edit", "invite"]:
        assert reverse(f"entities:{name}", args=[uscc]) in html


def test_entity_member_area_has_no_admin_links(client_for, member_a):
    html = client_for(member_a).get(DASHBOARD).text
    uscc = member_a.entity.uscc
    assert reverse("entities:detail", args=[uscc]) in html
    assert reverse("entities:edit", args=[uscc]) not in html
    assert reverse("entities:invite", args=[uscc]) not in html


def test_centre_staff_area_shows_venues_and_schedule(client_for, staff, venue, time_machine):
    time_machine.move_to(datetime(2026, 11, 23, 8, 0, tzinfo=BEIJING), tick=False)
    book_venue(
        venue=venue,
        actor=staff,
        starts_at=datetime(2026, 11, 24, 9, 0, tzinfo=BEIJING),
        ends_at=datetime(2026, 11, 24, 10, 0, tzinfo=BEIJING),
        purpose="明日开标",
    )

    html = client_for(staff).get(DASHBOARD).text

    assert venue.name in html
    assert "明日开标" in html and "2026-11-24 09:00" in html
    assert reverse("centres:staff", args=[venue.centre.code]) in html


def test_regulator_area_shows_the_scope(client_for, regulator):
    response = client_for(regulator).get(DASHBOARD)
    assert capfirst(regulator.get_department_display()) in response.text
    assert regulator.region.name in response.text
    assert f'action="{reverse("entities:lookup")}"' in response.text


def test_platform_admin_area_links_to_the_admin_site(client_for, platform_admin):
    assert f'href="{reverse("admin:index")}"' in client_for(platform_admin).get(DASHBOARD).text


def test_web_login_locks_out_after_repeated_failures(client, bidder_a):
    login = reverse("accounts:login")
    statuses = [
        client.post(login, {"username": "bidder_a", "password": "wrong"}).status_code
        for _ in range(5)
    ]
    assert statuses[:4] == [200] * 4  # the form again, with its error
    locked = client.post(login, {"username": "bidder_a", "password": PASSWORD})
    assert locked.status_code in {403, 429}
    assert "_auth_user_id" not in client.session
