"""The upload that counts, and bids sealed on the bidder's own machine.

A bid counts if the whole file was on the server before the deadline (电子招标投标办法 第27条):
the receipt time is the instant our own proxy had the complete upload, believed only from the
proxy's address. A bidder may seal its bid on its own machine (its bid-making tool, or the web
page) and upload the envelope: the server never sees the price and spends no key derivation,
and what the envelope holds is checked when it opens — any mismatch is the bidder's failure."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from portal import sealing
from portal.errors import ApplicationError
from portal.tradelog.models import TradeLogEntry
from tests.trading.conftest import SECRETS, client_for, local
from trading.models import BidSubmission
from trading.services import openings

pytestmark = pytest.mark.django_db

DEADLINE = local(2026, 3, 23, 9, 30)
PROXY = "10.0.0.5"


def _clear_bid(key: str, price: str = "4321000.00") -> dict:
    return {
        "lot": 1,
        "price": price,
        "secret": SECRETS[key],
        "documents": [SimpleUploadedFile(f"bid-{key}.pdf", f"PROPOSAL-{key}".encode() * 40)],
        "security_form": "cash",
        "security_amount": "100000.00",
    }


def _seal_on_the_bidders_machine(lot, uscc: str, key: str, price: str, *, bound_lot=None):
    """What the bidder's tool does offline: pack, digest, seal under its own secret."""
    bound_lot = bound_lot or lot
    manifest = {
        "project": str(lot.project_id),
        "lot": str(lot.pk),
        "bidder": uscc,
        "price": price,
        "currency": "CNY",
    }
    documents = [(f"bid-{key}.pdf", f"PROPOSAL-{key}".encode() * 40)]
    salt = sealing.new_receipt_salt()
    package = sealing.pack_bid(manifest=manifest, documents=documents, receipt_salt=salt)
    digest = sealing.receipt_digest(manifest=manifest, documents=documents, salt=salt)
    aad = f"bid|{bound_lot.project_id}|{bound_lot.pk}|{uscc}".encode()
    envelope = sealing.seal(package, SECRETS[key], aad=aad).to_bytes()
    return envelope, digest


def _two_more_bids(announced, bidders) -> None:
    """Two bids sealed by the server, so the lot has its legal minimum of three."""
    for key, price in (("b", "4198000.00"), ("c", "4560000.00")):
        posted = client_for(bidders[key]).post(
            f"/api/v1/projects/{announced.pk}/bids/", _clear_bid(key, price), format="multipart"
        )
        assert posted.status_code == 201, posted.data


def _sealed_upload(envelope: bytes, digest: str) -> dict:
    return {
        "lot": 1,
        "envelope": SimpleUploadedFile("bid.sealed", envelope),
        "receipt_digest": digest,
        "security_form": "cash",
        "security_amount": "100000.00",
    }


def test_an_upload_complete_before_the_deadline_counts_though_handled_after(
    announced, bidders, clock, settings
):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    stamp = DEADLINE - timedelta(seconds=2)
    clock.move_to(DEADLINE + timedelta(seconds=3))  # the worker got to it 5 s later
    header = {"HTTP_X_BODY_RECEIVED_AT": f"t={stamp.timestamp():.3f}"}

    from_proxy = client_for(bidders["a"]).post(
        f"/api/v1/projects/{announced.pk}/bids/",
        _clear_bid("a"),
        format="multipart",
        REMOTE_ADDR=PROXY,
        HTTP_X_REAL_IP="203.0.113.7",
        **header,
    )
    assert from_proxy.status_code == 201, from_proxy.data
    bid = BidSubmission.objects.get(pk=from_proxy.data["id"])
    assert bid.received_at == stamp and bid.client_ip == "203.0.113.7"
    logged = TradeLogEntry.objects.get(action="bid.submitted", object_id=str(bid.pk))
    assert logged.payload["client_ip"] == "203.0.113.7"

    # The same header from anyone else is not believed: the server clock says late.
    forged = client_for(bidders["b"]).post(
        f"/api/v1/projects/{announced.pk}/bids/",
        _clear_bid("b"),
        format="multipart",
        REMOTE_ADDR="198.51.100.9",
        HTTP_X_REAL_IP="203.0.113.8",
        **header,
    )
    assert forged.status_code == 409 and forged.data["code"] == "deadline_passed"
    assert not BidSubmission.objects.filter(entity=bidders["b"].entity).exists()


def test_a_stamp_after_the_deadline_or_implausible_is_not_an_excuse(
    announced, bidders, clock, settings
):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    clock.move_to(DEADLINE + timedelta(seconds=3))
    for stamp in (
        DEADLINE,  # exactly at the deadline: late
        DEADLINE - timedelta(hours=2),  # a queue of two hours is a replayed header
        DEADLINE + timedelta(minutes=5),  # from the future
    ):
        response = client_for(bidders["a"]).post(
            f"/api/v1/projects/{announced.pk}/bids/",
            _clear_bid("a"),
            format="multipart",
            REMOTE_ADDR=PROXY,
            HTTP_X_BODY_RECEIVED_AT=f"t={stamp.timestamp():.3f}",
        )
        assert response.status_code == 409, stamp
        assert response.data["code"] == "deadline_passed"


def test_a_bid_sealed_by_the_bidder_is_stored_unreadable_and_opens_at_the_opening(
    announced, bidders, staff, venue, clock
):
    lot = announced.lots.get()
    uscc = bidders["a"].entity.uscc
    envelope, digest = _seal_on_the_bidders_machine(lot, uscc, "a", "4321000.00")
    response = client_for(bidders["a"]).post(
        f"/api/v1/projects/{announced.pk}/bids/",
        _sealed_upload(envelope, digest),
        format="multipart",
    )
    assert response.status_code == 201, response.data
    assert response.data["receipt_digest"] == digest
    bid = BidSubmission.objects.get(pk=response.data["id"])
    assert bid.sealed_by == "bidder" and bid.price is None
    with bid.envelope.open("rb") as handle:
        stored = handle.read()
    assert stored == envelope and b"4321000" not in stored and b"PROPOSAL" not in stored
    assert sealing.SealedEnvelope.from_bytes(stored).ciphertext_digest() == bid.envelope_digest

    _two_more_bids(announced, bidders)
    clock.move_to(DEADLINE)
    session = openings.start_opening(
        session=openings.schedule_opening(project=announced, actor=staff, venue=venue),
        actor=staff,
    )
    outcome = openings.decrypt_bid(bid=bid, actor=bidders["a"], secret=SECRETS["a"])
    assert outcome.ok, outcome.message
    bid.refresh_from_db()
    assert bid.price == Decimal("4321000.00") and bid.state == "decrypted"
    assert session.state == "decrypting"


@pytest.mark.parametrize("fault", ["another_lot", "wrong_digest", "wrong_bidder"])
def test_a_bidder_sealed_envelope_that_is_not_this_bid_fails_as_the_bidder_s_fault(
    fault, announced, bidders, staff, venue, clock
):
    lot = announced.lots.get()
    uscc = bidders["a"].entity.uscc
    if fault == "another_lot":
        other = type(lot)(pk=lot.pk + 1000, project_id=lot.project_id)
        envelope, digest = _seal_on_the_bidders_machine(
            lot, uscc, "a", "4321000.00", bound_lot=other
        )
    elif fault == "wrong_digest":
        envelope, _digest = _seal_on_the_bidders_machine(lot, uscc, "a", "4321000.00")
        digest = "0" * 64
    else:
        # Bound (aad) to a's bid so that it authenticates, but the package names b.
        envelope, digest = _seal_mismatched_bidder(lot, uscc, bidders["b"].entity.uscc)
    response = client_for(bidders["a"]).post(
        f"/api/v1/projects/{announced.pk}/bids/",
        _sealed_upload(envelope, digest),
        format="multipart",
    )
    assert response.status_code == 201  # nothing can be checked before the opening
    bid = BidSubmission.objects.get(pk=response.data["id"])
    _two_more_bids(announced, bidders)
    clock.move_to(DEADLINE)
    session = openings.schedule_opening(project=announced, actor=staff, venue=venue)
    openings.start_opening(session=session, actor=staff)
    outcome = openings.decrypt_bid(bid=bid, actor=bidders["a"], secret=SECRETS["a"])
    assert not outcome.ok and outcome.cause == "invalid_package", outcome
    assert openings.FAILED_DECRYPTION_CONSEQUENCE[outcome.cause] == "revoked"


def _seal_mismatched_bidder(lot, uscc: str, named: str):
    manifest = {
        "project": str(lot.project_id),
        "lot": str(lot.pk),
        "bidder": named,
        "price": "4321000.00",
        "currency": "CNY",
    }
    documents = [("bid-a.pdf", b"PROPOSAL-a" * 40)]
    salt = sealing.new_receipt_salt()
    package = sealing.pack_bid(manifest=manifest, documents=documents, receipt_salt=salt)
    digest = sealing.receipt_digest(manifest=manifest, documents=documents, salt=salt)
    aad = f"bid|{lot.project_id}|{lot.pk}|{uscc}".encode()
    return sealing.seal(package, SECRETS["a"], aad=aad).to_bytes(), digest


def test_a_bad_upload_is_refused_naming_the_field(announced, bidders):
    lot = announced.lots.get()
    url = f"/api/v1/projects/{announced.pk}/bids/"
    client = client_for(bidders["a"])
    envelope, digest = _seal_on_the_bidders_machine(
        lot, bidders["a"].entity.uscc, "a", "4321000.00"
    )

    both = client.post(url, {**_clear_bid("a"), **_sealed_upload(envelope, digest)})
    assert both.status_code == 400 and {"price", "secret", "documents"} <= set(both.data)

    missing = client.post(url, {"lot": 1, "envelope": SimpleUploadedFile("x", envelope)})
    assert missing.status_code == 400 and "receipt_digest" in missing.data

    garbage = client.post(url, _sealed_upload(b"not an envelope at all", digest))
    assert garbage.status_code == 400 and "envelope" in garbage.data

    damaged = bytearray(envelope)
    damaged[len(damaged) // 2] ^= 0x01
    flipped = client.post(url, _sealed_upload(bytes(damaged), digest))
    assert flipped.status_code == 400 and "envelope" in flipped.data

    short = client.post(url, _sealed_upload(envelope, "ABC"))
    assert short.status_code == 400 and "receipt_digest" in short.data
    assert not BidSubmission.objects.exists()


def test_an_envelope_above_the_limit_is_refused_naming_the_field(announced, bidders, monkeypatch):
    from trading.services import bids

    lot = announced.lots.get()
    envelope, digest = _seal_on_the_bidders_machine(
        lot, bidders["a"].entity.uscc, "a", "4321000.00"
    )
    monkeypatch.setattr(bids, "MAX_ENVELOPE_BYTES", len(envelope) - 1)
    url = f"/api/v1/projects/{announced.pk}/bids/"
    refused = client_for(bidders["a"]).post(url, _sealed_upload(envelope, digest))
    assert refused.status_code == 400 and refused.data["code"] == "envelope_too_large"
    assert "envelope" in refused.data
    with pytest.raises(ApplicationError) as service:
        bids.submit_sealed_bid(
            lot=lot, actor=bidders["a"], envelope=envelope, receipt_digest=digest
        )
    assert service.value.code == "envelope_too_large" and "envelope" in service.value.fields
    assert not BidSubmission.objects.exists()
