"""In a real browser (Debian's headless Chromium driven by Playwright, against a live
server): the portal opens, a two-character search finds the announcement, and the result
opens the announcement itself."""

import os
import shutil

import pytest
from django.utils import timezone

from tests.publicportal.conftest import publish_tender

CHROMIUM = "/usr/bin/chromium"

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def chromium_path():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.fail(
            f"{CHROMIUM} is missing: `make install` installs Debian's chromium and "
            "fonts-wqy-microhei (apt-get install -y chromium fonts-wqy-microhei)."
        )
    return CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")


def test_the_public_searches_the_portal_and_opens_an_announcement(
    live_server, chromium_path, centre, staff, tenderee
):
    now = timezone.now()
    road = publish_tender(
        tenderee=tenderee, staff=staff, centre=centre, title="漳州市沿江道路拓宽工程", when=now
    )
    publish_tender(
        tenderee=tenderee, staff=staff, centre=centre, title="漳州市图书馆装修工程", when=now
    )
    announcement = road.announcements.get()

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True)
        try:
            page = browser.new_page(locale="zh-CN")
            page.goto(f"{live_server.url}/public/")
            assert page.locator("form[role=search] input[name=q]").count() == 1
            page.fill("input[name=q]", "道路")
            page.click("button[name=search]")
            page.wait_for_selector("#results")
            results = page.locator("#results .result-title")
            assert results.count() == 1
            assert results.first.inner_text() == announcement.title
            results.first.click()
            page.wait_for_load_state()
            assert page.url.endswith(f"/trading/announcements/{announcement.pk}/")
            assert announcement.title in page.locator("h1").inner_text()
        finally:
            browser.close()
