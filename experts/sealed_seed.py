"""The draw's seed at rest: sealed (AES-256-GCM) until the evaluation starts.

Whoever holds the seed and the eligible sets can compute every invitation a draw will ever
make, replacements included. Until the reveal the seed is therefore stored only encrypted,
under a key derived (HKDF-SHA-256) from the deployment's SECRET_KEY, and bound to its draw
(associated data), so a reader of the database — or of a backup — cannot recompute the
names. At the reveal the seed is written out in clear for the audit record.

A draw sealed under a SECRET_KEY that has since been rotated away is opened with the keys in
SECRET_KEY_FALLBACKS.
"""

import base64
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_INFO = b"experts/v1/draw-seed-key"
_NONCE_BYTES = 12


def _key(secret: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret.encode())


def _aad(draw_id: int) -> bytes:
    return f"expert-draw-seed|{draw_id}".encode()


def seal(seed: bytes, *, draw_id: int) -> str:
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(_key(settings.SECRET_KEY)).encrypt(nonce, seed, _aad(draw_id))
    return base64.b64encode(nonce + sealed).decode()


def unseal(sealed: str, *, draw_id: int) -> bytes:
    raw = base64.b64decode(sealed)
    nonce, body = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    last_error: Exception | None = None
    for secret in secrets:
        try:
            return AESGCM(_key(secret)).decrypt(nonce, body, _aad(draw_id))
        except Exception as exc:  # InvalidTag: try the next key
            last_error = exc
    raise ValueError("the draw's seed cannot be opened with the configured keys") from last_error
