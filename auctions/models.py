"""Land-use rights, mining rights and state-owned equity: listing (挂牌), live online
auctions (拍卖/网络竞价) and agreement transfers (协议转让), with deposits (A1, J1, J3, J4, B2).

A `Listing` (出让/转让标的) is one lot offered by a transferor through a centre. Bidders
register (`Registration`, each with a bidder number 竞买号 that hides its identity from the
others), pay a deposit (`DepositMovement`, append-only) and bid (`Bid`, append-only). The
outcome is always computed from the bid log (`auctions.rules`), never from a counter: the
denormalised current price on the listing row is a cache kept in the bid's transaction.

States move only through `auctions.state_machine`.
"""

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class IncrementRule(models.TextChoices):
    """How a bid must relate to the current highest (announced with the listing)."""

    AT_LEAST = "at_least", _("at least one increment above the current price")
    EXACTLY = "exactly", _("exactly one increment above the current price")


class Listing(models.Model):
    """A lot offered for land-use rights, mining rights or state-owned equity."""

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        ANNOUNCED = "announced", _("announced (registration open)")
        LISTING = "listing", _("listing period")
        REVIEW = "review", _("qualification review")
        TENDER = "tender", _("tender: sealed bids accepted")
        OPENING = "opening", _("bid opening: bidders decrypt")
        LIVE = "live", _("live auction")
        SUSPENDED = "suspended", _("suspended by a fault")
        AGREEMENT = "agreement", _("agreement transfer")
        SOLD = "sold", _("sold")
        FAILED = "failed", _("failed")
        VOIDED = "voided", _("voided")

    title = models.CharField(_("title"), max_length=200)
    category = models.ForeignKey(
        "catalog.Category", verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    method = models.ForeignKey(
        "catalog.TradingMethod",
        verbose_name=_("trading method"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    transferor = models.ForeignKey(
        "entities.MarketEntity",
        verbose_name=_("transferor"),
        on_delete=models.PROTECT,
        related_name="auction_listings",
    )
    centre = models.ForeignKey(
        "centres.Centre", verbose_name=_("centre"), on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        "centres.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    transaction_code = models.CharField(
        _("unified transaction code"), max_length=17, unique=True, null=True, blank=True
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.DRAFT)
    description = models.TextField(_("description"), blank=True)

    # Land-use right (国有建设用地使用权) details.
    location = models.CharField(_("location"), max_length=200, blank=True)
    area_sqm = models.DecimalField(
        _("area (m²)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    land_use = models.CharField(_("land use"), max_length=64, blank=True)
    term_years = models.PositiveSmallIntegerField(_("term (years)"), null=True, blank=True)
    plot_ratio = models.CharField(_("plot ratio"), max_length=32, blank=True)
    # Mining right (矿业权) details.
    mineral = models.CharField(_("mineral"), max_length=64, blank=True)
    mining_area_sqkm = models.DecimalField(
        _("mining area (km²)"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    mining_licence_kind = models.CharField(
        _("right (exploration or mining)"), max_length=32, blank=True
    )
    # State-owned equity (企业国有产权) details.
    target_company = models.CharField(_("target company"), max_length=200, blank=True)
    share_percent = models.DecimalField(
        _("share transferred (%)"), max_digits=7, decimal_places=4, null=True, blank=True
    )
    appraised_value = models.DecimalField(
        _("appraised value (yuan)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    below_appraisal_approval = models.CharField(
        _("approval of a price below 90 percent of the appraised value"),
        max_length=200,
        blank=True,
        help_text=_("Document number of the written approval (32号令 第18条)."),
    )

    # Prices, in yuan, exact to the fen.
    starting_price = models.DecimalField(_("starting price"), max_digits=18, decimal_places=2)
    reserve_price = models.DecimalField(
        _("reserve price (secret)"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Secret until the result (39号令 第10条); empty: no reserve."),
    )
    increment = models.DecimalField(_("increment"), max_digits=18, decimal_places=2)
    increment_rule = models.CharField(
        _("increment rule"),
        max_length=16,
        choices=IncrementRule.choices,
        default=IncrementRule.AT_LEAST,
    )
    deposit_amount = models.DecimalField(_("deposit"), max_digits=18, decimal_places=2)
    extension_minutes = models.PositiveSmallIntegerField(
        _("time-limited bidding period (minutes)"),
        default=5,
        help_text=_("A bid in the last N minutes extends the end to N minutes after it."),
    )

    # The schedule (UTC). For equity, the listing period is the formal disclosure.
    announcement_published_at = models.DateTimeField(
        _("announcement published at"), null=True, blank=True
    )
    pre_disclosure_starts_at = models.DateTimeField(
        _("pre-disclosure starts at"), null=True, blank=True
    )
    pre_disclosure_ends_at = models.DateTimeField(
        _("pre-disclosure ends at"), null=True, blank=True
    )
    registration_ends_at = models.DateTimeField(_("registration ends at"))
    listing_starts_at = models.DateTimeField(_("listing starts at"), null=True, blank=True)
    listing_ends_at = models.DateTimeField(_("listing ends at"), null=True, blank=True)
    auction_starts_at = models.DateTimeField(_("live auction starts at"), null=True, blank=True)
    # A tender (招标出让, 39号令(国土) 第13条): sealed bids from `tender_starts_at` until the
    # deadline, which is the opening (开标); at the opening each bidder decrypts its own bid
    # within the window; `opening_closes_at` is set when the centre's staff open the bids.
    tender_starts_at = models.DateTimeField(_("tender starts at"), null=True, blank=True)
    opening_at = models.DateTimeField(
        _("bid deadline and opening at"),
        null=True,
        blank=True,
        help_text=_("Sealed bids are accepted until this instant; the bids are opened at it."),
    )
    decrypt_window_minutes = models.PositiveSmallIntegerField(
        _("decryption window (minutes)"),
        default=30,
        help_text=_("At the opening, each bidder decrypts its own bid within this window."),
    )
    opening_closes_at = models.DateTimeField(
        _("decryption window closes at"), null=True, blank=True
    )
    scheduled_ends_at = models.DateTimeField(
        _("free bidding period ends at"),
        null=True,
        blank=True,
        help_text=_("Announced end of an auction before any extension; never changes."),
    )
    ends_at = models.DateTimeField(
        _("bidding ends at"),
        null=True,
        blank=True,
        help_text=_("Moves forward with each bid in the last period (same transaction)."),
    )

    # The live state, a cache of the bid log kept under the row lock.
    current_price = models.DecimalField(
        _("current price"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    leader = models.ForeignKey(
        "auctions.Registration",
        verbose_name=_("current leader"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    bid_count = models.PositiveIntegerField(_("bids"), default=0)
    version = models.PositiveIntegerField(default=0, help_text=_("Bumped on every change."))

    # The result (成交确认书).
    winner = models.ForeignKey(
        "auctions.Registration",
        verbose_name=_("winner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    final_price = models.DecimalField(
        _("final price"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    result_method = models.CharField(_("result by"), max_length=32, blank=True)
    result_at = models.DateTimeField(_("result at"), null=True, blank=True)
    result_note = models.CharField(_("result note"), max_length=300, blank=True)
    confirmation_number = models.CharField(
        _("confirmation number"), max_length=40, blank=True, unique=False
    )
    suspension_reason = models.CharField(_("suspension reason"), max_length=300, blank=True)
    remaining_seconds_at_suspension = models.PositiveIntegerField(null=True, blank=True)
    resumed_at = models.DateTimeField(
        _("resumed at"),
        null=True,
        blank=True,
        help_text=_("The last resumption after a fault: the live end is counted anew from it."),
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("auction listing")
        verbose_name_plural = _("auction listings")
        indexes = [
            models.Index(fields=["state", "listing_starts_at"]),
            models.Index(fields=["state", "auction_starts_at"]),
            models.Index(fields=["state", "listing_ends_at"]),
            models.Index(fields=["state", "ends_at"]),
            models.Index(fields=["state", "tender_starts_at"]),
            models.Index(fields=["state", "opening_closes_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(starting_price__gte=0), name="auction_starting_price_not_negative"
            ),
            models.CheckConstraint(condition=Q(increment__gt=0), name="auction_increment_positive"),
            models.CheckConstraint(
                condition=Q(deposit_amount__gte=0), name="auction_deposit_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(extension_minutes__gte=1), name="auction_extension_positive"
            ),
            models.CheckConstraint(
                condition=Q(decrypt_window_minutes__gte=5, decrypt_window_minutes__lte=240),
                name="auction_decrypt_window_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_equity(self) -> bool:
        return self.category.code == "equity"

    @property
    def is_tender(self) -> bool:
        return self.method.code == "tender"

    @property
    def has_result(self) -> bool:
        return self.state in {self.State.SOLD, self.State.FAILED}


class Registration(models.Model):
    """A bidder's registration (竞买申请 / 意向受让登记) with its bidder number (竞买号)."""

    class DepositState(models.TextChoices):
        PENDING = "pending", _("awaiting the deposit")
        CONFIRMED = "confirmed", _("deposit received")
        REFUNDED = "refunded", _("deposit refunded")
        APPLIED = "applied", _("deposit applied to the price")

    class QualificationState(models.TextChoices):
        """The staff's decision on an intended buyer's qualifications (资格审核)."""

        PENDING = "pending", _("not reviewed")
        QUALIFIED = "qualified", _("qualified")
        NOT_QUALIFIED = "not_qualified", _("not qualified")

    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="registrations")
    entity = models.ForeignKey(
        "entities.MarketEntity", on_delete=models.PROTECT, related_name="auction_registrations"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("bidder number"), max_length=8)
    qualifications = models.TextField(_("qualifications"), blank=True)
    deposit_state = models.CharField(
        _("deposit"), max_length=16, choices=DepositState.choices, default=DepositState.PENDING
    )
    deposit_confirmed_at = models.DateTimeField(null=True, blank=True)
    refund_due_on = models.DateField(_("refund due by"), null=True, blank=True)
    registered_at = models.DateTimeField(_("registered at"))

    # Equity: the centre's staff review each intended buyer's qualifications at the end of
    # the disclosure (意向受让方资格审核, 32号令 第20–21条 (check)); only qualified buyers with
    # a deposit received count and bid. Land and mining registrations are not reviewed here.
    qualification_state = models.CharField(
        _("qualification"),
        max_length=16,
        choices=QualificationState.choices,
        default=QualificationState.PENDING,
    )
    qualification_reason = models.TextField(_("reason of the decision"), blank=True)
    qualification_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    qualification_reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        ordering = ["listing", "number"]
        verbose_name = _("bidder registration")
        constraints = [
            # A refusal always says why; a decision always says who and when.
            models.CheckConstraint(
                condition=~Q(qualification_state="not_qualified") | ~Q(qualification_reason=""),
                name="auction_refusal_has_a_reason",
            ),
            models.CheckConstraint(
                condition=Q(qualification_state="pending")
                | Q(
                    qualification_reviewed_at__isnull=False, qualification_reviewed_by__isnull=False
                ),
                name="auction_decision_has_reviewer",
            ),
            models.UniqueConstraint(
                fields=["listing", "entity"], name="auction_one_registration_per_entity"
            ),
            models.UniqueConstraint(
                fields=["listing", "number"], name="auction_bidder_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.listing_id}#{self.number}"


class Bid(models.Model):
    """One accepted bid (出价), append-only: the log the outcome is computed from."""

    class Phase(models.TextChoices):
        LISTING = "listing", _("listing period")
        LIVE = "live", _("live auction")

    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="bids")
    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="bids")
    sequence = models.PositiveIntegerField(_("sequence"))
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)
    phase = models.CharField(max_length=8, choices=Phase.choices)
    placed_at = models.DateTimeField(_("placed at"))
    ends_at_after = models.DateTimeField(_("end after this bid"), null=True, blank=True)

    class Meta:
        ordering = ["listing", "sequence"]
        verbose_name = _("bid")
        constraints = [
            models.UniqueConstraint(fields=["listing", "sequence"], name="auction_bid_sequence"),
            # No two accepted bids on a lot share a price: the database says so too.
            models.UniqueConstraint(fields=["listing", "amount"], name="auction_bid_price_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="auction_bid_positive"),
        ]
        triggers = [
            pgtrigger.Protect(
                name="auction_bid_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"{self.listing_id}/{self.sequence}: {self.amount}"


class TenderBid(models.Model):
    """A sealed price bid (投标书) in a land or mining tender: one per registration, put in the
    bid box before the deadline and never withdrawn or replaced (39号令(国土) 第13条: 标书投入
    标箱后，不可撤回).

    Before the opening the row holds only the envelope (`portal.sealing`: the price sealed
    under a key derived from the bidder's passphrase, which is never stored), its digest, and
    the digest of the bidder's receipt: nobody with the database can read the price. The
    price is written when the bidder decrypts its bid at the opening. The envelope, digests
    and receipt time are read-only in the database and a bid is never deleted."""

    class State(models.TextChoices):
        SEALED = "sealed", _("sealed")
        DECRYPTED = "decrypted", _("decrypted")
        INVALID = "invalid", _("invalid")

    class SealedBy(models.TextChoices):
        """Where the envelope was sealed: by the server in the submission request, or on the
        bidder's machine (the server never saw the price); a package that does not open as
        this bid is then the bidder's failure."""

        SERVER = "server", _("the platform, at submission")
        BIDDER = "bidder", _("the bidder's own machine")

    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="tender_bids")
    registration = models.OneToOneField(
        Registration, on_delete=models.PROTECT, related_name="tender_bid"
    )
    envelope = models.BinaryField(_("sealed envelope"))
    envelope_digest = models.CharField(_("envelope digest"), max_length=64)
    receipt_digest = models.CharField(_("receipt digest"), max_length=64)
    suite = models.CharField(_("cipher suite"), max_length=32)
    sealed_by = models.CharField(
        _("sealed by"), max_length=8, choices=SealedBy.choices, default=SealedBy.SERVER
    )
    received_at = models.DateTimeField(_("received at"))
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.SEALED)
    price = models.DecimalField(_("price"), max_digits=18, decimal_places=2, null=True, blank=True)
    decrypted_at = models.DateTimeField(_("decrypted at"), null=True, blank=True)
    last_failure = models.CharField(
        _("cause of the last failed decryption"), max_length=32, blank=True
    )
    invalid_reason = models.CharField(_("why invalid"), max_length=300, blank=True)

    class Meta:
        ordering = ["listing", "received_at", "pk"]
        verbose_name = _("sealed tender bid")
        constraints = [
            # The price exists only once decrypted (a sealed bid holds none in the clear).
            models.CheckConstraint(
                condition=Q(state="sealed", price__isnull=True) | ~Q(state="sealed"),
                name="auction_sealed_bid_has_no_price",
            ),
            models.CheckConstraint(
                condition=~Q(state="decrypted") | Q(price__gt=0, decrypted_at__isnull=False),
                name="auction_decrypted_bid_has_price",
            ),
        ]
        triggers = [
            pgtrigger.Protect(name="auction_tender_bid_kept", operation=pgtrigger.Delete),
            pgtrigger.ReadOnly(
                name="auction_tender_bid_sealed_fields",
                fields=[
                    "listing",
                    "registration",
                    "envelope",
                    "envelope_digest",
                    "receipt_digest",
                    "suite",
                    "sealed_by",
                    "received_at",
                ],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.listing_id}/{self.registration_id}: {self.state}"


class DepositMovement(models.Model):
    """One movement of a bidder's deposit, append-only (J3, D4): a registration's movements
    sum to zero once it is settled (received = refunded + applied), never reduced by fees."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("received")
        REFUNDED = "refunded", _("refunded")
        APPLIED = "applied", _("applied to the price")

    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, related_name="deposit_movements"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    amount = models.DecimalField(max_digits=18, decimal_places=2)
    at = models.DateTimeField()
    reference = models.CharField(_("bank reference"), max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("deposit movement")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="auction_deposit_positive"),
            models.UniqueConstraint(
                fields=["registration", "kind"], name="auction_deposit_one_movement_per_kind"
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="auction_deposit_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"


class AuctionAnnouncement(models.Model):
    """An announcement of the auctions app (出让公告, 信息披露, 结果公告): plain, indexed
    fields so the public portal's search can index it alongside trading's."""

    class Kind(models.TextChoices):
        TRANSFER = "transfer", _("transfer announcement")
        PRE_DISCLOSURE = "pre_disclosure", _("pre-disclosure")
        DISCLOSURE = "disclosure", _("information disclosure")
        RESULT = "result", _("result announcement")
        FAILURE = "failure", _("failure announcement")

    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="announcements")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    published_at = models.DateTimeField(_("published at"), db_index=True)
    category = models.ForeignKey(
        "catalog.Category", verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        "centres.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    centre = models.ForeignKey(
        "centres.Centre", verbose_name=_("centre"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-published_at"]
        verbose_name = _("auction announcement")
        indexes = [models.Index(fields=["category", "region", "-published_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["listing", "kind"], name="auction_one_announcement_per_kind"
            )
        ]

    def __str__(self) -> str:
        return self.title
