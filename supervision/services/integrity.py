"""Trade-log integrity: the scheduled chain verification and the signed chain head.

The chain is verified through the read-only connection, from the first entry: tampering with
an old row is exactly what must be caught, so the check is never incremental. Each problem
becomes a critical alert (one per problem, so a re-run raises nothing new).

The head is signed with the platform's Ed25519 key (`PLATFORM_SIGNING_KEY`), so an auditor
holding the public key can prove what the platform said its log contained at a given time,
and compare it with `manage.py verify_trade_log` on a copy.
"""

import base64
from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.utils import timezone

from portal.tradelog.chain import GENESIS_HASH, canonical_json
from portal.tradelog.models import TradeLogHead
from portal.tradelog.selectors import verify_trade_log
from supervision.selectors import READ
from supervision.services.evaluation import raise_integrity_alerts


def verify_chain_and_alert() -> int:
    """Verify the whole chain; raise a critical alert per problem. Returns the problems."""
    problems = verify_trade_log(using=READ)
    raise_integrity_alerts(problems)
    return len(problems)


def _private_key() -> Ed25519PrivateKey:
    raw = base64.b64decode(settings.PLATFORM_SIGNING_KEY)
    return Ed25519PrivateKey.from_private_bytes(raw)


def public_key_b64() -> str:
    public = _private_key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(public).decode()


def public_key_pem() -> str:
    return (
        _private_key()
        .public_key()
        .public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def sign(message: bytes) -> str:
    return base64.b64encode(_private_key().sign(message)).decode()


@dataclass(frozen=True)
class SignedHead:
    seq: int
    entry_hash: str
    signed_at: datetime
    message: str  # the exact bytes signed (UTF-8), canonical JSON
    signature: str  # base64
    public_key: str  # base64, raw 32 bytes
    algorithm: str = "Ed25519"


def signed_head() -> SignedHead:
    head = TradeLogHead.objects.using(READ).filter(id=1).first()
    seq, entry_hash = (head.seq, head.entry_hash) if head else (0, GENESIS_HASH)
    signed_at = timezone.now()
    message = canonical_json(
        {
            "platform": settings.PLATFORM_NAME,
            "seq": seq,
            "entry_hash": entry_hash,
            "signed_at": signed_at.isoformat(),
        }
    )
    return SignedHead(
        seq=seq,
        entry_hash=entry_hash,
        signed_at=signed_at,
        message=message,
        signature=sign(message.encode()),
        public_key=public_key_b64(),
    )
