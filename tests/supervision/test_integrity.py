"""Trade-log integrity: the scheduled verification raises a critical alert on a tampered row,
and the signed chain head verifies with the published public key."""

import base64
import json

import pgtrigger
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.db import transaction

from portal.tradelog.models import TradeLogEntry
from portal.tradelog.services import append_entry
from supervision.models import Alert
from supervision.tasks import verify_trade_log

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "supervision"])

IGNORE = "tradelog.TradeLogEntry:trade_log_append_only"


def _append(n: int) -> list[TradeLogEntry]:
    entries = []
    for i in range(n):
        with transaction.atomic():
            entries.append(
                append_entry(action="test.step", object_type="t", object_id=i, payload={"i": i})
            )
    return entries


def test_an_intact_log_raises_nothing():
    _append(3)
    assert verify_trade_log() == 0  # the beat's task body, as the worker runs it
    assert not Alert.objects.exists()


def test_tampering_with_a_row_raises_a_critical_alert():
    entries = _append(4)
    with pgtrigger.ignore(IGNORE):  # what a DBA with the trigger disabled could do
        TradeLogEntry.objects.filter(pk=entries[1].pk).update(payload={"i": 99})
    assert verify_trade_log() == 1
    alert = Alert.objects.get(rule_code="integrity.chain_broken")
    assert alert.severity == "critical" and alert.group == "integrity"
    assert alert.evidence == {
        "seq": 2,
        "kind": "payload_altered",
        "detail": "payload does not match its digest",
    }
    # The next scheduled run finds the same break: one alert, not one per run.
    assert verify_trade_log() == 1
    assert Alert.objects.filter(rule_code="integrity.chain_broken").count() == 1


def test_a_deleted_row_is_found_too():
    entries = _append(3)
    with pgtrigger.ignore(IGNORE):
        TradeLogEntry.objects.filter(pk=entries[0].pk).delete()
    verify_trade_log()
    kinds = set(Alert.objects.values_list("evidence__kind", flat=True))
    assert "missing" in kinds


def test_the_signed_head_verifies_with_the_public_key(api):
    _append(2)
    head = api.get("/api/v1/supervision/trade-log/head/")
    assert head.status_code == 200
    body = head.json()
    assert body["seq"] == 2 and body["algorithm"] == "Ed25519"
    assert json.loads(body["message"])["entry_hash"] == body["entry_hash"]
    published = api.get("/api/v1/supervision/trade-log/public-key/").json()
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(published["public_key"]))
    key.verify(base64.b64decode(body["signature"]), body["message"].encode())
    forged = body["message"].replace('"seq":2', '"seq":1')
    with pytest.raises(InvalidSignature):
        key.verify(base64.b64decode(body["signature"]), forged.encode())
