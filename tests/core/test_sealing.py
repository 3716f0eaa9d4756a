"""The sealed-bid envelope (投标文件加密): nobody reads a bid before the opening, the bidder
proves its secret works, and every failed decryption names its cause (电子招标投标办法 第31条).

No database. scrypt runs with cheap parameters (`CHEAP`) except in one test of the defaults.
"""

import copy
import hashlib
import json
import zlib

import pytest
from cryptography.hazmat.primitives import hashes
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from portal import sealing


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted on their English source, whatever the catalogue says."""
    with translation.override("en"):
        yield


CHEAP = sealing.KdfParams(n=2**10, r=8, p=1)  # 1 MiB, ≈ 2 ms: the cheapest accepted
SECRET = "绿水青山 correct horse 42"
PRICE = "98765432.10"
MANIFEST = {"lot": "ZZ-2025-0001-01", "price": PRICE, "currency": "CNY", "duration_days": 180}
DOCUMENTS = [
    ("报价文件.pdf", b"%PDF-1.7 price schedule: total 98765432.10 CNY, valid 90 days"),
    ("technical-proposal.docx", bytes(range(256)) * 8),
]
AAD = sealing.bid_aad(project="ZZ-2025-0001", lot="01", bidder="bidder-a", submission="17")
ARCHIVE_KEY = bytes(range(32))
SUITES = list(sealing.SUITES)


def package(**extra) -> bytes:
    return sealing.pack_bid(manifest=MANIFEST, documents=DOCUMENTS, **extra)


def seal(plaintext: bytes | None = None, *, suite=sealing.DEFAULT_SUITE, aad=AAD):
    plaintext = package() if plaintext is None else plaintext
    return sealing.seal(plaintext, SECRET, aad=aad, suite=suite, kdf_params=CHEAP)


def flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


def rebuild(data: bytes, *, header_bytes: bytes | None = None, **changes) -> bytes:
    """The serialized envelope with its header changed and a valid checksum: what someone who
    knows the format (and is not stopped by the CRC) would produce."""
    fixed = len(sealing.ENVELOPE_MAGIC) + 5
    length = int.from_bytes(data[fixed - 4 : fixed], "big")
    if header_bytes is None:
        header = json.loads(data[fixed : fixed + length]) | changes
        header_bytes = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    body = data[: fixed - 4] + len(header_bytes).to_bytes(4, "big") + header_bytes
    body += data[fixed + length : -4]
    return body + zlib.crc32(body).to_bytes(4, "big")


def with_checksum(body: bytes) -> bytes:
    return body + zlib.crc32(body).to_bytes(4, "big")


STORED_CHEAP_ENVELOPE = sealing.SealedEnvelope(
    suite=sealing.DEFAULT_SUITE,
    kdf="scrypt",
    kdf_params=CHEAP,
    kdf_salt=bytes(16),
    archive_key_id="",
    key_nonce=bytes(12),
    wrapped_key=bytes(48),
    data_nonce=bytes(12),
    ciphertext=bytes(40),
).to_bytes()  # well-formed; parsing tests need no real keys


@pytest.fixture
def forbid_key_derivation(monkeypatch):
    """Call it once the envelope is sealed: from then on the test fails if scrypt runs, since
    refusals must come before any work."""

    def refuse(*args, **kwargs):
        raise AssertionError("scrypt ran")

    return lambda: monkeypatch.setattr(sealing, "Scrypt", refuse)


# --- Round trips ----------------------------------------------------------------------------


@pytest.mark.parametrize("suite", SUITES)
def test_round_trip_through_bytes(suite):
    envelope = seal(suite=suite)
    stored = envelope.to_bytes()

    opened = sealing.test_decrypt(
        stored, SECRET, aad=AAD, expected_digest=envelope.ciphertext_digest()
    )

    assert sealing.unseal(stored, SECRET, aad=AAD) == package()
    assert opened.documents == tuple(DOCUMENTS)
    assert opened.manifest["price"] == PRICE
    assert opened.manifest["documents"][0] == {
        "name": "报价文件.pdf",
        "size": len(DOCUMENTS[0][1]),
        "digest": hashlib.sha256(DOCUMENTS[0][1]).hexdigest(),
    }


def test_default_kdf_parameters_seal_and_open():
    envelope = sealing.seal(package(), SECRET, aad=AAD)

    assert envelope.kdf_params == sealing.DEFAULT_KDF_PARAMS
    assert sealing.unseal(envelope, SECRET, aad=AAD) == package()


@pytest.mark.parametrize("suite", SUITES)
def test_serialization_round_trip_and_public_digest(suite):
    envelope = seal(suite=suite)
    data = envelope.to_bytes()

    parsed = sealing.SealedEnvelope.from_bytes(data)

    assert parsed == envelope
    assert parsed.to_bytes() == data
    assert data.startswith(sealing.ENVELOPE_MAGIC + bytes([sealing.ENVELOPE_VERSION]))
    digest = hashes.Hash(hashes.SHA256() if suite == sealing.DEFAULT_SUITE else hashes.SM3())
    digest.update(data)
    assert envelope.ciphertext_digest() == digest.finalize().hex()  # `sha256sum` of the file


@pytest.mark.parametrize("suite", SUITES)
def test_key_lengths_follow_the_suite(suite):
    envelope = seal(suite=suite)

    key_length = sealing.SUITES[suite].key_length
    assert len(envelope.wrapped_key) == key_length + sealing.TAG_LENGTH
    assert len(envelope.ciphertext) == len(package()) + sealing.TAG_LENGTH


def test_sealing_is_not_deterministic():
    first, second = seal(), seal()

    assert first.to_bytes() != second.to_bytes()
    for name in ("ciphertext", "wrapped_key", "kdf_salt", "key_nonce", "data_nonce"):
        assert getattr(first, name) != getattr(second, name), name


def test_nothing_readable_in_the_envelope():
    plaintext = package()
    data = seal().to_bytes()

    assert PRICE.encode() not in data
    for name, content in DOCUMENTS:
        assert name.encode() not in data
        assert content not in data
    windows = {plaintext[i : i + 12] for i in range(len(plaintext) - 12)}
    assert not any(window in data for window in windows)


# --- Why a decryption fails -----------------------------------------------------------------


def test_the_causes_are_distinct_codes():
    classes = [
        sealing.WrongSecret,
        sealing.EnvelopeCorrupted,
        sealing.UnsupportedSuite,
        sealing.WrongArchiveKey,
        sealing.KeyKindMismatch,
        sealing.InvalidPackage,
    ]

    assert all(issubclass(cls, sealing.UnsealError) for cls in classes)
    assert len({cls.cause for cls in classes}) == len(classes)
    assert sealing.WrongSecret.cause == "wrong_secret"
    assert sealing.EnvelopeCorrupted.cause == "corrupted"
    assert sealing.UnsupportedSuite.cause == "unsupported_suite"


@pytest.mark.parametrize("suite", SUITES)
def test_wrong_secret(suite):
    envelope = seal(suite=suite)

    with pytest.raises(sealing.WrongSecret) as raised:
        sealing.unseal(
            envelope,
            "绿水青山 correct horse 43",
            aad=AAD,
            expected_digest=envelope.ciphertext_digest(),
        )

    assert raised.value.cause == "wrong_secret"
    assert raised.value.digest_verified  # the envelope is the one received: the bidder's fault
    assert "secret" in raised.value.message


def test_secret_typed_in_full_width_or_with_surrounding_spaces_still_opens():
    envelope = sealing.seal(package(), "Correct Horse 42 battery", aad=AAD, kdf_params=CHEAP)

    for typed in (
        "Ｃｏｒｒｅｃｔ　Ｈｏｒｓｅ　４２　ｂａｔｔｅｒｙ",
        "  Correct Horse 42 battery\n",
    ):
        assert sealing.unseal(envelope, typed, aad=AAD) == package()


@pytest.mark.parametrize("position", [0, 100, -17, -1])  # first, middle, last data byte, tag
def test_altered_ciphertext_is_corrupted(position):
    envelope = seal()
    ciphertext = flip(envelope.ciphertext, position % len(envelope.ciphertext))
    altered = sealing.SealedEnvelope(**{**vars(envelope), "ciphertext": ciphertext})

    with pytest.raises(sealing.EnvelopeCorrupted) as raised:
        sealing.unseal(altered, SECRET, aad=AAD)

    assert raised.value.cause == "corrupted"


def test_altered_data_nonce_is_corrupted():
    envelope = seal()
    altered = sealing.SealedEnvelope(
        **{**vars(envelope), "data_nonce": flip(envelope.data_nonce, 0)}
    )

    with pytest.raises(sealing.EnvelopeCorrupted):
        sealing.unseal(altered, SECRET, aad=AAD)


@pytest.mark.parametrize("field", ["wrapped_key", "kdf_salt", "key_nonce"])
def test_altered_key_fields_are_corrupted_given_the_receipt_digest(field, forbid_key_derivation):
    """Design: a changed wrapped key (or KDF salt, or key nonce) is cryptographically the same
    event as a wrong secret. The digest logged at receipt tells them apart, before any key is
    derived, so the bidder is not blamed."""
    envelope = seal()
    altered = sealing.SealedEnvelope(**{**vars(envelope), field: flip(getattr(envelope, field), 3)})
    forbid_key_derivation()

    with pytest.raises(sealing.EnvelopeCorrupted):
        sealing.unseal(altered, SECRET, aad=AAD, expected_digest=envelope.ciphertext_digest())
    with pytest.raises(sealing.EnvelopeCorrupted):  # re-serialized with a valid checksum
        sealing.unseal(
            altered.to_bytes(), SECRET, aad=AAD, expected_digest=envelope.ciphertext_digest()
        )


@pytest.mark.parametrize("field", ["wrapped_key", "kdf_salt", "key_nonce"])
def test_altered_key_fields_without_the_receipt_digest_read_as_wrong_secret(field):
    """Documented limit: without the receipt digest the two cannot be told apart. Never a
    plaintext either way."""
    envelope = seal()
    altered = sealing.SealedEnvelope(**{**vars(envelope), field: flip(getattr(envelope, field), 3)})

    with pytest.raises(sealing.WrongSecret) as raised:
        sealing.unseal(altered, SECRET, aad=AAD)

    assert not raised.value.digest_verified  # and the message says the envelope may be at fault


def test_every_flipped_byte_of_the_stored_envelope_is_refused_before_any_key_is_tried(
    forbid_key_derivation,
):
    """Storage or transit damage is caught by the checksum — the version byte included: never
    wrong_secret, never a plaintext."""
    data = seal().to_bytes()
    forbid_key_derivation()

    for position in range(len(data)):
        with pytest.raises(sealing.EnvelopeCorrupted):
            sealing.unseal(flip(data, position), SECRET, aad=AAD)


@pytest.mark.parametrize("cut", [0, 5, 12, 40, -5, -1])
def test_truncated_envelope_is_corrupted(cut):
    data = seal().to_bytes()

    with pytest.raises(sealing.EnvelopeCorrupted):
        sealing.SealedEnvelope.from_bytes(data[:cut])


def test_another_bids_aad_fails_as_corrupted():
    envelope = seal()
    other_submission = sealing.bid_aad(
        project="ZZ-2025-0001", lot="01", bidder="bidder-a", submission="18"
    )
    other_bidder = sealing.bid_aad(
        project="ZZ-2025-0001", lot="01", bidder="bidder-b", submission="17"
    )

    for aad in (other_submission, other_bidder, AAD + b" "):
        with pytest.raises(sealing.EnvelopeCorrupted):
            sealing.unseal(envelope, SECRET, aad=aad)


def test_bid_aad_is_canonical_and_unambiguous():
    assert sealing.bid_aad(project=1, lot=2, bidder=3, submission=4) == sealing.bid_aad(
        submission="4", bidder="3", lot="2", project="1"
    )
    assert sealing.bid_aad(project="1", lot="23", bidder="x", submission="y") != sealing.bid_aad(
        project="12", lot="3", bidder="x", submission="y"
    )
    with pytest.raises(ValueError):
        sealing.bid_aad(project="", lot="1", bidder="x", submission="y")
    with pytest.raises(ValueError):
        sealing.seal(package(), SECRET, aad=b"", kdf_params=CHEAP)


def test_digest_other_than_the_received_one_is_corrupted(forbid_key_derivation):
    envelope = seal()
    forbid_key_derivation()

    with pytest.raises(sealing.EnvelopeCorrupted):
        sealing.unseal(envelope, SECRET, aad=AAD, expected_digest="0" * 64)


def test_sealed_non_package_is_invalid_package():
    envelope = seal(b"not a bid package")

    assert sealing.unseal(envelope, SECRET, aad=AAD) == b"not a bid package"
    with pytest.raises(sealing.InvalidPackage) as raised:
        sealing.test_decrypt(envelope, SECRET, aad=AAD)
    assert raised.value.cause == "invalid_package"


# --- Suites, format versions and KDF parameters ---------------------------------------------


def test_unknown_suite_is_refused():
    with pytest.raises(sealing.UnsupportedSuite):
        sealing.seal(package(), SECRET, aad=AAD, suite="DES-CBC/MD5", kdf_params=CHEAP)

    data = seal().to_bytes()
    for changes in ({"suite": "DES-CBC/MD5"}, {"kdf": "pbkdf2"}):
        with pytest.raises(sealing.UnsupportedSuite) as raised:
            sealing.SealedEnvelope.from_bytes(rebuild(data, **changes))
        assert raised.value.cause == "unsupported_suite"


def test_future_format_version_is_unsupported():
    data = bytearray(seal().to_bytes())
    data[len(sealing.ENVELOPE_MAGIC)] = 2

    with pytest.raises(sealing.UnsupportedSuite):
        sealing.SealedEnvelope.from_bytes(with_checksum(bytes(data[:-4])))


@pytest.mark.parametrize(
    "params",
    [
        {"n": 2**40, "r": 8, "p": 1},  # 128 TiB
        {"n": 2**20, "r": 8, "p": 1},  # 1 GiB
        {"n": 2**14, "r": 8, "p": 2**12},  # hours of work
        {"n": 2**14, "r": 2**20, "p": 1},
        {"n": 10000, "r": 8, "p": 1},  # not a power of two
        {"n": 2**14, "r": 0, "p": 1},
        {"n": 2**14, "r": 8, "p": 0},
        {"n": 2, "r": 1, "p": 1},  # too weak to protect a passphrase for weeks
        {"n": True, "r": 8, "p": 1},
        {"n": 2**-1, "r": 8, "p": 1},
    ],
)
def test_absurd_kdf_parameters_are_refused_before_any_work(params, forbid_key_derivation):
    data = STORED_CHEAP_ENVELOPE
    forbid_key_derivation()

    with pytest.raises(sealing.UnsealError) as raised:
        sealing.unseal(rebuild(data, kdf_params=params), SECRET, aad=AAD)

    assert raised.value.cause in {"unsupported_suite", "corrupted"}  # 2**-1 is a float
    with pytest.raises(ValueError):
        sealing.KdfParams(**params)


def test_kdf_parameter_bounds_admit_the_defaults_and_the_cheap_test_setting():
    assert sealing.KdfParams(n=2**15, r=8, p=1) == sealing.DEFAULT_KDF_PARAMS
    sealing.KdfParams(n=2**17, r=8, p=1)  # 128 MiB: the largest accepted memory
    with pytest.raises(ValueError):
        sealing.KdfParams(n=2**9, r=8, p=1)


@pytest.mark.parametrize(
    "header_bytes",
    [
        b"[]",
        b"{}",
        b"not json",
        b'{"suite": "AES-256-GCM/SHA-256"}',  # not canonical (a space), and incomplete
    ],
)
def test_malformed_header_is_corrupted(header_bytes):
    with pytest.raises(sealing.EnvelopeCorrupted):
        sealing.SealedEnvelope.from_bytes(rebuild(STORED_CHEAP_ENVELOPE, header_bytes=header_bytes))


def test_extra_header_field_and_non_canonical_base64_are_corrupted():
    data = STORED_CHEAP_ENVELOPE
    envelope = sealing.SealedEnvelope.from_bytes(data)
    nonce = sealing._b64(envelope.key_nonce)  # 16 base64 characters, no padding
    assert sealing._b64(envelope.kdf_salt) == "A" * 22 + "=="  # 4 spare bits in the last "A"
    loose = "A" * 21 + "B=="  # decodes to the same 16 zero bytes

    with pytest.raises(sealing.EnvelopeCorrupted):
        sealing.SealedEnvelope.from_bytes(rebuild(data, comment="hello"))
    with pytest.raises(sealing.EnvelopeCorrupted):
        sealing.SealedEnvelope.from_bytes(rebuild(data, key_nonce=nonce + "===="))
    with pytest.raises(sealing.EnvelopeCorrupted):
        sealing.SealedEnvelope.from_bytes(rebuild(data, kdf_salt=loose))


# --- Archive re-wrap after the opening ------------------------------------------------------


@pytest.mark.parametrize("suite", SUITES)
def test_archive_rewrap(suite):
    envelope = seal(suite=suite)

    archived = sealing.rewrap_for_archive(
        envelope,
        SECRET,
        aad=AAD,
        archive_key=ARCHIVE_KEY,
        expected_digest=envelope.ciphertext_digest(),
    )
    stored = archived.to_bytes()

    assert archived.is_archived
    assert archived.kdf == "none" and archived.kdf_params is None and archived.kdf_salt == b""
    assert archived.ciphertext == envelope.ciphertext  # the package is not re-encrypted
    assert sealing.SealedEnvelope.from_bytes(stored) == archived
    assert (
        sealing.unseal_archived(
            stored, aad=AAD, archive_key=ARCHIVE_KEY, expected_digest=archived.ciphertext_digest()
        )
        == package()
    )
    with pytest.raises(sealing.KeyKindMismatch):  # the bidder's-secret path no longer applies
        sealing.unseal(stored, SECRET, aad=AAD)
    with pytest.raises(sealing.KeyKindMismatch):  # and the archive key opens nothing sealed
        sealing.unseal_archived(envelope, aad=AAD, archive_key=ARCHIVE_KEY)


def test_archived_envelope_refuses_another_archive_key_or_bid():
    archived = sealing.rewrap_for_archive(seal(), SECRET, aad=AAD, archive_key=ARCHIVE_KEY)

    with pytest.raises(sealing.WrongArchiveKey) as raised:
        sealing.unseal_archived(archived, aad=AAD, archive_key=bytes(32))
    assert raised.value.cause == "wrong_archive_key"
    with pytest.raises(sealing.EnvelopeCorrupted):
        sealing.unseal_archived(archived, aad=AAD + b"x", archive_key=ARCHIVE_KEY)
    tampered = sealing.SealedEnvelope(
        **{**vars(archived), "wrapped_key": flip(archived.wrapped_key, 0)}
    )
    with pytest.raises(sealing.EnvelopeCorrupted):  # the key id matched: the key is right
        sealing.unseal_archived(tampered, aad=AAD, archive_key=ARCHIVE_KEY)
    with pytest.raises(ValueError):
        sealing.unseal_archived(archived, aad=AAD, archive_key=b"short")


def test_archive_rewrap_needs_the_bidders_secret():
    with pytest.raises(sealing.WrongSecret):
        sealing.rewrap_for_archive(
            seal(), "绿水青山 correct horse 43", aad=AAD, archive_key=ARCHIVE_KEY
        )


# --- Secrets --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "secret",
    [
        "short",
        "   eleven ch  ",  # 9 characters once trimmed
        "aaaaaaaaaaaaaaaa",
        "abababababababab",
        "123456789012",
        "abcdefghijklmnop",
        "QWERTYUIOPAS",
        "0987654321098",
        "tab\tinside the secret",
    ],
)
def test_weak_secrets_are_named_and_refused(secret):
    reason = sealing.check_secret_strength(secret)

    assert isinstance(reason, str) and reason
    with pytest.raises(sealing.WeakSecretError):
        sealing.seal(package(), secret, aad=AAD, kdf_params=CHEAP)


@pytest.mark.parametrize(
    "secret",
    [SECRET, "绿水青山就是金山银山2025", "tulip-granite-7-harbour", "Ｐａｓｓｗｏｒｄ4Ｕｓ！"],
)
def test_reasonable_passphrases_pass(secret):
    assert sealing.check_secret_strength(secret) is None


# --- The bid package ------------------------------------------------------------------------

document_names = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="/\\"),
    min_size=1,
    max_size=30,
).filter(lambda name: name == name.strip() and name not in {".", ".."})
documents_strategy = st.lists(
    st.tuples(document_names, st.binary(max_size=2000)),
    max_size=6,
    unique_by=lambda document: document[0].casefold(),
)
prices = st.from_regex(r"(0|[1-9][0-9]{0,12})(\.[0-9]{1,4})?", fullmatch=True)


@given(
    lot=st.text(min_size=1, max_size=40).filter(str.strip),
    price=prices,
    documents=documents_strategy,
    receipt_salt=st.none() | st.binary(min_size=16, max_size=64),
    digest_algorithm=st.sampled_from(["sha256", "sm3"]),
)
def test_pack_unpack_round_trip(lot, price, documents, receipt_salt, digest_algorithm):
    manifest = {"lot": lot, "price": price, "currency": "CNY", "notes": ["一", 2, None, True]}

    data = sealing.pack_bid(
        manifest=manifest,
        documents=documents,
        digest_algorithm=digest_algorithm,
        receipt_salt=receipt_salt,
    )
    unpacked = sealing.unpack_bid(data)

    assert unpacked.manifest == sealing.complete_manifest(
        manifest=manifest, documents=documents, digest_algorithm=digest_algorithm
    )
    assert unpacked.manifest["price"] == price
    assert unpacked.documents == tuple(documents)
    assert unpacked.receipt_salt == receipt_salt
    # Deterministic, and what comes out packs back into the same bytes.
    assert data == sealing.pack_bid(
        manifest=copy.deepcopy(manifest),
        documents=list(documents),
        digest_algorithm=digest_algorithm,
        receipt_salt=receipt_salt,
    )
    assert data == sealing.pack_bid(
        manifest=unpacked.manifest, documents=unpacked.documents, receipt_salt=receipt_salt
    )


def test_lot_may_be_an_id():
    data = sealing.pack_bid(manifest=MANIFEST | {"lot": 7}, documents=DOCUMENTS)

    assert sealing.unpack_bid(data).manifest["lot"] == 7


def test_technical_envelope_has_no_price():
    """双信封: the technical envelope carries no price."""
    data = sealing.pack_bid(manifest={"lot": "01", "envelope": "technical"}, documents=DOCUMENTS)

    assert "price" not in sealing.unpack_bid(data).manifest


@pytest.mark.parametrize(
    ("documents", "code"),
    [
        ([("", b"x")], "invalid_document_name"),
        ([("a/b.pdf", b"x")], "invalid_document_name"),
        ([("a\\b.pdf", b"x")], "invalid_document_name"),
        ([("..", b"x")], "invalid_document_name"),
        ([(" padded.pdf", b"x")], "invalid_document_name"),
        ([("line\nbreak.pdf", b"x")], "invalid_document_name"),
        ([(None, b"x")], "invalid_document_name"),
        ([("报价.pdf", b"x"), ("报价.pdf", b"y")], "duplicate_document_name"),
        ([("Offer.PDF", b"x"), ("offer.pdf", b"y")], "duplicate_document_name"),
        ([("offer.pdf", "text, not bytes")], "invalid_document"),
        ([("offer.pdf",)], "invalid_document"),
    ],
)
def test_document_rules(documents, code):
    with pytest.raises(sealing.BidPackageError) as raised:
        sealing.pack_bid(manifest=MANIFEST, documents=documents)

    assert raised.value.code == code


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"price": 1234.5}, "invalid_manifest"),  # a float: amounts are decimal strings
        ({"price": 1234}, "invalid_price"),
        ({"price": "-1"}, "invalid_price"),
        ({"price": "1e5"}, "invalid_price"),
        ({"price": "1,000.00"}, "invalid_price"),
        ({"price": "01.5"}, "invalid_price"),
        ({"price": " 12"}, "invalid_price"),
        ({"price": ""}, "invalid_price"),
        ({"currency": "cny"}, "invalid_currency"),
        ({"currency": None}, "invalid_currency"),
        ({"lot": ""}, "invalid_lot"),
        ({"lot": None}, "invalid_lot"),
        ({"lot": True}, "invalid_lot"),
        ({"documents": [{"name": "x", "size": 1, "digest": "00"}]}, "documents_mismatch"),
        ({"digest_algorithm": "md5"}, "unsupported_digest"),
        ({"extra": ("a", "tuple")}, "invalid_manifest"),
        ({"extra": {1: "integer key"}}, "invalid_manifest"),
        ({"extra": "\ud800"}, "invalid_manifest"),
    ],
)
def test_manifest_rules(changes, code):
    with pytest.raises(sealing.BidPackageError) as raised:
        sealing.pack_bid(manifest=MANIFEST | changes, documents=DOCUMENTS)

    assert raised.value.code == code


def test_currency_without_price_is_refused():
    with pytest.raises(sealing.BidPackageError) as raised:
        sealing.pack_bid(manifest={"lot": "01", "currency": "CNY"}, documents=[])

    assert raised.value.code == "invalid_price"


def test_unpack_refuses_every_truncation_and_an_altered_document():
    data = package(receipt_salt=bytes(16))

    for end in range(len(data)):
        with pytest.raises(sealing.BidPackageError):
            sealing.unpack_bid(data[:end])
    with pytest.raises(sealing.BidPackageError) as raised:
        sealing.unpack_bid(flip(data, len(data) - 1))
    assert raised.value.code == "documents_mismatch"
    with pytest.raises(sealing.BidPackageError):
        sealing.unpack_bid(data + b"\x00")
    salt_end = len(sealing.PACKAGE_MAGIC) + 2 + 16
    length = int.from_bytes(data[salt_end : salt_end + 4], "big")
    manifest = data[salt_end + 4 : salt_end + 4 + length].replace(
        b'"digest_algorithm":"sha256",', b""
    )  # a hand-made package: pack_bid always records the algorithm
    hand_made = (
        data[:salt_end]
        + len(manifest).to_bytes(4, "big")
        + manifest
        + data[salt_end + 4 + length :]
    )
    with pytest.raises(sealing.BidPackageError, match="digest algorithm"):
        sealing.unpack_bid(hand_made)


# --- The receipt ----------------------------------------------------------------------------


def test_receipt_digest_recomputes_from_what_the_bidder_kept():
    salt = sealing.new_receipt_salt()
    digest = sealing.receipt_digest(manifest=MANIFEST, documents=DOCUMENTS, salt=salt)
    envelope = seal(package(receipt_salt=salt))

    kept = sealing.receipt_digest(
        manifest=copy.deepcopy(MANIFEST), documents=list(DOCUMENTS), salt=bytes(salt)
    )
    opened = sealing.test_decrypt(envelope, SECRET, aad=AAD)

    assert len(salt) >= 16
    assert kept == digest
    assert len(digest) == 64
    assert sealing.package_receipt_digest(opened) == digest  # the salt sealed inside
    assert sealing.package_receipt_digest(opened, salt=salt) == digest


@pytest.mark.parametrize(
    ("manifest", "documents", "salt"),
    [
        (MANIFEST | {"price": "98765432.11"}, DOCUMENTS, bytes(16)),
        (MANIFEST | {"price": "98765432.100"}, DOCUMENTS, bytes(16)),
        (MANIFEST | {"lot": "ZZ-2025-0001-02"}, DOCUMENTS, bytes(16)),
        (MANIFEST, [DOCUMENTS[0], ("technical-proposal.docx", b"changed")], bytes(16)),
        (MANIFEST, [DOCUMENTS[0], ("renamed.docx", DOCUMENTS[1][1])], bytes(16)),
        (MANIFEST, DOCUMENTS[:1], bytes(16)),
        (MANIFEST, DOCUMENTS, bytes(15) + b"\x01"),
        (MANIFEST, DOCUMENTS, bytes(17)),
    ],
)
def test_receipt_digest_changes_with_any_change(manifest, documents, salt):
    original = sealing.receipt_digest(manifest=MANIFEST, documents=DOCUMENTS, salt=bytes(16))

    assert sealing.receipt_digest(manifest=manifest, documents=documents, salt=salt) != original


def test_receipt_digest_algorithm_and_salt_rules():
    sha256 = sealing.receipt_digest(manifest=MANIFEST, documents=DOCUMENTS, salt=bytes(16))
    sm3 = sealing.receipt_digest(
        manifest=MANIFEST, documents=DOCUMENTS, salt=bytes(16), digest_algorithm="sm3"
    )

    assert sm3 != sha256 and len(sm3) == 64
    for salt in (b"", bytes(15), bytes(65), "0" * 16):
        with pytest.raises(sealing.BidPackageError) as raised:
            sealing.receipt_digest(manifest=MANIFEST, documents=DOCUMENTS, salt=salt)
        assert raised.value.code == "invalid_salt"
    unsalted = sealing.unpack_bid(package())
    with pytest.raises(sealing.BidPackageError):
        sealing.package_receipt_digest(unsalted)
