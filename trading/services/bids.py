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
from trading import policies, sealing
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
) -> tuple[BidSubmission, Receipt]:
    """Seal and store a bid. Called once the whole upload has arrived: that instant, on the
    server clock, is the receipt time, and it must be before the deadline."""
    if not policies.is_bidder(actor):
        raise refuse(_("Only a bidder's account submits bids."), "permission_denied", status=403)
    _validate_submission(price, documents, secret)
    received_at = timezone.now()
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
    envelope_bytes = envelope.to_bytes()
    envelope_digest = envelope.ciphertext_digest()
    # Written before the transaction (content-addressed), removed again if the bid is refused.
    path = default_storage.save(
        f"sealed-bids/{lot.pk}/{envelope_digest}", ContentFile(envelope_bytes)
    )
    try:
        bid = _record_bid(
            lot=lot,
            actor=actor,
            received_at=received_at,
            path=path,
            envelope_digest=envelope_digest,
            envelope_size=len(envelope_bytes),
            suite=envelope.suite,
            receipt_digest=digest,
            security=security,
            client_ip=client_ip,
            device_fingerprint=device_fingerprint,
        )
    except BaseException:
        default_storage.delete(path)
        raise
    return bid, Receipt(bid.pk, digest, salt.hex(), received_at, envelope_digest)


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
) -> BidSubmission:
    lot_gate(lot.pk, exclusive=False)
    lot = Lot.objects.select_related("project__category", "project__region").get(pk=lot.pk)
    project = lot.project
    check_not_suspended(project)
    schedule = Schedule.objects.filter(project=project).first()
    if lot.state != Lot.State.BIDDING or schedule is None:
        raise StateError(_("This lot is not open for bids."), code="lot_not_open", status_code=409)
    if received_at >= schedule.bid_deadline:
        raise StateError(
            _(
                "The bid deadline (%(deadline)s) had passed when the upload was complete "
                "(%(received)s)."
            )
            % {
                "deadline": timezone.localtime(schedule.bid_deadline).strftime("%Y-%m-%d %H:%M:%S"),
                "received": timezone.localtime(received_at).strftime("%Y-%m-%d %H:%M:%S"),
            },
            code="deadline_passed",
            status_code=409,
        )
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
        sealing.test_decrypt(
            read_envelope(bid),
            secret,
            aad=bid_aad(bid.lot, bid.entity.uscc),
            expected_digest=bid.envelope_digest,
        )
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


def _attempt_outcome(exc: "sealing.UnsealError") -> str:
    """The logged outcome is the sealing error's own cause, so fault can be told apart."""
    known = {choice.value for choice in DecryptionAttempt.Outcome}
    return exc.cause if exc.cause in known else DecryptionAttempt.Outcome.CORRUPTED


def archive_key() -> bytes:
    return base64.b64decode(settings.BID_ARCHIVE_KEY)
