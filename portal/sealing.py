"""Sealed bids (投标文件加密): the bid package, its receipt digest, and the envelope that keeps
it unreadable until the opening (开标). Pure functions of bytes: no models, no I/O.

Threat model. Before the opening nobody but the bidder can read a bid — not centre staff, not
the tenderee, not an administrator with the database, the file store or the backups. The bid
package is encrypted under a random data key (DEK); the DEK is wrapped under a key derived with
scrypt from a passphrase only the bidder holds and the platform never stores. Anyone holding
the envelope sees only the suite, the KDF parameters, nonces, digests and the package size. At
the opening the bidder supplies its passphrase; afterwards `rewrap_for_archive` wraps the same
DEK under the platform's archive key so the evaluation committee and the archive can read the
bid without the passphrase (the archive key must never be used before the opening). Where
sealing runs matters: on the bidder's machine (this module needs nothing of the server but
gettext) the plaintext never reaches the server; a server that seals inside the upload request
holds plaintext and passphrase in memory for that request — safe against the database and its
administrators, not against whoever controls the running code.

Fault is provable. A bid that cannot be decrypted is revoked when the bidder caused it and
withdrawn when someone else did (《电子招标投标办法》 第31条), so every failure names its cause:
`wrong_secret` (the DEK does not unwrap), `corrupted` (the bytes are not the ones received, do
not parse, fail their checksum, or the package fails authentication under the right key: it was
altered or belongs to another bid), `unsupported_suite` (an algorithm, format version or KDF
parameters this platform does not run), and `wrong_archive_key`, `key_kind_mismatch`,
`invalid_package` (see the classes). A modified wrapped key or KDF salt and a wrong passphrase
are the same event cryptographically; what separates them is the envelope's digest logged at
receipt: callers pass it as `expected_digest`, and a mismatch is `corrupted` before any key is
tried. Accidental damage (a flipped bit in storage or transit) is caught by the envelope's
CRC-32 even without it.

Bid package, version 1 (deterministic: the same input gives the same bytes):
    b"BIDPKG" | version u8 = 1 | salt length u8 (0 or 16–64) | receipt salt
    | manifest length u32 BE | manifest | document contents, concatenated in manifest order
The manifest is canonical JSON (UTF-8, sorted keys, no spaces, no floats): the caller's fields
(`lot`, a code or an id; `price` as a decimal string with `currency`, absent in the technical
envelope of the two-envelope method, 双信封), plus `digest_algorithm` and `documents` — a list
of {name, size, digest} filled in by `pack_bid` from the bytes.

Envelope, version 1:
    b"SEALBID" | version u8 = 1 | header length u32 BE | header | ciphertext | CRC-32 u32 BE
The header is canonical JSON: `suite`, `kdf` ("scrypt" with `kdf_params` {n, r, p} and
`kdf_salt`; or "none" with `archive_key_id` after the archive re-wrap), `key_nonce`,
`wrapped_key` (GCM(KEK, DEK) with its tag), `data_nonce`, binary fields in base64. The
ciphertext is GCM(DEK, package) with its 16-byte tag at the end, authenticated together with
the caller's `aad` (see `bid_aad`: project, lot, bidder and submission), so an envelope cannot
be moved to another bid. The CRC covers every byte before it (every future version keeps it).
`ciphertext_digest()` is the suite's hash (SHA-256 or SM3) of the whole serialized envelope:
`sha256sum` of the stored file.

Why the receipt is salted. The receipt digest goes into the trade log, which supervision
reads. Prices are short and guessable: an unsalted digest of the manifest would let anyone who
knows (or guesses) the documents try prices until the digest matches, before the opening. The
salt (16+ random bytes) is given to the bidder in its receipt and sealed inside the package, so
before the opening only the bidder has it, and after the opening anyone can check that the
opened bid is the one receipted (`package_receipt_digest`).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
import secrets
import unicodedata
import zlib
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.utils.translation import gettext as _

__all__ = [
    "DEFAULT_KDF_PARAMS",
    "DEFAULT_SUITE",
    "SUITES",
    "BidPackage",
    "BidPackageError",
    "EnvelopeCorrupted",
    "InvalidPackage",
    "KdfParams",
    "KeyKindMismatch",
    "SealedEnvelope",
    "Suite",
    "UnsealError",
    "UnsupportedSuite",
    "WeakSecretError",
    "WrongArchiveKey",
    "WrongSecret",
    "bid_aad",
    "check_secret_strength",
    "complete_manifest",
    "new_receipt_salt",
    "pack_bid",
    "package_receipt_digest",
    "receipt_digest",
    "rewrap_for_archive",
    "seal",
    "test_decrypt",
    "unpack_bid",
    "unseal",
    "unseal_archived",
]

# --- Algorithms ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Suite:
    """A cipher (used in GCM mode) and the hash that goes with it. Both suites use 96-bit
    nonces and 128-bit tags; SM4 is the national block cipher (GB/T 32907), SM3 the national
    hash (GB/T 32905)."""

    name: str
    cipher: type
    key_length: int
    digest_algorithm: str


DEFAULT_SUITE = "AES-256-GCM/SHA-256"
SUITES = {
    suite.name: suite
    for suite in (
        Suite(DEFAULT_SUITE, algorithms.AES, 32, "sha256"),
        Suite("SM4-GCM/SM3", algorithms.SM4, 16, "sm3"),
    )
}
_HASHES = {"sha256": hashes.SHA256, "sm3": hashes.SM3}

NONCE_LENGTH = 12
TAG_LENGTH = 16
KDF_SALT_LENGTH = 16
ARCHIVE_KEY_LENGTH = 32
MIN_RECEIPT_SALT_LENGTH = 16
MAX_RECEIPT_SALT_LENGTH = 64
MIN_SECRET_LENGTH = 12
MAX_SECRET_LENGTH = 1024

PACKAGE_MAGIC = b"BIDPKG"
PACKAGE_VERSION = 1
MAX_MANIFEST_BYTES = 1 << 20
ENVELOPE_MAGIC = b"SEALBID"
ENVELOPE_VERSION = 1
MAX_HEADER_BYTES = 16 << 10

_RECEIPT_LABEL = b"sealed-bid/v1/receipt"
_DATA_AAD_LABEL = b"sealed-bid/v1/data"
_WRAP_AAD_LABEL = b"sealed-bid/v1/key-wrap"
_ARCHIVE_KEK_LABEL = b"sealed-bid/v1/archive-kek/"
_ARCHIVE_KEY_ID_LABEL = b"sealed-bid/v1/archive-key-id/"


# --- Errors -------------------------------------------------------------------------------


class UnsealError(Exception):
    """A decryption attempt failed; `cause` is the code the trade log records."""

    cause = "unseal_failed"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class WrongSecret(UnsealError):
    """The DEK did not unwrap under the key derived from the given secret. When the envelope's
    digest matched the one logged at receipt, the secret is not the one the bid was sealed
    with: the bidder's fault."""

    cause = "wrong_secret"

    def __init__(self, message: str, *, digest_verified: bool):
        super().__init__(message)
        self.digest_verified = digest_verified  # True: the attribution to the bidder holds


class EnvelopeCorrupted(UnsealError):
    """The envelope is not the one received, does not parse, fails its checksum, or its
    package fails authentication under the right key (altered, or bound to another bid):
    not the bidder's fault once its test-decrypt succeeded."""

    cause = "corrupted"


class UnsupportedSuite(UnsealError):
    """The envelope asks for an algorithm, format version or KDF parameters this platform does
    not run (absurd scrypt parameters are refused here, before any work is done)."""

    cause = "unsupported_suite"


class WrongArchiveKey(UnsealError):
    """An archived envelope was opened with a different archive key than it was wrapped
    under (the key id says so before anything is decrypted): the platform's fault."""

    cause = "wrong_archive_key"


class KeyKindMismatch(UnsealError):
    """A bidder's envelope was opened as archived, or an archived one with a secret."""

    cause = "key_kind_mismatch"


class InvalidPackage(UnsealError):
    """The envelope opened, but what the bidder sealed is not a valid bid package."""

    cause = "invalid_package"


class BidPackageError(ValueError):
    """A bid package or manifest is refused; `code` names the rule."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class WeakSecretError(ValueError):
    """`seal` refuses a secret that `check_secret_strength` finds too weak."""


# --- Canonical encodings --------------------------------------------------------------------


def _canonical_json(value: Any) -> bytes:
    return json.dumps(
        value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate key")
    return result


def _reject_number(text: str) -> Any:
    raise ValueError(f"not allowed in a canonical document: {text}")


def _strict_json(data: bytes) -> Any:
    """Parse canonical JSON: no duplicate keys, no floats or NaN, and re-encoding gives the same
    bytes, so a parsed document serializes back to exactly what was read (digests stay put)."""
    value = json.loads(
        data.decode("utf-8"),
        object_pairs_hook=_no_duplicate_keys,
        parse_float=_reject_number,
        parse_constant=_reject_number,
    )
    if _canonical_json(value) != data:
        raise ValueError("not canonical")
    return value


def _hash(algorithm: str) -> hashes.Hash:
    return hashes.Hash(_HASHES[algorithm]())


def _hexdigest(algorithm: str, *parts: bytes) -> str:
    digest = _hash(algorithm)
    for part in parts:
        digest.update(part)
    return digest.finalize().hex()


def _frame(*parts: bytes) -> bytes:
    """Length-prefixed concatenation: no two different part lists give the same bytes."""
    return b"".join(len(part).to_bytes(4, "big") + part for part in parts)


# --- The bid package ------------------------------------------------------------------------

_PRICE = re.compile(r"(0|[1-9][0-9]*)(\.[0-9]+)?")
_CURRENCY = re.compile(r"[A-Z]{3}")
_FORBIDDEN_IN_NAMES = frozenset("/\\")
_RESERVED_NAMES = frozenset({".", ".."})


@dataclass(frozen=True)
class BidPackage:
    """What the bidder sealed: the completed manifest, the documents in manifest order, and
    the receipt salt when one was sealed with them."""

    manifest: dict
    documents: tuple[tuple[str, bytes], ...]
    receipt_salt: bytes | None = field(default=None, repr=False)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return False
    return True


def _check_manifest_value(value: Any, path: str) -> None:
    if isinstance(value, str) and not _encodable(value):
        raise BidPackageError(
            "invalid_manifest", _("%(path)s is not valid Unicode text.") % {"path": path}
        )
    if value is None or isinstance(value, str | int):  # bool is an int
        return
    if isinstance(value, float):
        raise BidPackageError(
            "invalid_manifest",
            _('%(path)s is a floating-point number; write amounts as decimal strings ("1234.50").')
            % {"path": path},
        )
    if isinstance(value, list):
        for index, item in enumerate(value):
            _check_manifest_value(item, f"{path}[{index}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or not _encodable(key):
                raise BidPackageError(
                    "invalid_manifest",
                    _("%(path)s has a key that is not a string.") % {"path": path},
                )
            _check_manifest_value(item, f"{path}.{key}")
        return
    raise BidPackageError(
        "invalid_manifest",
        _("%(path)s is a %(type)s; a manifest holds strings, integers, lists and objects.")
        % {"path": path, "type": type(value).__name__},
    )


def _check_bid_fields(manifest: dict) -> None:
    lot = manifest.get("lot")  # the lot's code or its id
    if isinstance(lot, bool) or not (
        isinstance(lot, int) or (isinstance(lot, str) and lot.strip())
    ):
        raise BidPackageError("invalid_lot", _("The manifest must name the lot (标段)."))
    if "price" not in manifest:
        if "currency" in manifest:
            raise BidPackageError("invalid_price", _("The manifest gives a currency but no price."))
        return  # a technical envelope of the two-envelope method (双信封) carries no price
    price = manifest["price"]
    if not isinstance(price, str) or not _PRICE.fullmatch(price):
        raise BidPackageError(
            "invalid_price",
            _(
                "The price must be a non-negative decimal string such as “1234.50”, "
                "without signs, exponents or separators."
            ),
        )
    currency = manifest.get("currency")
    if not isinstance(currency, str) or not _CURRENCY.fullmatch(currency):
        raise BidPackageError(
            "invalid_currency",
            _("The currency must be an ISO 4217 code such as “CNY”."),
        )


def _check_document_name(name: Any) -> None:
    valid = (
        isinstance(name, str)
        and 0 < len(name) <= 255
        and name == name.strip()
        and name not in _RESERVED_NAMES
        and not _FORBIDDEN_IN_NAMES.intersection(name)
        and not any(unicodedata.category(char) in {"Cc", "Cs"} for char in name)
    )
    if not valid:
        raise BidPackageError(
            "invalid_document_name",
            _(
                "“%(name)s” is not a valid document name: a name is 1–255 characters, without "
                "“/” or “\\”, control characters or surrounding spaces, and not “.” or “..”."
            )
            % {"name": name},
        )


def _checked_documents(documents: Any) -> list[tuple[str, bytes]]:
    checked: list[tuple[str, bytes]] = []
    seen: set[str] = set()
    for entry in documents:
        if not isinstance(entry, tuple | list) or len(entry) != 2:
            raise BidPackageError(
                "invalid_document", _("Each document is a pair of a name and its bytes.")
            )
        name, content = entry
        _check_document_name(name)
        # Case-insensitively unique, so the documents can be written to any file system.
        if name.casefold() in seen:
            raise BidPackageError(
                "duplicate_document_name",
                _("Two documents are named “%(name)s” (names are compared ignoring case).")
                % {"name": name},
            )
        seen.add(name.casefold())
        if not isinstance(content, bytes | bytearray | memoryview):
            raise BidPackageError(
                "invalid_document",
                _("The content of “%(name)s” is not bytes.") % {"name": name},
            )
        checked.append((name, bytes(content)))
    return checked


def complete_manifest(
    *, manifest: dict, documents: Any, digest_algorithm: str | None = None
) -> dict:
    """The manifest as sealed: the caller's fields plus `digest_algorithm` and one
    {name, size, digest} entry per document, computed from the bytes.

    A manifest that already lists its documents (one read back from a package) must list
    exactly these; `digest_algorithm` defaults to the one it records, else SHA-256.
    """
    if not isinstance(manifest, dict):
        raise BidPackageError("invalid_manifest", _("The manifest must be an object."))
    _check_manifest_value(manifest, "manifest")
    recorded = manifest.get("digest_algorithm")
    algorithm = digest_algorithm or recorded or "sha256"
    if algorithm not in _HASHES or (recorded is not None and recorded != algorithm):
        raise BidPackageError(
            "unsupported_digest",
            _("The digest algorithm must be one of %(known)s, and match the manifest's.")
            % {"known": ", ".join(sorted(_HASHES))},
        )
    _check_bid_fields(manifest)
    entries = [
        {"name": name, "size": len(content), "digest": _hexdigest(algorithm, content)}
        for name, content in _checked_documents(documents)
    ]
    if "documents" in manifest and manifest["documents"] != entries:
        raise BidPackageError(
            "documents_mismatch",
            _(
                "The manifest's document list does not match the documents' names, sizes "
                "and digests."
            ),
        )
    return {**manifest, "digest_algorithm": algorithm, "documents": entries}


def _checked_salt(salt: Any) -> bytes:
    if (
        not isinstance(salt, bytes)
        or not MIN_RECEIPT_SALT_LENGTH <= len(salt) <= MAX_RECEIPT_SALT_LENGTH
    ):
        raise BidPackageError(
            "invalid_salt",
            _("A receipt salt is %(min)d to %(max)d random bytes.")
            % {"min": MIN_RECEIPT_SALT_LENGTH, "max": MAX_RECEIPT_SALT_LENGTH},
        )
    return salt


def new_receipt_salt() -> bytes:
    """A fresh receipt salt (16 random bytes) for one submission."""
    return secrets.token_bytes(MIN_RECEIPT_SALT_LENGTH)


def pack_bid(
    *,
    manifest: dict,
    documents: list[tuple[str, bytes]],
    digest_algorithm: str | None = None,
    receipt_salt: bytes | None = None,
) -> bytes:
    """The bid package (the plaintext that gets sealed); see the module docstring for the
    format. Sealing the receipt salt inside lets the opening check the receipt without the
    platform keeping the salt in the clear."""
    full_manifest = complete_manifest(
        manifest=manifest, documents=documents, digest_algorithm=digest_algorithm
    )
    salt = b"" if receipt_salt is None else _checked_salt(receipt_salt)
    manifest_bytes = _canonical_json(full_manifest)
    if len(manifest_bytes) > MAX_MANIFEST_BYTES:
        raise BidPackageError("invalid_manifest", _("The manifest is larger than 1 MiB."))
    parts = [
        PACKAGE_MAGIC,
        bytes([PACKAGE_VERSION, len(salt)]),
        salt,
        len(manifest_bytes).to_bytes(4, "big"),
        manifest_bytes,
    ]
    parts.extend(content for _name, content in _checked_documents(documents))
    return b"".join(parts)


def _malformed(detail: str) -> BidPackageError:
    return BidPackageError(
        "malformed", _("This is not a valid bid package: %(detail)s.") % {"detail": detail}
    )


def unpack_bid(data: bytes) -> BidPackage:
    """Read a bid package back, checking every document against the manifest's size and
    digest; what comes out packs back into exactly the same bytes."""
    data = bytes(data)
    header_end = len(PACKAGE_MAGIC) + 2
    if len(data) < header_end or not data.startswith(PACKAGE_MAGIC):
        raise _malformed("wrong magic")
    version, salt_length = data[len(PACKAGE_MAGIC)], data[len(PACKAGE_MAGIC) + 1]
    if version != PACKAGE_VERSION:
        raise _malformed(f"unknown version {version}")
    position = header_end + salt_length
    salt = data[header_end:position]
    if salt_length and not MIN_RECEIPT_SALT_LENGTH <= salt_length <= MAX_RECEIPT_SALT_LENGTH:
        raise _malformed("bad receipt salt length")
    manifest_length = int.from_bytes(data[position : position + 4], "big")
    position += 4
    if manifest_length > MAX_MANIFEST_BYTES or position + manifest_length > len(data):
        raise _malformed("bad manifest length")
    try:
        manifest = _strict_json(data[position : position + manifest_length])
    except (ValueError, RecursionError) as error:
        raise _malformed("the manifest is not canonical JSON") from error
    position += manifest_length
    entries = manifest.get("documents") if isinstance(manifest, dict) else None
    if not isinstance(entries, list) or not all(
        isinstance(entry, dict)
        and set(entry) == {"name", "size", "digest"}
        and isinstance(entry["size"], int)
        and not isinstance(entry["size"], bool)
        and entry["size"] >= 0
        for entry in entries
    ):
        raise _malformed("the manifest's document list is missing or malformed")
    documents = []
    for entry in entries:
        end = position + entry["size"]
        if end > len(data):
            raise _malformed("a document is shorter than its stated size")
        documents.append((entry["name"], data[position:end]))
        position = end
    if position != len(data):
        raise _malformed("there are bytes after the last document")
    completed = complete_manifest(manifest=manifest, documents=documents)  # checks digests
    if completed != manifest:
        raise _malformed("the manifest does not record its digest algorithm")
    return BidPackage(manifest=completed, documents=tuple(documents), receipt_salt=salt or None)


# --- The receipt ----------------------------------------------------------------------------


def receipt_digest(
    *,
    manifest: dict,
    documents: list[tuple[str, bytes]],
    salt: bytes,
    digest_algorithm: str | None = None,
) -> str:
    """The receipt digest (hex) over the salt and the completed manifest (whose document
    entries carry each document's digest). The bidder recomputes it from what it kept — its
    manifest, its documents and the salt from its receipt — and gets the same value."""
    full_manifest = complete_manifest(
        manifest=manifest, documents=documents, digest_algorithm=digest_algorithm
    )
    salt = _checked_salt(salt)
    return _hexdigest(
        full_manifest["digest_algorithm"],
        _RECEIPT_LABEL,
        bytes([len(salt)]),
        salt,
        _canonical_json(full_manifest),
    )


def package_receipt_digest(package: BidPackage, *, salt: bytes | None = None) -> str:
    """The receipt digest of an opened package, with the salt sealed in it unless given."""
    salt = package.receipt_salt if salt is None else salt
    if salt is None:
        raise BidPackageError(
            "invalid_salt", _("This package carries no receipt salt; give the bidder's.")
        )
    return receipt_digest(manifest=package.manifest, documents=package.documents, salt=salt)


# --- Secrets --------------------------------------------------------------------------------

_SEQUENCES = (
    "0123456789",
    "abcdefghijklmnopqrstuvwxyz",
    "qwertyuiopasdfghjklzxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
)


def _normalize_secret(secret: str) -> bytes:
    """NFKC folds full-width letters and digits (全角) into their ASCII forms, so a passphrase
    typed with the IME in the other width still works; surrounding spaces are dropped (a
    common copy-and-paste slip). Both are applied when sealing and when opening."""
    if not isinstance(secret, str):
        raise TypeError("the secret is a str")
    return unicodedata.normalize("NFKC", secret).strip().encode("utf-8")


def check_secret_strength(secret: str) -> str | None:
    """Why `secret` is too weak to seal a bid with, or None. The secret is a passphrase the
    bidder keeps; length is what counts (NIST SP 800-63B), plus a refusal of the obvious."""
    text = _normalize_secret(secret).decode("utf-8")
    if len(text) < MIN_SECRET_LENGTH:
        return _("The secret must have at least %(min)d characters; this one has %(count)d.") % {
            "min": MIN_SECRET_LENGTH,
            "count": len(text),
        }
    if len(text) > MAX_SECRET_LENGTH:
        return _("The secret must have at most %(max)d characters.") % {"max": MAX_SECRET_LENGTH}
    if any(unicodedata.category(char) in {"Cc", "Cs"} for char in text):
        return _("The secret must not contain control characters.")
    if len(set(text.casefold())) < 5:
        return _("The secret repeats too few characters; use a longer, varied passphrase.")
    folded = text.casefold()
    if any(folded in (run * 3) or folded in (run[::-1] * 3) for run in _SEQUENCES):
        return _("The secret is a keyboard or alphabet sequence; use a passphrase.")
    return None


# --- Key derivation -------------------------------------------------------------------------


@dataclass(frozen=True)
class KdfParams:
    """scrypt parameters (RFC 7914). Bounds are enforced on construction, so an envelope that
    asks for absurd work or memory is refused before any is done, and one too weak to protect
    a passphrase until the opening is refused as well."""

    n: int
    r: int
    p: int

    MIN_MEMORY = 1 << 20  # 128·n·r bytes: at least 1 MiB
    MAX_MEMORY = 128 << 20  # at most 128 MiB per derivation
    MAX_WORK = 1 << 21  # n·r·p at most 8 times the default: about half a second here

    def __post_init__(self):
        values = (self.n, self.r, self.p)
        if not all(isinstance(value, int) and not isinstance(value, bool) for value in values):
            raise ValueError("scrypt parameters are integers")
        n, r, p = values
        if n < 2 or n & (n - 1) or r < 1 or p < 1:
            raise ValueError("scrypt needs n a power of two above 1, r ≥ 1 and p ≥ 1")
        if not self.MIN_MEMORY <= 128 * n * r <= self.MAX_MEMORY or n * r * p > self.MAX_WORK:
            raise ValueError(
                f"scrypt parameters n={n}, r={r}, p={p} are outside the accepted range "
                f"(128·n·r from 1 to 128 MiB, n·r·p at most {self.MAX_WORK})"
            )

    def as_dict(self) -> dict[str, int]:
        return {"n": self.n, "r": self.r, "p": self.p}


# n=2**15, r=8, p=1: 32 MiB and ≈ 64 ms per derivation on the 2-core AMD EPYC development
# machine (n=2**14 ≈ 25 ms, n=2**16 ≈ 129 ms; cryptography 50.0.2, median of 7, both suites).
# One step above the usual 2**14 because an envelope sits in the database for weeks before
# the opening: that is the window an insider has to guess the passphrase offline.
DEFAULT_KDF_PARAMS = KdfParams(n=2**15, r=8, p=1)


def _derive_secret_kek(suite: Suite, secret: str, salt: bytes, params: KdfParams) -> bytes:
    return Scrypt(salt=salt, length=suite.key_length, n=params.n, r=params.r, p=params.p).derive(
        _normalize_secret(secret)
    )


def _checked_archive_key(archive_key: Any) -> bytes:
    if not isinstance(archive_key, bytes) or len(archive_key) != ARCHIVE_KEY_LENGTH:
        raise ValueError(f"the archive key is {ARCHIVE_KEY_LENGTH} bytes")
    return archive_key


def _archive_derive(suite: Suite, archive_key: bytes, label: bytes, length: int) -> bytes:
    return HKDF(
        algorithm=_HASHES[suite.digest_algorithm](),
        length=length,
        salt=None,
        info=label + suite.name.encode("ascii"),
    ).derive(_checked_archive_key(archive_key))


def _archive_key_id(suite: Suite, archive_key: bytes) -> str:
    """A fingerprint naming the archive key (it reveals nothing about a random key), so a
    wrong or rotated key is reported as such."""
    return _archive_derive(suite, archive_key, _ARCHIVE_KEY_ID_LABEL, 8).hex()


# --- GCM ------------------------------------------------------------------------------------


def _gcm_encrypt(suite: Suite, key: bytes, nonce: bytes, data: bytes, aad: bytes) -> bytes:
    encryptor = Cipher(suite.cipher(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    return encryptor.update(data) + encryptor.finalize() + encryptor.tag


def _gcm_decrypt(suite: Suite, key: bytes, nonce: bytes, data: bytes, aad: bytes) -> bytes:
    """Raises InvalidTag; nothing decrypted leaves before the tag has been checked."""
    decryptor = Cipher(suite.cipher(key), modes.GCM(nonce, data[-TAG_LENGTH:])).decryptor()
    decryptor.authenticate_additional_data(aad)
    plaintext = decryptor.update(data[:-TAG_LENGTH])
    return plaintext + decryptor.finalize()


def _data_aad(suite: Suite, aad: bytes) -> bytes:
    return _frame(_DATA_AAD_LABEL, suite.name.encode("ascii"), aad)


def _wrap_aad(suite: Suite, kdf: str) -> bytes:
    # The wrap authenticates only the suite and the kind of key: binding the caller's aad here
    # would turn "another bid" into "wrong secret" and blame the bidder.
    return _frame(_WRAP_AAD_LABEL, suite.name.encode("ascii"), kdf.encode("ascii"))


def _checked_aad(aad: Any) -> bytes:
    if not isinstance(aad, bytes) or not aad:
        raise ValueError("aad binds the envelope to its bid: non-empty bytes (see bid_aad)")
    return aad


def bid_aad(*, project: object, lot: object, bidder: object, submission: object) -> bytes:
    """The associated data binding an envelope to one submission of one bidder for one lot of
    one project; identifiers are compared as strings."""
    ids = {"project": project, "lot": lot, "bidder": bidder, "submission": submission}
    if any(str(value) == "" for value in ids.values()):
        raise ValueError("every identifier in the aad is non-empty")
    return _canonical_json({"sealed-bid": 1, **{key: str(value) for key, value in ids.items()}})


# --- The envelope ---------------------------------------------------------------------------


def _corrupted(detail: str) -> EnvelopeCorrupted:
    return EnvelopeCorrupted(
        _("The envelope is damaged or altered (%(detail)s); the bidder's secret is not at fault.")
        % {"detail": detail}
    )


def _unsupported(detail: str) -> UnsupportedSuite:
    return UnsupportedSuite(
        _("The envelope uses something this platform does not support: %(detail)s.")
        % {"detail": detail}
    )


@dataclass(frozen=True)
class SealedEnvelope:
    """A sealed bid. Built by `seal` or `from_bytes`; every instance is well-formed (checked on
    construction: UnsupportedSuite or EnvelopeCorrupted otherwise)."""

    suite: str
    kdf: str  # "scrypt" (the bidder's secret) or "none" (the archive key, after the opening)
    kdf_params: KdfParams | None
    kdf_salt: bytes  # b"" when kdf is "none"
    archive_key_id: str  # "" when kdf is "scrypt"
    key_nonce: bytes
    wrapped_key: bytes
    data_nonce: bytes
    ciphertext: bytes = field(repr=False)

    def __post_init__(self):
        suite = SUITES.get(self.suite) if isinstance(self.suite, str) else None
        if suite is None:
            raise _unsupported(f"suite {self.suite!r}")
        if self.kdf == "scrypt":
            if not isinstance(self.kdf_params, KdfParams):
                raise _unsupported("scrypt without valid parameters")
            if not isinstance(self.kdf_salt, bytes) or len(self.kdf_salt) != KDF_SALT_LENGTH:
                raise _corrupted("KDF salt length")
            if self.archive_key_id != "":
                raise _corrupted("archive key id on a bidder's envelope")
        elif self.kdf == "none":
            if self.kdf_params is not None or self.kdf_salt != b"":
                raise _corrupted("KDF parameters on an archived envelope")
            if not isinstance(self.archive_key_id, str) or not re.fullmatch(
                "[0-9a-f]{16}", self.archive_key_id
            ):
                raise _corrupted("archive key id")
        else:
            raise _unsupported(f"key derivation {self.kdf!r}")
        for name, value, length in (
            ("key nonce", self.key_nonce, NONCE_LENGTH),
            ("data nonce", self.data_nonce, NONCE_LENGTH),
            ("wrapped key", self.wrapped_key, suite.key_length + TAG_LENGTH),
        ):
            if not isinstance(value, bytes) or len(value) != length:
                raise _corrupted(f"{name} length")
        if not isinstance(self.ciphertext, bytes) or len(self.ciphertext) < TAG_LENGTH:
            raise _corrupted("ciphertext length")

    @property
    def digest_algorithm(self) -> str:
        return SUITES[self.suite].digest_algorithm

    @property
    def is_archived(self) -> bool:
        return self.kdf == "none"

    def _header(self) -> bytes:
        header: dict[str, Any] = {
            "suite": self.suite,
            "kdf": self.kdf,
            "key_nonce": _b64(self.key_nonce),
            "wrapped_key": _b64(self.wrapped_key),
            "data_nonce": _b64(self.data_nonce),
        }
        if self.kdf_params is not None:
            header["kdf_params"] = self.kdf_params.as_dict()
            header["kdf_salt"] = _b64(self.kdf_salt)
        else:
            header["archive_key_id"] = self.archive_key_id
        return _canonical_json(header)

    def _prefix(self) -> bytes:
        header = self._header()
        return ENVELOPE_MAGIC + bytes([ENVELOPE_VERSION]) + len(header).to_bytes(4, "big") + header

    def to_bytes(self) -> bytes:
        body = self._prefix() + self.ciphertext
        return body + zlib.crc32(body).to_bytes(4, "big")

    def ciphertext_digest(self) -> str:
        """The suite's hash (hex) of `to_bytes()`: the digest published at receipt, which
        anyone can recompute from the stored file (`sha256sum`, or SM3)."""
        prefix = self._prefix()
        checksum = zlib.crc32(self.ciphertext, zlib.crc32(prefix))
        return _hexdigest(
            self.digest_algorithm, prefix, self.ciphertext, checksum.to_bytes(4, "big")
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> SealedEnvelope:
        """Parse and check a serialized envelope — the check an upload must pass before it is
        accepted (unknown suites and absurd KDF parameters are refused here)."""
        data = bytes(data)
        fixed = len(ENVELOPE_MAGIC) + 1 + 4
        if len(data) < fixed + 4 or not data.startswith(ENVELOPE_MAGIC):
            raise _corrupted("not a sealed-bid envelope")
        # Every version ends with this checksum, so a damaged version byte reads as damage.
        if zlib.crc32(data[:-4]).to_bytes(4, "big") != data[-4:]:
            raise _corrupted("checksum mismatch")
        version = data[len(ENVELOPE_MAGIC)]
        if version != ENVELOPE_VERSION:
            raise _unsupported(f"envelope format version {version}")
        header_length = int.from_bytes(data[fixed - 4 : fixed], "big")
        if header_length > MAX_HEADER_BYTES or fixed + header_length > len(data) - 4:
            raise _corrupted("header length")
        try:
            header = _strict_json(data[fixed : fixed + header_length])
        except (ValueError, RecursionError) as error:
            raise _corrupted("header is not canonical JSON") from error
        if not isinstance(header, dict):
            raise _corrupted("header is not an object")
        suite, kdf = header.get("suite"), header.get("kdf")
        if not isinstance(suite, str) or not isinstance(kdf, str):
            raise _corrupted("header fields")
        if suite not in SUITES:
            raise _unsupported(f"suite {suite!r}")
        common = {"suite", "kdf", "key_nonce", "wrapped_key", "data_nonce"}
        if kdf == "scrypt":
            expected = common | {"kdf_params", "kdf_salt"}
        elif kdf == "none":
            expected = common | {"archive_key_id"}
        else:
            raise _unsupported(f"key derivation {kdf!r}")
        if set(header) != expected:
            raise _corrupted("header fields")
        kdf_params = None
        if kdf == "scrypt":
            params = header["kdf_params"]
            if not isinstance(params, dict) or set(params) != {"n", "r", "p"}:
                raise _corrupted("KDF parameters")
            try:
                kdf_params = KdfParams(**params)
            except ValueError as error:
                raise _unsupported(str(error)) from error
        return cls(
            suite=suite,
            kdf=kdf,
            kdf_params=kdf_params,
            kdf_salt=_unb64(header["kdf_salt"]) if kdf == "scrypt" else b"",
            archive_key_id=header.get("archive_key_id", ""),
            key_nonce=_unb64(header["key_nonce"]),
            wrapped_key=_unb64(header["wrapped_key"]),
            data_nonce=_unb64(header["data_nonce"]),
            ciphertext=data[fixed + header_length : -4],
        )


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def _unb64(value: Any) -> bytes:
    if not isinstance(value, str):
        raise _corrupted("base64 field")
    try:
        decoded = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as error:
        raise _corrupted("base64 field") from error
    if _b64(decoded) != value:  # one encoding per value, so the bytes re-serialize exactly
        raise _corrupted("base64 field")
    return decoded


def _as_envelope(envelope: SealedEnvelope | bytes, expected_digest: str | None) -> SealedEnvelope:
    if not isinstance(envelope, SealedEnvelope):
        envelope = SealedEnvelope.from_bytes(envelope)
    if expected_digest is not None and not hmac.compare_digest(
        envelope.ciphertext_digest(), expected_digest.lower()
    ):
        raise _corrupted("it is not the envelope received: its digest differs")
    return envelope


def seal(
    plaintext: bytes,
    secret: str,
    *,
    aad: bytes,
    suite: str = DEFAULT_SUITE,
    kdf_params: KdfParams | None = None,
) -> SealedEnvelope:
    """Seal a bid package under the bidder's secret. Raises WeakSecretError for a secret
    `check_secret_strength` refuses and UnsupportedSuite for an unknown suite. Production
    callers leave `kdf_params` to the default."""
    chosen = SUITES.get(suite)
    if chosen is None:
        raise _unsupported(f"suite {suite!r}")
    weakness = check_secret_strength(secret)
    if weakness is not None:
        raise WeakSecretError(weakness)
    aad = _checked_aad(aad)
    if not isinstance(plaintext, bytes | bytearray | memoryview):
        raise TypeError("the plaintext is bytes (see pack_bid)")
    params = DEFAULT_KDF_PARAMS if kdf_params is None else kdf_params
    dek = secrets.token_bytes(chosen.key_length)
    data_nonce = secrets.token_bytes(NONCE_LENGTH)
    ciphertext = _gcm_encrypt(chosen, dek, data_nonce, bytes(plaintext), _data_aad(chosen, aad))
    kdf_salt = secrets.token_bytes(KDF_SALT_LENGTH)
    kek = _derive_secret_kek(chosen, secret, kdf_salt, params)
    key_nonce = secrets.token_bytes(NONCE_LENGTH)
    return SealedEnvelope(
        suite=chosen.name,
        kdf="scrypt",
        kdf_params=params,
        kdf_salt=kdf_salt,
        archive_key_id="",
        key_nonce=key_nonce,
        wrapped_key=_gcm_encrypt(chosen, kek, key_nonce, dek, _wrap_aad(chosen, "scrypt")),
        data_nonce=data_nonce,
        ciphertext=ciphertext,
    )


def _open_data(envelope: SealedEnvelope, dek: bytes, aad: bytes) -> bytes:
    suite = SUITES[envelope.suite]
    try:
        return _gcm_decrypt(
            suite, dek, envelope.data_nonce, envelope.ciphertext, _data_aad(suite, aad)
        )
    except InvalidTag as error:
        raise EnvelopeCorrupted(
            _(
                "The bid's key is right but its content fails authentication: the envelope "
                "was altered, or it belongs to another bid."
            )
        ) from error


def _unwrap_with_secret(envelope: SealedEnvelope, secret: str, *, digest_verified: bool) -> bytes:
    if envelope.kdf != "scrypt":
        raise KeyKindMismatch(
            _("This envelope has been re-wrapped for the archive; open it with the archive key.")
        )
    suite = SUITES[envelope.suite]
    kek = _derive_secret_kek(suite, secret, envelope.kdf_salt, envelope.kdf_params)
    try:
        return _gcm_decrypt(
            suite, kek, envelope.key_nonce, envelope.wrapped_key, _wrap_aad(suite, "scrypt")
        )
    except InvalidTag as error:
        if digest_verified:
            message = _(
                "The secret does not open this bid: the envelope is the one received, so this "
                "is not the secret the bid was sealed with."
            )
        else:
            message = _(
                "The secret does not open this bid: either it is not the secret the bid was "
                "sealed with, or the envelope's key was altered (compare the envelope's digest "
                "with the one logged at receipt to tell which)."
            )
        raise WrongSecret(message, digest_verified=digest_verified) from error


def unseal(
    envelope: SealedEnvelope | bytes,
    secret: str,
    *,
    aad: bytes,
    expected_digest: str | None = None,
) -> bytes:
    """The bid package, opened with the bidder's secret. Pass `expected_digest` (the
    envelope's digest logged at receipt) so that WrongSecret can only mean the secret."""
    aad = _checked_aad(aad)
    envelope = _as_envelope(envelope, expected_digest)
    dek = _unwrap_with_secret(envelope, secret, digest_verified=expected_digest is not None)
    return _open_data(envelope, dek, aad)


def test_decrypt(
    envelope: SealedEnvelope | bytes,
    secret: str,
    *,
    aad: bytes,
    expected_digest: str | None = None,
) -> BidPackage:
    """Unseal and unpack: the bidder's test-decrypt right after sending (proving its secret
    opens what the platform received), and the same call at the opening."""
    plaintext = unseal(envelope, secret, aad=aad, expected_digest=expected_digest)
    return _unpack_opened(plaintext)


test_decrypt.__test__ = False  # a domain name, not a pytest test


def _unpack_opened(plaintext: bytes) -> BidPackage:
    try:
        return unpack_bid(plaintext)
    except BidPackageError as error:
        raise InvalidPackage(
            _("The envelope opened, but what was sealed is not a valid bid package: %(why)s")
            % {"why": error.message}
        ) from error


def rewrap_for_archive(
    envelope: SealedEnvelope | bytes,
    secret: str,
    *,
    aad: bytes,
    archive_key: bytes,
    expected_digest: str | None = None,
) -> SealedEnvelope:
    """After the opening: the same ciphertext with its DEK wrapped under the platform's
    archive key (kdf "none"), so the committee and the archive can read the bid without the
    bidder's secret. The package is authenticated first, so nothing broken is archived."""
    aad = _checked_aad(aad)
    envelope = _as_envelope(envelope, expected_digest)
    dek = _unwrap_with_secret(envelope, secret, digest_verified=expected_digest is not None)
    _open_data(envelope, dek, aad)
    suite = SUITES[envelope.suite]
    kek = _archive_derive(suite, archive_key, _ARCHIVE_KEK_LABEL, suite.key_length)
    key_nonce = secrets.token_bytes(NONCE_LENGTH)
    return SealedEnvelope(
        suite=suite.name,
        kdf="none",
        kdf_params=None,
        kdf_salt=b"",
        archive_key_id=_archive_key_id(suite, archive_key),
        key_nonce=key_nonce,
        wrapped_key=_gcm_encrypt(suite, kek, key_nonce, dek, _wrap_aad(suite, "none")),
        data_nonce=envelope.data_nonce,
        ciphertext=envelope.ciphertext,
    )


def unseal_archived(
    envelope: SealedEnvelope | bytes,
    *,
    aad: bytes,
    archive_key: bytes,
    expected_digest: str | None = None,
) -> bytes:
    """The bid package of an archived envelope, opened with the archive key."""
    aad = _checked_aad(aad)
    envelope = _as_envelope(envelope, expected_digest)
    if envelope.kdf != "none":
        raise KeyKindMismatch(
            _(
                "This envelope is still sealed with the bidder's secret; the archive key "
                "cannot open it."
            )
        )
    suite = SUITES[envelope.suite]
    if not hmac.compare_digest(_archive_key_id(suite, archive_key), envelope.archive_key_id):
        raise WrongArchiveKey(
            _("This envelope was archived under another archive key (key id %(key_id)s).")
            % {"key_id": envelope.archive_key_id}
        )
    kek = _archive_derive(suite, archive_key, _ARCHIVE_KEK_LABEL, suite.key_length)
    try:
        dek = _gcm_decrypt(
            suite, kek, envelope.key_nonce, envelope.wrapped_key, _wrap_aad(suite, "none")
        )
    except InvalidTag as error:  # the key id matched, so the key is right: the bytes are not
        raise _corrupted("the archived key does not unwrap") from error
    return _open_data(envelope, dek, aad)
