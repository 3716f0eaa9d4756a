"""Listings: created by the centre's staff, announced (or disclosed), and — for equity with a
single qualified buyer — transferred by agreement. Faults: suspend, resume, void."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from auctions import rules
from auctions.models import AuctionAnnouncement, Listing
from auctions.services.common import refuse, rule_percent
from auctions.services.settlement import conclude, qualified_buyers, refund_all
from auctions.state_machine import log, move, refuse_state
from catalog.models import Category, TradingMethod
from catalog.rules import Violation
from catalog.selectors import check_schedule_for
from catalog.transaction_codes import next_transaction_code
from portal.accounts.policies import can_manage_centre
from portal.errors import ApplicationError

AUCTION_CATEGORIES = ("land", "mining", "equity")
#: Methods a listing may be created with, per category.
METHODS = {
    "land": ("auction", "listing", "tender"),
    "mining": ("auction", "listing", "tender"),
    "equity": ("listing",),
}

DETAIL_FIELDS = (
    "description",
    "location",
    "area_sqm",
    "land_use",
    "term_years",
    "plot_ratio",
    "mineral",
    "mining_area_sqkm",
    "mining_licence_kind",
    "target_company",
    "share_percent",
    "appraised_value",
    "below_appraisal_approval",
    "reserve_price",
    "increment_rule",
    "extension_minutes",
    "pre_disclosure_starts_at",
    "pre_disclosure_ends_at",
    "listing_starts_at",
    "listing_ends_at",
    "auction_starts_at",
    "ends_at",
    "tender_starts_at",
    "opening_at",
    "decrypt_window_minutes",
)


def _require_staff(actor, listing_or_centre) -> None:
    centre = getattr(listing_or_centre, "centre", listing_or_centre)
    if not can_manage_centre(actor, centre):
        raise refuse(_("Only the staff of this centre may do this."), "forbidden", status=403)


def _violations_error(violations: list[Violation]) -> ApplicationError:
    return ApplicationError(
        _("The schedule breaks %(count)d statutory rule(s); nothing was published.")
        % {"count": len(violations)},
        code="statutory_violation",
        fields={
            "violations": [
                {"rule": v.rule, "field": v.field, "message": v.message, "source": v.source}
                for v in violations
            ]
        },
    )


def schedule_of(listing: Listing, *, announced_at: datetime | None = None) -> dict:
    """The listing's dates under the names the catalog's rules read."""
    trading_starts_at = {
        "auction": listing.auction_starts_at,
        "tender": listing.tender_starts_at,  # 投标开始日 (39号令(国土) 第9条)
    }.get(listing.method.code)
    values = {
        "announcement_published_at": announced_at or listing.announcement_published_at,
        "trading_starts_at": trading_starts_at,
        "listing_starts_at": listing.listing_starts_at,
        "listing_ends_at": listing.listing_ends_at,
    }
    if listing.category.code == "equity":
        values.update(
            disclosure_starts_at=listing.listing_starts_at,
            disclosure_ends_at=listing.listing_ends_at,
            pre_disclosure_starts_at=listing.pre_disclosure_starts_at,
            pre_disclosure_ends_at=listing.pre_disclosure_ends_at,
            # The first listing price and the appraisal are checked by `_check_prices`.
        )
        values.pop("listing_starts_at")
        values.pop("listing_ends_at")
    return {key: value for key, value in values.items() if value is not None}


def _check_structure(listing: Listing) -> None:
    """Field combinations the method needs, each refusal naming its field."""
    method = listing.method.code

    def need(field: str, message: str) -> None:
        if getattr(listing, field) in (None, ""):
            raise refuse(message, "required", field)

    if method == "tender":
        need("tender_starts_at", _("A tender needs the start of its bid period."))
        need("opening_at", _("A tender needs its bid deadline, which is the opening time."))
        if listing.opening_at <= listing.tender_starts_at:
            raise refuse(
                _("The bid deadline must come after the start of the bid period."),
                "invalid",
                "opening_at",
            )
        if listing.registration_ends_at > listing.opening_at:
            raise refuse(
                _("Registration must close no later than the bid deadline."),
                "invalid",
                "registration_ends_at",
            )
        if not 5 <= listing.decrypt_window_minutes <= 240:
            raise refuse(
                _("The decryption window is between 5 and 240 minutes."),
                "invalid",
                "decrypt_window_minutes",
            )
    elif method == "listing":
        need("listing_starts_at", _("A listing needs the start of its listing period."))
        need("listing_ends_at", _("A listing needs the end of its listing period."))
        if listing.listing_ends_at <= listing.listing_starts_at:
            raise refuse(
                _("The listing period must end after it starts."), "invalid", "listing_ends_at"
            )
        if listing.registration_ends_at > listing.listing_ends_at:
            raise refuse(
                _("Registration must close no later than the end of the listing period."),
                "invalid",
                "registration_ends_at",
            )
    else:
        need("auction_starts_at", _("An auction needs its start time."))
        need("ends_at", _("An auction needs the end of its free bidding period."))
        if listing.ends_at <= listing.auction_starts_at:
            raise refuse(_("The auction must end after it starts."), "invalid", "ends_at")
        if listing.registration_ends_at > listing.auction_starts_at:
            raise refuse(
                _("Registration must close no later than the start of the auction."),
                "invalid",
                "registration_ends_at",
            )
    if listing.category.code == "equity":
        need("appraised_value", _("An equity transfer needs the appraised value."))
        need("target_company", _("An equity transfer names the target company."))


def _check_prices(listing: Listing) -> None:
    """Money is exact to the fen; the equity listing price below 90 % of the appraised value
    needs the written approval (32号令 第18条 (check))."""
    for field in ("starting_price", "increment", "deposit_amount", "reserve_price"):
        value = getattr(listing, field)
        if value is not None and not rules.is_whole_fen(Decimal(value)):
            raise refuse(_("Amounts are in yuan, to the fen (two decimals)."), "invalid", field)
    if listing.reserve_price is not None and listing.reserve_price < listing.starting_price:
        raise refuse(
            _("The reserve price may not be below the starting price."), "invalid", "reserve_price"
        )
    if listing.category.code == "equity" and listing.appraised_value:
        percent, source = rule_percent("equity.reserve_below_appraisal", "90")
        if (
            rules.below_share(listing.starting_price, listing.appraised_value, percent)
            and not listing.below_appraisal_approval.strip()
        ):
            raise refuse(
                _(
                    "A listing price below %(percent)s %% of the appraised value needs the "
                    "written approval of the approving authority (%(source)s): give its "
                    "document number."
                )
                % {"percent": percent.normalize(), "source": source or "32号令 第18条"},
                "approval_required",
                "below_appraisal_approval",
            )


@transaction.atomic
def create_listing(
    *,
    actor,
    centre,
    region,
    category_code: str,
    method_code: str,
    transferor,
    title: str,
    starting_price: Decimal,
    increment: Decimal,
    deposit_amount: Decimal,
    registration_ends_at: datetime,
    **details,
) -> Listing:
    """A draft listing by the centre's staff. The reserve price is stored but never logged
    or shown before the result (39号令(国土) 第10条)."""
    _require_staff(actor, centre)
    if category_code not in AUCTION_CATEGORIES:
        raise refuse(
            _("Auctions cover land, mining and equity, not %(code)s.") % {"code": category_code},
            "invalid",
            "category",
        )
    if method_code not in METHODS[category_code]:
        raise refuse(
            _("%(method)s is not offered for this category here.") % {"method": method_code},
            "invalid",
            "method",
        )
    unknown = set(details) - set(DETAIL_FIELDS)
    if unknown:
        raise ValueError(f"unknown listing fields: {sorted(unknown)}")
    listing = Listing(
        title=title,
        category=Category.objects.get(code=category_code),
        method=TradingMethod.objects.get(code=method_code),
        transferor=transferor,
        centre=centre,
        region=region,
        starting_price=starting_price,
        increment=increment,
        deposit_amount=deposit_amount,
        registration_ends_at=registration_ends_at,
        created_by=actor,
        **details,
    )
    _check_structure(listing)
    _check_prices(listing)
    if method_code == "auction":
        listing.scheduled_ends_at = listing.ends_at
    listing.full_clean(exclude=["transaction_code", "leader", "winner"])
    listing.transaction_code = next_transaction_code(category=listing.category, region=region)
    listing.save()
    log(
        "auction.create",
        listing,
        actor=actor,
        transaction_code=listing.transaction_code,
        method=method_code,
        starting_price=str(listing.starting_price),
        increment=str(listing.increment),
        increment_rule=listing.increment_rule,
        deposit=str(listing.deposit_amount),
        reserve_set=listing.reserve_price is not None,
    )
    return listing


def _announcement_body(listing: Listing) -> str:
    lines = [listing.title, listing.description]
    if listing.location:
        lines.append(_("Location: %(value)s") % {"value": listing.location})
    if listing.target_company:
        lines.append(_("Target company: %(value)s") % {"value": listing.target_company})
    if listing.method.code == "tender":
        lines.append(
            _("Minimum bid price: %(value)s yuan (sealed bids; the highest valid price wins)")
            % {"value": listing.starting_price}
        )
        lines.append(
            _("Sealed bids from %(start)s until %(deadline)s, when the bids are opened")
            % {
                "start": timezone.localtime(listing.tender_starts_at).strftime("%Y-%m-%d %H:%M"),
                "deadline": timezone.localtime(listing.opening_at).strftime("%Y-%m-%d %H:%M"),
            }
        )
    else:
        lines.append(_("Starting price: %(value)s yuan") % {"value": listing.starting_price})
        lines.append(_("Increment: %(value)s yuan") % {"value": listing.increment})
    lines.append(_("Deposit: %(value)s yuan") % {"value": listing.deposit_amount})
    return "\n".join(line for line in lines if line)


@transaction.atomic
def publish_pre_disclosure(*, actor, listing: Listing) -> AuctionAnnouncement:
    """Equity whose transfer changes control: the pre-disclosure (信息预披露) is published
    first; the formal disclosure may follow once it has run the statutory 20 working days
    (32号令 第13条 (check)), which `announce_listing` checks."""
    listing = _lock(listing)
    _require_staff(actor, listing)
    if listing.category.code != "equity":
        raise refuse(_("Only equity transfers have a pre-disclosure."), "invalid", "category")
    if listing.state != Listing.State.DRAFT or listing.pre_disclosure_starts_at is not None:
        raise refuse_state(listing)
    now = timezone.now()
    listing.pre_disclosure_starts_at = now
    listing.version += 1
    listing.save(update_fields=["pre_disclosure_starts_at", "version"])
    announcement = AuctionAnnouncement.objects.create(
        listing=listing,
        kind=AuctionAnnouncement.Kind.PRE_DISCLOSURE,
        title=listing.title,
        body=_announcement_body(listing),
        published_at=now,
        category=listing.category,
        region=listing.region,
        centre=listing.centre,
    )
    log("auction.pre_disclose", listing, actor=actor, announcement=announcement.pk)
    return announcement


@transaction.atomic
def announce_listing(*, actor, listing: Listing) -> Listing:
    """Publish the transfer announcement (or the equity disclosure) now; the schedule must
    keep the statutory periods (announcement ≥ 20 days before the start for land, listing
    ≥ the statutory period, equity disclosure ≥ 20 working days)."""
    listing = (
        Listing.objects.select_for_update(of=("self",))
        .select_related("category", "method", "region", "centre")
        .get(pk=listing.pk)
    )
    _require_staff(actor, listing)
    now = timezone.now()
    if listing.pre_disclosure_starts_at and not listing.pre_disclosure_ends_at:
        listing.pre_disclosure_ends_at = now  # the formal disclosure ends the pre-disclosure
    violations = check_schedule_for(
        listing.category.code, listing.method.code, schedule_of(listing, announced_at=now)
    )
    if violations:
        raise _violations_error(violations)
    listing.announcement_published_at = now
    kind = (
        AuctionAnnouncement.Kind.DISCLOSURE
        if listing.category.code == "equity"
        else AuctionAnnouncement.Kind.TRANSFER
    )
    announcement = AuctionAnnouncement.objects.create(
        listing=listing,
        kind=kind,
        title=listing.title,
        body=_announcement_body(listing),
        published_at=now,
        category=listing.category,
        region=listing.region,
        centre=listing.centre,
    )
    return move(
        listing,
        "announce",
        actor=actor,
        update_fields=["announcement_published_at", "pre_disclosure_ends_at"],
        announcement=announcement.pk,
    )


@transaction.atomic
def record_agreement(*, actor, listing: Listing, price: Decimal) -> Listing:
    """One qualified buyer: the transfer is by agreement at no less than the listing price
    (32号令 第20–21条 (check)); its deposit is applied, the result published."""
    listing = _lock(listing)
    _require_staff(actor, listing)
    if listing.state != Listing.State.AGREEMENT:
        raise refuse_state(listing)
    price = Decimal(price)
    percent, source = rule_percent("equity.agreement_price_floor", "100")
    if not rules.is_whole_fen(price) or rules.below_share(price, listing.starting_price, percent):
        raise refuse(
            _(
                "The agreement price may not be below the listing price of %(price)s yuan "
                "(%(source)s)."
            )
            % {"price": listing.starting_price, "source": source or "32号令"},
            "below_listing_price",
            "price",
        )
    buyer = qualified_buyers(listing).select_related("entity").get()
    return conclude(
        listing,
        actor=actor,
        winner=buyer,
        price=price,
        method="agreement_transfer",
        now=timezone.now(),
    )


def _lock(listing: Listing) -> Listing:
    return (
        Listing.objects.select_for_update(of=("self",))
        .select_related("category", "method", "region", "centre")
        .get(pk=listing.pk)
    )


@transaction.atomic
def suspend_session(*, actor, listing: Listing, reason: str) -> Listing:
    """A fault interrupts the live session: bidding stops and the clock is frozen; the sweep
    never closes a suspended session (practice.md: resume or void, never close)."""
    listing = _lock(listing)
    _require_staff(actor, listing)
    if not reason.strip():
        raise refuse(_("Give the reason for the suspension."), "required", "reason")
    now = timezone.now()
    remaining = max(0, int((listing.ends_at - now).total_seconds())) if listing.ends_at else 0
    listing.suspension_reason = reason
    listing.remaining_seconds_at_suspension = remaining
    return move(
        listing,
        "suspend",
        actor=actor,
        update_fields=["suspension_reason", "remaining_seconds_at_suspension"],
        reason=reason,
        remaining_seconds=remaining,
    )


@transaction.atomic
def resume_session(*, actor, listing: Listing) -> Listing:
    """Resume after a fault: the remaining time, and at least one full period, from now."""
    listing = _lock(listing)
    _require_staff(actor, listing)
    now = timezone.now()
    remaining = timedelta(seconds=listing.remaining_seconds_at_suspension or 0)
    listing.resumed_at = now
    listing.ends_at = now + max(remaining, timedelta(minutes=listing.extension_minutes))
    return move(
        listing,
        "resume",
        actor=actor,
        update_fields=["ends_at", "resumed_at"],
        ends_at=listing.ends_at,
    )


@transaction.atomic
def void_session(*, actor, listing: Listing, reason: str) -> Listing:
    """Void an interrupted session: no result; every deposit is refunded in full."""
    listing = _lock(listing)
    _require_staff(actor, listing)
    if not reason.strip():
        raise refuse(_("Give the reason for voiding the session."), "required", "reason")
    now = timezone.now()
    listing = move(listing, "void", actor=actor, reason=reason)
    refund_all(listing, actor=actor, now=now, keep=None)
    return listing
