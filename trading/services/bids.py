"""Sealed bids: submit, withdraw, test-decrypt; bid securities and their movements.

The server clock decides: a bid counts if the whole submission has been received before
the deadline (电子招标投标办法 第27条). The envelope is sealed with the bidder's secret
before anything is stored; the secret itself is never stored.
"""

import base64
import secrets as pysecrets
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.selectors import rule_by_code
from credit.eligibility import SecurityAdjustment, entity_eligibility, security_adjustment
from portal import sealing
from portal.sealed_uploads import parse_client_envelope
from trading import policies
from trading.models import (
    BidSecurity,
    BidSubmission,
    DecryptionAttempt,
    DepositMovement,
    Lot,
    Schedule,
)
from trading.services.common import ineligible, log, refuse
from trading.state_machine import StateError, check_not_suspended

MAX_DOCUMENTS = 20
MAX_DOCUMENT_BYTES = 200 * 1024 * 1024
#: A sealed envelope holds at most every document at its largest (plus a small header).
MAX_ENVELOPE_BYTES = MAX_DOCUMENTS * MAX_DOCUMENT_BYTES


@dataclass(frozen=True)
class SecurityInput:
    """The bid security the bidder provides with its bid (cash transfer or a guarantee)."""

    form: str
    amount: Decimal
    payer_account: str = ""
    guarantee_issuer: str = ""
    guarantee_number: str = ""


@dataclass(frozen=True)
class Receipt:
    """What the bidder keeps: with its documents, price and salt it can prove what it sent."""

    bid_id: int
    receipt_digest: str
    salt: str  # hex
    received_at: datetime
    envelope_digest: str


def bid_aad(lot: Lot, uscc: str) -> bytes:
    """Binds an envelope to its project, lot and bidder: it cannot be moved to another bid."""
    return f"bid|{lot.project_id}|{lot.pk}|{uscc}".encode()


def lot_gate(lot_id: int, *, exclusive: bool) -> None:
    """Bids take the lot's gate shared (they do not block each other); closing the bids at
    the opening takes it exclusive, so no bid can commit while the opening counts them."""
    if connection.vendor != "postgresql":
        return  # SQLite serialises writers already
    function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s, %s)", [0x7B1D, lot_id])


def _validate_submission(price: Decimal, documents: list[tuple[str, bytes]], secret: str) -> None:
    if price is None or price <= 0:
        raise refuse(_("The price must be a positive amount in yuan."), "price_invalid", "price")
    if price.as_tuple().exponent < -2:
        raise refuse(_("The price has at most two decimals (fen)."), "price_invalid", "price")
    if not documents:
        raise refuse(_("Attach the bid documents."), "documents_missing", "documents")
    if len(documents) > MAX_DOCUMENTS:
        raise refuse(
            _("At most %(count)d documents per bid.") % {"count": MAX_DOCUMENTS},
            "documents_too_many",
            "documents",
        )
    weakness = sealing.check_secret_strength(secret)
    if weakness:
        raise refuse(weakness, "secret_weak", "secret")


def submit_bid(
    *,
    lot: Lot,
    actor,
    price: Decimal,
    documents: list[tuple[str, bytes]],
    secret: str,
    security: SecurityInput | None = None,
    client_ip: str | None = None,
    device_fingerprint: str = "",
    received_at: datetime | None = None,
) -> tuple[BidSubmission, Receipt]:
    """Seal on the server and store a bid. `received_at` is the instant the whole upload had
    arrived (the trusted proxy's stamp, `portal.proxy.body_received_at`; the server clock when
    not given); it must be before the deadline (电子招标投标办法 第27条)."""
    if not policies.is_bidder(actor):
        raise refuse(_("Only a bidder's account submits bids."), "permission_denied", status=403)
    received_at = received_at or timezone.now()
    refuse_if_late(lot, received_at)  # before any sealing work is spent on it
    _validate_submission(price, documents, secret)
    entity = actor.entity
    salt = pysecrets.token_bytes(16)
    manifest = {
        "project": str(lot.project_id),
        "lot": str(lot.pk),
        "bidder": entity.uscc,
        "price": f"{price:.2f}",
        "currency": "CNY",
    }
    try:
        package = sealing.pack_bid(manifest=manifest, documents=documents, receipt_salt=salt)
    except ValueError as exc:
        raise refuse(str(exc), "documents_invalid", "documents") from exc
    digest = sealing.receipt_digest(manifest=manifest, documents=documents, salt=salt)
    envelope = sealing.seal(
        package, secret, aad=bid_aad(lot, entity.uscc), suite=settings.SEALING_SUITE
    )
    bid = _store_and_record(
        lot=lot,
        actor=actor,
        envelope=envelope,
        data=envelope.to_bytes(),
        received_at=received_at,
        receipt_digest=digest,
        security=security,
        client_ip=client_ip,
        device_fingerprint=device_fingerprint,
        sealed_by=BidSubmission.SealedBy.SERVER,
    )
    return bid, Receipt(bid.pk, digest, salt.hex(), received_at, bid.envelope_digest)


def submit_sealed_bid(
    *,
    lot: Lot,
    actor,
    envelope: bytes,
    receipt_digest: str,
    security: SecurityInput | None = None,
    client_ip: str | None = None,
    device_fingerprint: str = "",
    received_at: datetime | None = None,
) -> tuple[BidSubmission, Receipt]:
    """Store a bid the bidder sealed on its own machine (its bid-making tool, or the web page
    with WebCrypto): the server never holds the price, the documents or the secret, and does
    no key derivation in the upload request, which is what keeps a deadline surge cheap.

    The envelope must parse, use a suite and scrypt parameters this platform accepts, and be
    keyed by the bidder's secret (not an archive key); the bidder declares the receipt digest
    of the package it sealed (`sealing.receipt_digest`, salted). Neither the binding to this
    lot nor the digest can be checked before the opening; both are checked when it opens
    (`unseal_for_opening`), and a mismatch is the bidder's failure."""
    if not policies.is_bidder(actor):
        raise refuse(_("Only a bidder's account submits bids."), "permission_denied", status=403)
    received_at = received_at or timezone.now()
    refuse_if_late(lot, received_at)
    sealed = parse_client_envelope(envelope, receipt_digest, max_bytes=MAX_ENVELOPE_BYTES)
    bid = _store_and_record(
        lot=lot,
        actor=actor,
        envelope=sealed,
        data=envelope,
        received_at=received_at,
        receipt_digest=receipt_digest,
        security=security,
        client_ip=client_ip,
        device_fingerprint=device_fingerprint,
        sealed_by=BidSubmission.SealedBy.BIDDER,
    )
    return bid, Receipt(bid.pk, receipt_digest, "", received_at, bid.envelope_digest)


def _store_and_record(
    *, lot: Lot, envelope: sealing.SealedEnvelope, data: bytes, **record
) -> BidSubmission:
    """Store the envelope (content-addressed, before the transaction) and record the bid;
    the file is removed again if the bid is refused."""
    digest = envelope.ciphertext_digest()
    path = default_storage.save(f"sealed-bids/{lot.pk}/{digest}", ContentFile(data))
    try:
        return _record_bid(
            lot=lot,
            path=path,
            envelope_digest=digest,
            envelope_size=len(data),
            suite=envelope.suite,
            **record,
        )
    except BaseException:
        default_storage.delete(path)
        raise


def refuse_if_late(lot: Lot, received_at: datetime) -> None:
    """The deadline check, cheap and early; `_record_bid` repeats it under the lot's gate."""
    deadline = (
        Schedule.objects.filter(project_id=lot.project_id)
        .values_list("bid_deadline", flat=True)
        .first()
    )
    if deadline is not None and received_at >= deadline:
        raise _late(deadline, received_at)


def _late(deadline: datetime, received_at: datetime) -> StateError:
    return StateError(
        _("The bid deadline (%(deadline)s) had passed when the upload was complete (%(received)s).")
        % {
            "deadline": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M:%S"),
            "received": timezone.localtime(received_at).strftime("%Y-%m-%d %H:%M:%S"),
        },
        code="deadline_passed",
        status_code=409,
    )


@transaction.atomic
def _record_bid(
    *,
    lot,
    actor,
    received_at,
    path,
    envelope_digest,
    envelope_size,
    suite,
    receipt_digest,
    security,
    client_ip,
    device_fingerprint,
    sealed_by,
) -> BidSubmission:
    lot_gate(lot.pk, exclusive=False)
    lot = Lot.objects.select_related("project__category", "project__region").get(pk=lot.pk)
    project = lot.project
    check_not_suspended(project)
    schedule = Schedule.objects.filter(project=project).first()
    if lot.state != Lot.State.BIDDING or schedule is None:
        raise StateError(_("This lot is not open for bids."), code="lot_not_open", status_code=409)
    if received_at >= schedule.bid_deadline:
        raise _late(schedule.bid_deadline, received_at)
    entity = actor.entity
    eligibility = entity_eligibility(
        entity=entity,
        category_code=project.category.code,
        region_code=project.region.code,
        at=received_at,
    )
    if not eligibility.eligible:
        raise ineligible(eligibility, status_code=403)
    _hold_security(lot=lot, entity=entity, security=security, at=received_at, actor=actor)
    bid = BidSubmission(
        lot=lot,
        entity=entity,
        submitted_by=actor,
        envelope_digest=envelope_digest,
        envelope_size=envelope_size,
        suite=suite,
        receipt_digest=receipt_digest,
        received_at=received_at,
        client_ip=client_ip,
        device_fingerprint=device_fingerprint[:128],
        sealed_by=sealed_by,
    )
    bid.envelope.name = path
    try:
        with transaction.atomic():
            bid.save()
    except IntegrityError as exc:
        raise refuse(
            _("Your entity already has a bid on this lot: withdraw it first to submit a new one."),
            "bid_exists",
            status=409,
        ) from exc
    log(
        "bid.submitted",
        bid,
        actor=actor,
        project=project,
        lot_id=lot.pk,
        bidder=entity.uscc,
        receipt_digest=receipt_digest,
        envelope_digest=envelope_digest,
        received_at=received_at,
        client_ip=client_ip,
        device_fingerprint=device_fingerprint[:128],
    )
    return bid


def required_security(*, lot: Lot, entity, at: datetime) -> tuple[Decimal, SecurityAdjustment]:
    """The bid security this entity owes on this lot at `at`: the lot's amount, raised or
    reduced by the entity's credit measures (G2: 守信激励、失信惩戒), never above the legal cap
    (the category's `bid_security_cap` rule, a share of the estimate) and never below zero."""
    project = lot.project
    adjustment = security_adjustment(
        entity=entity,
        category_code=project.category.code,
        region_code=project.region.code,
        at=at,
    )
    base = lot.bid_security_amount
    if base <= 0 or adjustment.percent == 0:
        return base, adjustment
    amount = (base * (100 + adjustment.percent) / 100).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    cap = rule_by_code(f"{project.category.code}.bid_security_cap")
    if cap is not None and lot.estimate_amount:
        ceiling = (lot.estimate_amount * cap.value / 100).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
        amount = min(amount, ceiling)
    return max(amount, Decimal("0.00")), adjustment


def _hold_security(
    *, lot: Lot, entity, security: SecurityInput | None, at, actor
) -> BidSecurity | None:
    required, adjustment = required_security(lot=lot, entity=entity, at=at)
    because = "".join(f" {reason.message}" for reason in adjustment.reasons)
    if adjustment.percent:
        log(
            "bid.security_adjusted",
            lot,
            actor=actor,
            project=lot.project,
            lot_id=lot.pk,
            bidder=entity.uscc,
            percent=str(adjustment.percent),
            required=str(required),
            records=[reason.record for reason in adjustment.reasons],
        )
    if required <= 0:
        return None
    if security is None:
        raise refuse(
            _("This lot requires a bid security of %(amount)s yuan.") % {"amount": required}
            + because,
            "security_missing",
            "security",
        )
    if security.amount < required:
        raise refuse(
            _("The bid security must be at least %(amount)s yuan.") % {"amount": required}
            + because,
            "security_short",
            "security",
        )
    if security.form == BidSecurity.Form.GUARANTEE and not (
        security.guarantee_issuer and security.guarantee_number
    ):
        raise refuse(
            _("A guarantee names its issuer and number."), "security_guarantee", "security"
        )
    row = BidSecurity.objects.select_for_update(of=("self",)).filter(lot=lot, entity=entity).first()
    if row is not None and row.state == BidSecurity.State.HELD:
        return row
    values = dict(
        form=security.form,
        amount=security.amount,
        payer_account=security.payer_account or entity.bank_account_number,
        guarantee_issuer=security.guarantee_issuer,
        guarantee_number=security.guarantee_number,
        received_at=at,
        state=BidSecurity.State.HELD,
        refunded_amount=0,
        refunded_at=None,
    )
    if row is None:
        row = BidSecurity.objects.create(lot=lot, entity=entity, **values)
    else:
        for key, value in values.items():
            setattr(row, key, value)
        row.save()
    DepositMovement.objects.create(
        security=row,
        kind=DepositMovement.Kind.RECEIVED,
        amount=row.amount,
        at=at,
        account=row.payer_account,
    )
    return row


def refund_security(*, security: BidSecurity, at: datetime, note: str = "") -> BidSecurity:
    """Return a bid security in full, to the account it came from (D4: no "bank fee")."""
    if security.state != BidSecurity.State.HELD:
        return security
    security.state = BidSecurity.State.REFUNDED
    security.refunded_amount = security.amount
    security.refunded_at = at
    security.save(update_fields=["state", "refunded_amount", "refunded_at"])
    DepositMovement.objects.create(
        security=security,
        kind=DepositMovement.Kind.REFUNDED,
        amount=security.amount,
        at=at,
        account=security.payer_account,
        note=note,
    )
    return security


@transaction.atomic
def withdraw_bid(*, bid: BidSubmission, actor) -> BidSubmission:
    """Withdraw a bid before the deadline (撤回); its security is refunded in full at once."""
    lot_gate(bid.lot_id, exclusive=False)
    bid = (
        BidSubmission.objects.select_for_update(of=("self",))
        .select_related("lot__project__category")
        .get(pk=bid.pk)
    )
    if not (policies.is_bidder(actor) and actor.entity_id == bid.entity_id):
        raise refuse(_("Only the bidder withdraws its bid."), "permission_denied", status=403)
    project = bid.lot.project
    check_not_suspended(project)
    now = timezone.now()
    schedule = Schedule.objects.get(project=project)
    if bid.state != BidSubmission.State.SUBMITTED or now >= schedule.bid_deadline:
        raise StateError(
            _("A bid can be withdrawn only before the deadline."),
            code="deadline_passed",
            status_code=409,
        )
    bid.state = BidSubmission.State.WITHDRAWN
    bid.withdrawn_at = now
    bid.save(update_fields=["state", "withdrawn_at"])
    security = (
        BidSecurity.objects.select_for_update(of=("self",))
        .filter(lot=bid.lot, entity=bid.entity)
        .first()
    )
    if security is not None:
        refund_security(security=security, at=now, note="bid withdrawn")
    log(
        "bid.withdrawn",
        bid,
        actor=actor,
        project=project,
        lot_id=bid.lot_id,
        bidder=bid.entity.uscc,
    )
    return bid


def read_envelope(bid: BidSubmission) -> bytes:
    """The stored envelope's bytes; the sealing functions check them against the digest
    logged at receipt, so a damaged file is told apart from a wrong secret."""
    with default_storage.open(bid.envelope.name, "rb") as handle:
        return handle.read()


@dataclass(frozen=True)
class DecryptionOutcome:
    ok: bool
    cause: str  # a DecryptionAttempt.Outcome value
    message: str = ""


@transaction.atomic
def test_decrypt_bid(*, bid: BidSubmission, actor, secret: str) -> DecryptionOutcome:
    """The bidder proves its secret opens its envelope, right after sending; nothing is
    revealed to anyone and nothing changes. The attempt is logged either way (the outcome is
    returned, not raised, so that the log survives a failure)."""
    if not (policies.is_bidder(actor) and actor.entity_id == bid.entity_id):
        raise refuse(_("Only the bidder test-decrypts its bid."), "permission_denied", status=403)
    try:
        unseal_for_opening(bid, secret)
    except sealing.UnsealError as exc:
        outcome = DecryptionOutcome(False, _attempt_outcome(exc), str(exc))
    else:
        outcome = DecryptionOutcome(True, DecryptionAttempt.Outcome.TEST_OK)
    DecryptionAttempt.objects.create(
        bid=bid,
        attempted_by=actor,
        outcome=outcome.cause,
        detail=outcome.message[:300],
        is_test=True,
    )
    return outcome


def unseal_for_opening(bid: BidSubmission, secret: str) -> tuple[bytes, sealing.BidPackage]:
    """Open a bid's envelope with the bidder's secret and check what it holds is this bid:
    the manifest names this project, lot and bidder, the price is a valid amount, and the
    package's receipt digest is the one receipted. Returns the envelope's bytes and the
    package; raises `sealing.UnsealError` whose `cause` says whose fault a failure is.

    For an envelope the bidder sealed, a package that fails authentication although the
    stored bytes are exactly the ones receipted was sealed wrongly (for another bid, or
    malformed) by the bidder: `invalid_package`, its failure, not `corrupted`."""
    data = read_envelope(bid)
    aad = bid_aad(bid.lot, bid.entity.uscc)
    try:
        package = sealing.test_decrypt(data, secret, aad=aad, expected_digest=bid.envelope_digest)
    except sealing.EnvelopeCorrupted:
        if bid.sealed_by == BidSubmission.SealedBy.BIDDER and _stored_intact(data, bid):
            raise sealing.InvalidPackage(
                _(
                    "The envelope you sealed does not open as a bid for this lot: it was "
                    "sealed for another bid or is malformed."
                )
            ) from None
        raise
    problem = _package_problem(bid, package)
    if problem:
        raise sealing.InvalidPackage(problem)
    return data, package


def _stored_intact(data: bytes, bid: BidSubmission) -> bool:
    try:
        return sealing.SealedEnvelope.from_bytes(data).ciphertext_digest() == bid.envelope_digest
    except sealing.UnsealError:
        return False


def _package_problem(bid: BidSubmission, package: sealing.BidPackage) -> str:
    manifest = package.manifest
    expected = {
        "project": str(bid.lot.project_id),
        "lot": str(bid.lot_id),
        "bidder": bid.entity.uscc,
        "currency": "CNY",
    }
    wrong = sorted(key for key, value in expected.items() if manifest.get(key) != value)
    if wrong:
        return _("The sealed bid names another %(fields)s than this bid.") % {
            "fields": ", ".join(wrong)
        }
    price = manifest.get("price")
    try:
        amount = Decimal(price)
    except (TypeError, ArithmeticError):
        amount = None
    if amount is None or amount <= 0 or amount.as_tuple().exponent < -2:
        return _("The sealed price is not a positive amount in yuan with at most two decimals.")
    try:
        digest = sealing.package_receipt_digest(package)
    except sealing.BidPackageError as exc:
        return exc.message
    if digest != bid.receipt_digest:
        return _("The sealed bid is not the one receipted: its receipt digest differs.")
    return ""


def _attempt_outcome(exc: "sealing.UnsealError") -> str:
    """The logged outcome is the sealing error's own cause, so fault can be told apart."""
    known = {choice.value for choice in DecryptionAttempt.Outcome}
    return exc.cause if exc.cause in known else DecryptionAttempt.Outcome.CORRUPTED


def archive_key() -> bytes:
    return base64.b64decode(settings.BID_ARCHIVE_KEY)
