"""The checks on an envelope a bidder sealed on its own machine, before any procedure stores
it: shared by trading's tenders and the auctions' land and mining tenders, so that both refuse
the same bad input with the same field, code and message."""

import re

from django.utils.translation import gettext as _

from portal import sealing
from portal.errors import refuse

_HEX_DIGEST = re.compile(r"[0-9a-f]{64}")


def envelope_too_large_message() -> str:
    return _("The envelope is larger than the platform accepts.")


def parse_client_envelope(
    envelope: bytes, receipt_digest: str, *, max_bytes: int
) -> sealing.SealedEnvelope:
    """The parsed envelope, or an ApplicationError naming the field: too large, a receipt
    digest that is not 64 lowercase hex characters, bytes that are not a sealed bid this
    platform can open, or an envelope not sealed under the bidder's own secret (scrypt)."""
    if len(envelope) > max_bytes:
        raise refuse(envelope_too_large_message(), "envelope_too_large", "envelope")
    if not _HEX_DIGEST.fullmatch(receipt_digest or ""):
        raise refuse(
            _("The receipt digest is 64 lowercase hexadecimal characters."),
            "receipt_digest_invalid",
            "receipt_digest",
        )
    try:
        sealed = sealing.SealedEnvelope.from_bytes(envelope)
    except sealing.UnsealError as exc:
        raise refuse(
            _("The envelope is not a sealed bid this platform can open: %(detail)s")
            % {"detail": exc.message},
            "envelope_invalid",
            "envelope",
        ) from exc
    if sealed.kdf != "scrypt":
        raise refuse(
            _("The envelope must be sealed with the bidder's own secret."),
            "envelope_invalid",
            "envelope",
        )
    return sealed
