# ruff: noqa: F811  (fixtures imported from other test modules are used by name)
"""In a real browser: the statistics page draws its three charts, the transfers' one among
them, from our own static ECharts, without a script error."""

import pytest

from tests.publicportal.test_browser import chromium_path  # noqa: F401  (fixture)
from tests.publicportal.test_transfer_statistics import (  # noqa: F401  (fixtures)
    bidders,
    clock,
    running_listing,
    sold_and_failed,
    transferor,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_the_statistics_page_draws_the_transfers_chart(live_server, chromium_path, sold_and_failed):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True)
        try:
            page = browser.new_page(locale="zh-CN")
            errors = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(f"{live_server.url}/public/statistics/?group_by=category")
            page.wait_for_selector("#chart-transfers canvas")
            for chart in ("chart-amounts", "chart-rates", "chart-transfers"):
                assert page.locator(f"#{chart} canvas").count() >= 1
            assert errors == []
            rows = page.locator("#transfer-statistics-table tbody tr")
            assert rows.count() == 2
        finally:
            browser.close()
