"""A suspension ordered by the competent department (a hold in `portal.holds`, H5) shows in
trading's API and project page, and is gone once lifted — the same source the state machine
checks before every step."""

import pytest
from django.test import Client
from django.urls import reverse

from portal.holds.services import lift_hold, suspend_project
from tests import factories
from tests.trading.conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_api_and_the_page_show_an_active_hold(announced, tenderee):
    regulator = factories.RegulatorFactory()
    url = f"/api/v1/projects/{announced.pk}/"
    page = reverse("trading:project", args=[announced.pk])
    assert client_for(tenderee).get(url).data["suspended"] is False

    hold = suspend_project(
        project_id=announced.pk, actor=regulator, reason="投诉处理中", ordered_by_ref="complaint:1"
    )
    assert client_for(tenderee).get(url).data["suspended"] is True
    assert "投诉处理中" in Client().get(page).content.decode()

    lift_hold(hold=hold, actor=regulator, reason="投诉不成立")
    assert client_for(tenderee).get(url).data["suspended"] is False
    assert "投诉处理中" not in Client().get(page).content.decode()
