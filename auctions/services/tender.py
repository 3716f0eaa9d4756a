"""Land and mining rights by tender (招标出让, 39号令(国土) 第13–15条): sealed price bids, the
opening (开标), the bidders' decryption and the result by the highest price (价高者得).

- Registration and the deposit are the auction's (`registrations`): credit checked, a bid
  only once the deposit is confirmed received.
- A bid (投标) is sealed on the server with the bidder's passphrase (`portal.sealing`, as
  trading's `submit_bid`): the row keeps only the envelope and digests; the passphrase is
  never stored, so nobody — staff, the transferor, an administrator with the database —
  can read a price before the bidder decrypts it at the opening. One bid per bidder, never
  withdrawn or replaced (标书投入标箱后，不可撤回, 第13条); the deadline is the opening time.
- At the opening the centre's staff count the bids: fewer than the catalog's minimum
  (`land.tender.min_bidders`, 3, 第13条) terminates the tender, deposits returned in full.
  Otherwise each bidder decrypts within the window; every attempt is logged with its
  outcome and cause. When the window closes (or every bid is decrypted and the staff close
  it) `settlement.close_opening` decides. The comprehensive-evaluation method (综合评标,
  第14条's first branch) is not offered: only the highest price decides.
"""

import secrets as pysecrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from auctions import policies, rules
from auctions.models import Listing, Registration, TenderBid
from auctions.services.common import check_eligible, listing_not_found, refuse
from auctions.services.registrations import parse_amount
from auctions.services.settlement import advance_listing, close_opening, fail, is_due
from auctions.state_machine import StateError, log, move, refuse_state
from catalog.selectors import check_schedule_for
from portal import sealing
from portal.sealed_uploads import parse_client_envelope

S = Listing.State
NO_WITHDRAWAL_SOURCE = "39号令(国土) 第13条"
#: A price-only package sealed by the bidder is a few hundred bytes; this bounds the upload.
MAX_ENVELOPE_BYTES = 64 * 1024


@dataclass(frozen=True)
class TenderReceipt:
    """What the bidder keeps (投标回执): with its price and the salt it can prove what it
    sealed; the platform keeps the digests only, never the salt or the price."""

    bid_id: int
    number: str
    receipt_digest: str
    salt: str  # hex; shown once
    envelope_digest: str
    received_at: datetime


@dataclass(frozen=True)
class DecryptionOutcome:
    ok: bool
    cause: str  # "success", "outside_window", or the sealing error's cause
    message: str = ""


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def bid_aad(listing: Listing, uscc: str, number: str) -> bytes:
    """Binds an envelope to this tender, this bidder and its registration: it cannot be moved
    to another bid."""
    return sealing.bid_aad(
        project=listing.transaction_code or f"listing-{listing.pk}",
        lot=listing.pk,
        bidder=uscc,
        submission=number,
    )


def _manifest(listing: Listing, registration: Registration, price: Decimal) -> dict:
    return {
        "lot": str(listing.pk),
        "transaction_code": listing.transaction_code or "",
        "bidder": registration.entity.uscc,
        "number": registration.number,
        "price": f"{price:.2f}",
        "currency": "CNY",
    }


def _refuse_late(listing: Listing, now: datetime) -> None:
    if now >= listing.opening_at:
        raise refuse(
            _("The bid deadline was %(deadline)s: no bid is accepted after it.")
            % {"deadline": _local(listing.opening_at)},
            "deadline_passed",
            status=409,
        )


def _check_bidding(listing: Listing, registration: Registration | None, now: datetime) -> None:
    """Everything a sealed bid needs except the price (checked before and under the lock)."""
    if listing.method.code != "tender":
        raise refuse(
            _("This listing is not a tender: bid in the bidding hall."), "not_a_tender", status=409
        )
    _refuse_late(listing, now)
    if listing.state == S.ANNOUNCED or listing.state == S.DRAFT:
        raise refuse(
            _("Sealed bids are accepted from %(start)s.")
            % {"start": _local(listing.tender_starts_at)},
            "not_started",
            status=409,
        )
    if listing.state != S.TENDER:
        raise refuse_state(listing)
    if registration is None:
        raise refuse(
            _("Your entity is not registered for this listing."), "not_registered", status=409
        )
    if registration.deposit_state != Registration.DepositState.CONFIRMED:
        raise refuse(
            _("Your deposit has not been confirmed received."), "deposit_not_confirmed", status=409
        )
    if TenderBid.objects.filter(registration=registration).exists():
        raise _already_bid()
    check_eligible(listing, registration.entity, at=now)


def _already_bid():
    return refuse(
        _(
            "Your sealed bid is already in the bid box; it cannot be withdrawn or replaced "
            "(%(source)s)."
        )
        % {"source": NO_WITHDRAWAL_SOURCE},
        "already_bid",
        status=409,
    )


def _registration(listing_id: int, actor) -> Registration | None:
    return (
        Registration.objects.select_related("entity")
        .filter(listing_id=listing_id, entity_id=actor.entity_id)
        .first()
    )


def _lock(listing_id: int) -> Listing:
    listing = (
        Listing.objects.select_for_update(of=("self",))
        .select_related("category", "method", "region", "centre")
        .filter(pk=listing_id)
        .first()
    )
    if listing is None:
        raise listing_not_found()
    return listing


def _listing(listing_id: int) -> Listing:
    listing = (
        Listing.objects.select_related("category", "method", "region", "centre")
        .filter(pk=listing_id)
        .first()
    )
    if listing is None:
        raise listing_not_found()
    if is_due(listing, timezone.now()):
        listing = advance_listing(listing_id)
    return listing


def submit_tender_bid(
    *, actor, listing: Listing | int, price, passphrase: str
) -> tuple[TenderBid, TenderReceipt]:
    """Seal the bidder's price with its passphrase and put it in the bid box. The price is a
    whole number of fen, at least the announced minimum (the starting price); the passphrase
    must be strong (`sealing.check_secret_strength`) and is never stored: the bidder needs
    it again at the opening. Refusals name the field and the rule; a late bid is refused
    with the deadline; a second bid is refused (no withdrawal, no replacement)."""
    if not policies.is_bidder(actor):
        raise refuse(
            _("Only a bidder account of a market entity may bid."), "forbidden", status=403
        )
    listing_id = listing if isinstance(listing, int) else listing.pk
    now = timezone.now()
    listing = _listing(listing_id)
    registration = _registration(listing_id, actor)
    _check_bidding(listing, registration, now)
    amount = parse_amount(price, "price")
    if not rules.is_whole_fen(amount):
        raise refuse(_("Amounts are in yuan, to the fen (two decimals)."), "not_whole_fen", "price")
    if amount < listing.starting_price:
        raise refuse(
            _("The bid price must be at least the minimum of %(minimum)s yuan.")
            % {"minimum": listing.starting_price},
            "below_minimum",
            "price",
        )
    weakness = sealing.check_secret_strength(passphrase or "")
    if weakness:
        raise refuse(weakness, "passphrase_weak", "passphrase")
    # Sealing (scrypt, tens of milliseconds) happens before the lock: bids do not queue
    # behind each other's key derivation. Everything is checked again under the lock.
    salt = pysecrets.token_bytes(16)
    manifest = _manifest(listing, registration, amount)
    package = sealing.pack_bid(manifest=manifest, documents=[], receipt_salt=salt)
    digest = sealing.receipt_digest(manifest=manifest, documents=[], salt=salt)
    envelope = sealing.seal(
        package,
        passphrase,
        aad=bid_aad(listing, registration.entity.uscc, registration.number),
        suite=settings.SEALING_SUITE,
    )
    try:
        bid = _record(
            actor=actor,
            listing_id=listing_id,
            registration=registration,
            envelope=envelope,
            receipt_digest=digest,
        )
    except IntegrityError as exc:  # two bids of one bidder at once
        raise _already_bid() from exc
    return bid, TenderReceipt(
        bid_id=bid.pk,
        number=registration.number,
        receipt_digest=digest,
        salt=salt.hex(),
        envelope_digest=bid.envelope_digest,
        received_at=bid.received_at,
    )


def submit_sealed_tender_bid(
    *, actor, listing: Listing | int, envelope: bytes, receipt_digest: str
) -> TenderBid:
    """Put in the bid box an envelope the bidder sealed on its own machine with
    `portal/sealing.py` (`pack_bid` with no documents, the manifest {lot: the listing id,
    bidder: its USCC, number: its bidder number, price, currency: "CNY"}; `seal` with
    `aad = sealing.bid_aad(project=transaction code, lot=listing id, bidder=USCC,
    submission=bidder number)`), with the receipt digest it computed. The server never sees
    the price and spends no key derivation. The envelope must parse and be keyed by a
    passphrase; what it holds is checked when the bidder decrypts it at the opening, and a
    package that is not a valid bid for this tender is then the bidder's failure."""
    if not policies.is_bidder(actor):
        raise refuse(
            _("Only a bidder account of a market entity may bid."), "forbidden", status=403
        )
    listing_id = listing if isinstance(listing, int) else listing.pk
    listing = _listing(listing_id)
    registration = _registration(listing_id, actor)
    _check_bidding(listing, registration, timezone.now())
    sealed = parse_client_envelope(envelope, receipt_digest, max_bytes=MAX_ENVELOPE_BYTES)
    try:
        return _record(
            actor=actor,
            listing_id=listing_id,
            registration=registration,
            envelope=sealed,
            receipt_digest=receipt_digest,
            sealed_by=TenderBid.SealedBy.BIDDER,
        )
    except IntegrityError as exc:
        raise _already_bid() from exc


@transaction.atomic
def _record(
    *,
    actor,
    listing_id: int,
    registration: Registration,
    envelope: sealing.SealedEnvelope,
    receipt_digest: str,
    sealed_by: str = TenderBid.SealedBy.SERVER,
) -> TenderBid:
    listing = _lock(listing_id)
    now = timezone.now()  # the receipt time: the server clock, under the lock
    registration = (
        Registration.objects.select_related("entity")
        .select_for_update(of=("self",))
        .get(pk=registration.pk)
    )
    _check_bidding(listing, registration, now)
    bid = TenderBid.objects.create(
        listing=listing,
        registration=registration,
        envelope=envelope.to_bytes(),
        envelope_digest=envelope.ciphertext_digest(),
        receipt_digest=receipt_digest,
        suite=envelope.suite,
        sealed_by=sealed_by,
        received_at=now,
    )
    log(
        "auction.tender_bid",
        listing,
        actor=actor,
        obj=bid,
        number=registration.number,
        envelope_digest=bid.envelope_digest,
        receipt_digest=receipt_digest,
        sealed_by=sealed_by,
        received_at=now,
    )
    return bid


def own_tender_bid(actor, listing: Listing) -> TenderBid | None:
    """The actor's entity's sealed bid on this listing (its receipt), or None."""
    if not policies.is_bidder(actor):
        return None
    return (
        TenderBid.objects.select_related("registration")
        .filter(listing=listing, registration__entity_id=actor.entity_id)
        .first()
    )


def _require_staff(actor, listing: Listing) -> None:
    if not policies.is_centre_staff_of(actor, listing):
        raise refuse(_("Only the staff of this centre may do this."), "forbidden", status=403)


@transaction.atomic
def open_bids(*, actor, listing: Listing) -> Listing:
    """The opening (开标) at or after the bid deadline, by the centre's staff: the bid box is
    closed and the bids counted. Fewer than the legal minimum (catalog rule, e.g.
    `land.tender.min_bidders`) terminates the tender: failed, deposits returned in full.
    Otherwise the bidders decrypt within the window."""
    listing = _lock(listing.pk)
    _require_staff(actor, listing)
    now = timezone.now()
    if is_due(listing, now):
        listing = advance_listing(listing.pk, now=now)
    if listing.method.code != "tender" or listing.state != S.TENDER:
        raise refuse_state(listing)
    if now < listing.opening_at:
        raise StateError(
            _("The bids are opened at %(deadline)s, not before.")
            % {"deadline": _local(listing.opening_at)},
            code="too_early",
            status_code=409,
        )
    received = TenderBid.objects.filter(listing=listing).count()
    listing.bid_count = received
    violations = check_schedule_for(listing.category.code, "tender", {"bids_received": received})
    if violations:
        listing.save(update_fields=["bid_count"])
        reason = _("%(received)d bid(s) received; the tender is terminated: %(rules)s") % {
            "received": received,
            "rules": "; ".join(f"{v.message} ({v.source})" for v in violations),
        }
        log(
            "auction.tender_terminated",
            listing,
            actor=actor,
            bids_received=received,
            rules=[v.rule for v in violations],
        )
        return fail(listing, actor=actor, reason=reason[:300], now=now)
    listing.opening_closes_at = now + timedelta(minutes=listing.decrypt_window_minutes)
    return move(
        listing,
        "open_bids",
        actor=actor,
        update_fields=["bid_count", "opening_closes_at"],
        bids_received=received,
        window_closes_at=listing.opening_closes_at,
    )


def _package_problem(listing: Listing, bid: TenderBid, package: sealing.BidPackage) -> str:
    """What makes an opened package not a valid bid for this tender, or ""."""
    registration = bid.registration
    manifest = package.manifest
    expected = {
        "lot": str(listing.pk),
        "bidder": registration.entity.uscc,
        "number": registration.number,
        "currency": "CNY",
    }
    wrong = sorted(key for key, value in expected.items() if manifest.get(key) != value)
    if wrong:
        return _("The sealed bid names another %(fields)s than this bid.") % {
            "fields": ", ".join(wrong)
        }
    try:
        price = Decimal(manifest.get("price"))
    except (TypeError, ArithmeticError):
        price = None
    if price is None or not price.is_finite() or price <= 0 or not rules.is_whole_fen(price):
        return _("The sealed price is not an amount in yuan with at most two decimals.")
    if price < listing.starting_price:
        return _("The sealed price is below the minimum of %(minimum)s yuan.") % {
            "minimum": listing.starting_price
        }
    try:
        digest = sealing.package_receipt_digest(package)
    except sealing.BidPackageError as exc:
        return exc.message
    if digest != bid.receipt_digest:
        return _("The sealed bid is not the one receipted: its receipt digest differs.")
    return ""


def decrypt_tender_bid(*, actor, listing: Listing, passphrase: str) -> DecryptionOutcome:
    """The bidder decrypts its own bid at the opening, within the window. Every attempt is
    trade-logged with its outcome and cause; the outcome is returned, not raised, so the log
    is kept. A package that opens but is not a valid bid for this tender (another bidder or
    tender, below the minimum, not the receipted one) makes the bid invalid: the bidder's
    failure. The key derivation runs before the lock; the result is written under it."""
    if not policies.is_bidder(actor):
        raise refuse(_("Only the bidder decrypts its bid."), "forbidden", status=403)
    listing = _listing(listing.pk)
    bid = (
        TenderBid.objects.select_related("registration__entity")
        .filter(listing=listing, registration__entity_id=actor.entity_id)
        .first()
    )
    if bid is None:
        raise refuse(_("Your entity has no sealed bid in this tender."), "no_bid", status=404)
    if bid.state == TenderBid.State.DECRYPTED:
        return DecryptionOutcome(True, "success", _("Already decrypted."))
    if not _window_open(listing, timezone.now()) or bid.state != TenderBid.State.SEALED:
        return _attempt_outside_window(actor=actor, listing_id=listing.pk, bid_id=bid.pk)
    registration = bid.registration
    aad = bid_aad(listing, registration.entity.uscc, registration.number)
    data = bytes(bid.envelope)
    try:
        package = sealing.test_decrypt(
            data, passphrase or "", aad=aad, expected_digest=bid.envelope_digest
        )
    except sealing.EnvelopeCorrupted as exc:
        # An envelope the bidder sealed that is stored exactly as receipted but does not
        # authenticate as this bid was sealed wrongly (for another bid, or malformed): the
        # bidder's failure, as in trading (unseal_for_opening), not a corruption.
        intact = bid.sealed_by == TenderBid.SealedBy.BIDDER and _stored_intact(data, bid)
        return _record_attempt(
            actor=actor,
            listing_id=listing.pk,
            bid_id=bid.pk,
            cause=sealing.InvalidPackage.cause if intact else exc.cause,
            detail=(
                _(
                    "The envelope you sealed does not open as a bid for this tender: it was "
                    "sealed for another bid or is malformed."
                )
                if intact
                else exc.message
            ),
            invalid=intact,
        )
    except sealing.UnsealError as exc:
        return _record_attempt(
            actor=actor, listing_id=listing.pk, bid_id=bid.pk, cause=exc.cause, detail=exc.message
        )
    problem = _package_problem(listing, bid, package)
    if problem:
        return _record_attempt(
            actor=actor,
            listing_id=listing.pk,
            bid_id=bid.pk,
            cause=sealing.InvalidPackage.cause,
            detail=problem,
            invalid=True,
        )
    return _record_attempt(
        actor=actor,
        listing_id=listing.pk,
        bid_id=bid.pk,
        cause="success",
        price=Decimal(package.manifest["price"]),
    )


def _stored_intact(data: bytes, bid: TenderBid) -> bool:
    try:
        return sealing.SealedEnvelope.from_bytes(data).ciphertext_digest() == bid.envelope_digest
    except sealing.UnsealError:
        return False


def _window_open(listing: Listing, now: datetime) -> bool:
    return listing.state == S.OPENING and now < listing.opening_closes_at


def _outside_window(listing: Listing, bid: TenderBid, actor) -> DecryptionOutcome:
    message = _("Decryption is possible only during the opening's decryption window.")
    log(
        "auction.tender_decryption_attempt",
        listing,
        actor=actor,
        obj=bid,
        number=bid.registration.number,
        outcome="outside_window",
    )
    return DecryptionOutcome(False, "outside_window", message)


@transaction.atomic
def _attempt_outside_window(*, actor, listing_id: int, bid_id: int) -> DecryptionOutcome:
    listing = _lock(listing_id)
    bid = TenderBid.objects.select_related("registration").get(pk=bid_id)
    return _outside_window(listing, bid, actor)


@transaction.atomic
def _record_attempt(
    *,
    actor,
    listing_id: int,
    bid_id: int,
    cause: str,
    detail: str = "",
    invalid: bool = False,
    price: Decimal | None = None,
) -> DecryptionOutcome:
    """Write one decryption attempt under the listing's lock: the window and the bid's state
    are checked again (the window may have closed during the key derivation)."""
    listing = _lock(listing_id)
    now = timezone.now()
    bid = (
        TenderBid.objects.select_for_update(of=("self",))
        .select_related("registration")
        .get(pk=bid_id)
    )
    if not _window_open(listing, now) or bid.state != TenderBid.State.SEALED:
        return _outside_window(listing, bid, actor)
    if cause == "success":
        bid.state = TenderBid.State.DECRYPTED
        bid.price = price
        bid.decrypted_at = now
        bid.save(update_fields=["state", "price", "decrypted_at"])
        log(
            "auction.tender_decryption_attempt",
            listing,
            actor=actor,
            obj=bid,
            number=bid.registration.number,
            outcome="success",
            price=str(price),
            decrypted_at=now,
        )
        return DecryptionOutcome(True, "success")
    bid.last_failure = cause
    fields = ["last_failure"]
    if invalid:
        bid.state = TenderBid.State.INVALID
        bid.invalid_reason = detail[:300]
        fields += ["state", "invalid_reason"]
    bid.save(update_fields=fields)
    log(
        "auction.tender_decryption_attempt",
        listing,
        actor=actor,
        obj=bid,
        number=bid.registration.number,
        outcome=cause,
        invalid=invalid,
        detail=detail[:300],
    )
    return DecryptionOutcome(False, cause, detail)


@transaction.atomic
def close_tender_opening(*, actor, listing: Listing) -> Listing:
    """The staff close the opening before the window ends once no bid is still sealed (the
    due-events sweep closes it when the window has passed, whatever remains sealed)."""
    listing = _lock(listing.pk)
    _require_staff(actor, listing)
    now = timezone.now()
    if listing.state != S.OPENING:
        raise refuse_state(listing)
    still_sealed = TenderBid.objects.filter(listing=listing, state=TenderBid.State.SEALED)
    if now < listing.opening_closes_at and still_sealed.exists():
        raise StateError(
            _("Bidders are still decrypting until %(end)s.")
            % {"end": _local(listing.opening_closes_at)},
            code="window_open",
            status_code=409,
        )
    return close_opening(listing, actor=actor, now=now)


def opening_record(listing: Listing) -> list[TenderBid]:
    """The bids of a tender whose opening has started, in order of receipt, with the bidder
    numbers and entities; prices are filled in only as bidders decrypt."""
    return list(
        TenderBid.objects.filter(listing=listing)
        .select_related("registration__entity")
        .order_by("received_at", "pk")
    )
