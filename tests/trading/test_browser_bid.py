"""In a real browser (Debian's headless Chromium, Playwright, a live server): the bidder fills
the bid form, the page seals the bid on the bidder's machine, downloads the receipt file with
the salt, and sends only the envelope — the request that leaves the browser holds neither the
price, nor the documents, nor the secret. The bid then opens at the opening."""

import json
import os
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from tests.trading.conftest import SECRETS, local, submit
from trading.models import BidSubmission
from trading.services import openings

CHROMIUM = "/usr/bin/chromium"
PRICE = "4321000.5"
DOCUMENT = "施工组织设计 TECHNICAL-PROPOSAL ".encode() * 200

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def chromium_path():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.fail(
            f"{CHROMIUM} is missing: `make install` installs Debian's chromium "
            "(apt-get install -y chromium fonts-wqy-microhei)."
        )
    return CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")


def test_the_browser_seals_the_bid_and_sends_only_the_envelope(
    live_server, chromium_path, client, announced, bidders, staff, venue, clock
):
    from playwright.sync_api import sync_playwright

    bidder = bidders["a"]
    client.force_login(bidder)
    url = live_server.url + reverse("trading:submit_bid", args=[announced.pk])
    sent = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True)
        try:
            context = browser.new_context(locale="zh-CN", accept_downloads=True)
            context.add_cookies(
                [
                    {
                        "name": "sessionid",
                        "value": client.cookies["sessionid"].value,
                        "url": live_server.url,
                    }
                ]
            )
            page = context.new_page()
            page.on(
                "request",
                lambda request: (
                    sent.append(request.post_data_buffer or b"")
                    if request.method == "POST"
                    else None
                ),
            )
            page.goto(url)
            assert page.locator("[data-seal-status]").is_visible()
            page.fill("input[name=price]", PRICE)
            page.set_input_files(
                "input[name=documents]",
                files=[{"name": "投标文件.pdf", "mimeType": "application/pdf", "buffer": DOCUMENT}],
            )
            page.fill("input[name=secret]", SECRETS["a"])
            page.fill("input[name=secret_confirmation]", SECRETS["a"])
            page.select_option("select[name=security_form]", "cash")
            page.fill("input[name=security_amount]", "100000.00")
            with page.expect_download(timeout=60_000) as downloading:
                page.click("form[data-seal-in-browser] button[type=submit]")
            kit = json.loads(Path(downloading.value.path()).read_text(encoding="utf-8"))
            page.wait_for_selector("#receipt-digest", timeout=60_000)
            shown = page.locator("#receipt-digest").inner_text().strip()
        finally:
            browser.close()

    bid = BidSubmission.objects.get(entity=bidder.entity)
    assert bid.sealed_by == "bidder"
    assert kit["receipt_digest"] == shown == bid.receipt_digest
    assert kit["manifest"]["price"] == "4321000.50" and len(kit["salt"]) == 32
    [body] = sent
    for secret in (b"4321000", DOCUMENT[:40], SECRETS["a"].encode()):
        assert secret not in body

    submit(announced.lots.get(), bidders["b"], "b", "4198000.00")
    submit(announced.lots.get(), bidders["c"], "c", "4560000.00")
    clock.move_to(local(2026, 3, 23, 9, 30))
    session = openings.schedule_opening(project=announced, actor=staff, venue=venue)
    openings.start_opening(session=session, actor=staff)
    outcome = openings.decrypt_bid(bid=bid, actor=bidder, secret=SECRETS["a"])
    assert outcome.ok, outcome.message
    bid.refresh_from_db()
    assert bid.price == Decimal("4321000.50")
    assert bid.documents_manifest[0]["name"] == "投标文件.pdf"
