"""The bid sealed in the bidder's browser (trading/static/trading/seal-bid.js, run here under
Node with the same WebCrypto and scrypt-js the page uses) opens with the server's own
portal/sealing.py, receipt digest and all; and the web form accepts such an envelope."""

import base64
import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from portal import sealing
from tests.trading.conftest import SECRETS, local
from trading.models import BidSubmission
from trading.services import openings

CLI = Path(__file__).with_name("seal_bid_cli.js")
#: Small scrypt parameters keep the pure tests fast; the format is the same.
FAST_KDF = {"n": 1024, "r": 8, "p": 1}


def seal_in_browser(**job) -> dict:
    node = shutil.which("node")
    assert node, "Node.js is needed (make install uses npm): install nodejs"
    job["documents"] = [
        {"name": name, "base64": base64.b64encode(content).decode()}
        for name, content in job["documents"]
    ]
    done = subprocess.run(
        [node, str(CLI)], input=json.dumps(job), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    if "envelope" in result:
        result["envelope"] = base64.b64decode(result["envelope"])
    return result


def test_what_the_browser_seals_the_server_opens_byte_for_byte():
    documents = [
        ("投标文件 (商务).pdf", b"PROPOSAL" * 300),
        ('a"b.txt', b""),
        ("技术.docx", b"\x00\xff" * 99),
    ]
    sealed = seal_in_browser(
        project=7,
        lot=9,
        bidder="91350600MA2Y000001",
        price="4321000.5",
        secret="  amber-lantern-harbour-7 ",
        documents=documents,
        kdf=FAST_KDF,
    )
    envelope = sealing.SealedEnvelope.from_bytes(sealed["envelope"])
    assert envelope.suite == "AES-256-GCM/SHA-256" and envelope.kdf == "scrypt"
    package = sealing.test_decrypt(
        sealed["envelope"], "amber-lantern-harbour-7", aad=b"bid|7|9|91350600MA2Y000001"
    )
    assert package.manifest["price"] == "4321000.50"
    assert package.documents == tuple(documents)
    assert package.receipt_salt.hex() == sealed["salt"]
    assert sealing.package_receipt_digest(package) == sealed["receiptDigest"]
    assert package.manifest == sealed["manifest"]
    # Another bid's binding, or another secret, does not open it.
    with pytest.raises(sealing.EnvelopeCorrupted):
        sealing.test_decrypt(
            sealed["envelope"], "amber-lantern-harbour-7", aad=b"bid|7|10|91350600MA2Y000001"
        )
    with pytest.raises(sealing.WrongSecret):
        sealing.test_decrypt(sealed["envelope"], "basalt-meadow-quiver-2", aad=b"bid|7|9|x")


def test_the_browser_uses_the_platform_s_default_key_derivation():
    sealed = seal_in_browser(
        project=1,
        lot=1,
        bidder="X",
        price="1",
        secret=SECRETS["a"],
        documents=[("a.pdf", b"x")],
    )
    envelope = sealing.SealedEnvelope.from_bytes(sealed["envelope"])
    assert envelope.kdf_params == sealing.DEFAULT_KDF_PARAMS


@pytest.mark.parametrize("price", ["4,321,000", "-1", "1.234", "0", "", "1e6"])
def test_a_price_that_is_not_yuan_and_fen_is_refused_before_sealing(price):
    result = seal_in_browser(
        project=1, lot=1, bidder="X", price=price, secret=SECRETS["a"], documents=[], kdf=FAST_KDF
    )
    assert result == {"error": "price"}


@pytest.mark.django_db
def test_the_web_form_takes_a_browser_sealed_bid_that_opens_at_the_opening(
    announced, bidders, staff, venue, clock, client
):
    lot = announced.lots.get()
    bidder = bidders["a"]
    sealed = seal_in_browser(
        project=announced.pk,
        lot=lot.pk,
        bidder=bidder.entity.uscc,
        price="4321000",
        secret=SECRETS["a"],
        documents=[("bid-a.pdf", b"PROPOSAL-a" * 40)],
    )
    client.force_login(bidder)
    url = reverse("trading:submit_bid", args=[announced.pk])
    from django.core.files.uploadedfile import SimpleUploadedFile

    answer = client.post(
        url,
        {
            "lot": lot.pk,
            "envelope": SimpleUploadedFile("bid.sealed", sealed["envelope"]),
            "receipt_digest": sealed["receiptDigest"],
            "security_form": "cash",
            "security_amount": "100000.00",
        },
    )
    assert answer.status_code == 200, answer.content[:500]
    bid = BidSubmission.objects.get(entity=bidder.entity)
    assert bid.sealed_by == "bidder" and bid.receipt_digest == sealed["receiptDigest"]
    assert sealed["receiptDigest"] in answer.content.decode()

    # Mixing both ways is refused, naming the fields.
    mixed = client.post(
        url,
        {
            "lot": lot.pk,
            "price": "1.00",
            "envelope": SimpleUploadedFile("bid.sealed", sealed["envelope"]),
            "receipt_digest": sealed["receiptDigest"],
        },
    )
    assert mixed.status_code == 200 and mixed.context["bid_form"].errors.get("price")

    from tests.trading.conftest import submit

    submit(lot, bidders["b"], "b", "4198000.00")
    submit(lot, bidders["c"], "c", "4560000.00")
    clock.move_to(local(2026, 3, 23, 9, 30))
    session = openings.schedule_opening(project=announced, actor=staff, venue=venue)
    openings.start_opening(session=session, actor=staff)
    outcome = openings.decrypt_bid(bid=bid, actor=bidder, secret=SECRETS["a"])
    assert outcome.ok, outcome.message
    bid.refresh_from_db()
    assert bid.price == Decimal("4321000.00")
