"""HMAC-DRBG with SHA-256 (NIST SP 800-90A Rev. 1, section 10.1.2) and unbiased integers.

The draw's randomness must be re-computable by an auditor from the published record, so it
comes from a deterministic generator seeded with a secret committed to in advance, not from
the operating system at draw time. Pure: no I/O, no Django.

Only what the draw needs is implemented: instantiate (entropy input, nonce, personalisation
string) and generate without additional input or reseeding — a draw asks for a few hundred
bytes at most, far below the standard's reseed interval (2^48 requests).
"""

import hashlib
import hmac

_OUTLEN = 32  # SHA-256


def _hmac(key: bytes, data: bytes) -> bytes:
    return hmac.new(key, data, hashlib.sha256).digest()


class HmacDrbg:
    """SP 800-90A HMAC_DRBG (SHA-256) without prediction resistance or reseeding."""

    def __init__(self, *, entropy: bytes, nonce: bytes, personalization: bytes = b""):
        if len(entropy) < 32:
            # 256 bits of entropy for the 256-bit security strength of SHA-256.
            raise ValueError("HMAC-DRBG/SHA-256 needs at least 32 bytes of entropy input")
        self._key = b"\x00" * _OUTLEN
        self._value = b"\x01" * _OUTLEN
        self._update(entropy + nonce + personalization)

    def _update(self, provided: bytes) -> None:
        self._key = _hmac(self._key, self._value + b"\x00" + provided)
        self._value = _hmac(self._key, self._value)
        if provided:
            self._key = _hmac(self._key, self._value + b"\x01" + provided)
            self._value = _hmac(self._key, self._value)

    def generate(self, length: int) -> bytes:
        """`length` pseudo-random bytes (one SP 800-90A generate request)."""
        if length <= 0:
            raise ValueError("length must be positive")
        output = b""
        while len(output) < length:
            self._value = _hmac(self._key, self._value)
            output += self._value
        self._update(b"")
        return output[:length]

    def randbelow(self, n: int) -> int:
        """A uniform integer in [0, n), by rejection sampling (no modulo bias).

        Each attempt is one generate request of ⌈k/8⌉ bytes, k = bit length of n − 1, whose
        top k bits are taken as an integer; values ≥ n are rejected and drawn again. An
        attempt succeeds with probability n / 2^k > 1/2. n = 1 consumes nothing.
        """
        if n <= 0:
            raise ValueError("n must be positive")
        if n == 1:
            return 0
        bits = (n - 1).bit_length()
        size = (bits + 7) // 8
        shift = size * 8 - bits
        while True:
            candidate = int.from_bytes(self.generate(size), "big") >> shift
            if candidate < n:
                return candidate
