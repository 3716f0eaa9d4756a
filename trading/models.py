"""Sealed-bid trading: engineering tenders (工程建设项目招标投标) and government procurement
(政府采购), from registration to archive (REQUIREMENTS C3, E1, J1, J2, J4, B4, D4).

A `Project` (交易项目) has one or more `Lot`s (标段/包). Registration and the announcement
are per project; from the opening on, each lot goes its own way (a lot may fail while
another is awarded). States move only through `trading.state_machine`, which writes every
move to the trade log.

Sealed bids: a `BidSubmission` stores only an encrypted envelope (`portal.sealing`); its
price and documents exist in clear nowhere until the bidder decrypts it at the opening.
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Department


class Project(models.Model):
    """A trading project (交易项目), registered by the centre (交易登记, B4/J2)."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("submitted for registration")
        REGISTERED = "registered", _("registered")
        ANNOUNCED = "announced", _("announced")
        CLOSED = "closed", _("closed")
        ARCHIVED = "archived", _("archived")
        CANCELLED = "cancelled", _("cancelled")

    class FundingSource(models.TextChoices):
        STATE_OWNED = "state_owned", _("state-owned funds")
        STATE_FINANCING = "state_financing", _("state financing")
        FISCAL = "fiscal", _("fiscal funds")
        PRIVATE = "private", _("private funds")

    class Subject(models.TextChoices):
        WORKS = "works", _("works")
        GOODS = "goods", _("goods")
        SERVICES = "services", _("services")

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
    subject = models.CharField(_("subject"), max_length=16, choices=Subject.choices)
    funding_source = models.CharField(
        _("funding source"), max_length=32, choices=FundingSource.choices
    )
    tenderee = models.ForeignKey(
        "entities.MarketEntity",
        verbose_name=_("tenderee"),
        on_delete=models.PROTECT,
        related_name="tendered_projects",
    )
    agent = models.ForeignKey(
        "entities.MarketEntity",
        verbose_name=_("tendering agent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agented_projects",
    )
    centre = models.ForeignKey(
        "centres.Centre", verbose_name=_("centre"), on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        "centres.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    approval_number = models.CharField(_("approval document number"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    transaction_code = models.CharField(
        _("unified transaction code"), max_length=17, unique=True, null=True, blank=True
    )
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.SUBMITTED
    )
    suspended = models.BooleanField(
        _("suspended"),
        default=False,
        help_text=_("Set by the competent department pending a complaint; no step may proceed."),
    )
    suspension_reason = models.CharField(_("suspension reason"), max_length=300, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True)
    archive_manifest = models.JSONField(
        _("archive manifest"), null=True, blank=True, encoder=DjangoJSONEncoder
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("trading project")
        verbose_name_plural = _("trading projects")
        indexes = [models.Index(fields=["state", "centre"])]

    def __str__(self) -> str:
        return self.title

    @property
    def department(self) -> str:
        return self.category.supervising_department or Department.DEVELOPMENT_REFORM


class Lot(models.Model):
    """A lot (标段/包): bids, opening, evaluation and award are per lot."""

    class State(models.TextChoices):
        PREPARING = "preparing", _("preparing")
        BIDDING = "bidding", _("open for bids")
        OPENING = "opening", _("opening in progress")
        OPENED = "opened", _("opened")
        FAILED = "failed", _("failed (to be re-tendered)")
        EVALUATED = "evaluated", _("evaluated")
        PUBLICITY = "publicity", _("candidates in publicity")
        AWARDED = "awarded", _("awarded")
        CONTRACTED = "contracted", _("contract signed")
        FILED = "filed", _("filed")

    class EvaluationMethod(models.TextChoices):
        LOWEST_PRICE = "lowest_price", _("lowest evaluated price")
        COMPREHENSIVE = "comprehensive", _("comprehensive scoring")

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="lots"
    )
    number = models.PositiveSmallIntegerField(_("lot number"))
    name = models.CharField(_("name"), max_length=200)
    estimate_amount = models.DecimalField(
        _("estimate or budget (yuan)"), max_digits=16, decimal_places=2
    )
    bid_security_amount = models.DecimalField(
        _("bid security (yuan)"), max_digits=16, decimal_places=2, default=0
    )
    evaluation_method = models.CharField(
        _("evaluation method"),
        max_length=16,
        choices=EvaluationMethod.choices,
        default=EvaluationMethod.LOWEST_PRICE,
    )
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PREPARING
    )
    failure_reason = models.CharField(_("failure reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["project", "number"]
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="lot_number_unique"),
            models.CheckConstraint(
                condition=Q(estimate_amount__gt=0), name="lot_estimate_positive"
            ),
            models.CheckConstraint(
                condition=Q(bid_security_amount__gte=0), name="lot_security_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.title} · {self.number}"


class Schedule(models.Model):
    """The published schedule of a project's tender (checked against the statutory rules)."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="schedule")
    documents_issued_at = models.DateTimeField(_("documents issued from"))
    documents_sale_ends_at = models.DateTimeField(_("documents available until"))
    questions_deadline = models.DateTimeField(_("questions deadline"), null=True, blank=True)
    bid_deadline = models.DateTimeField(_("bid deadline"))
    opening_at = models.DateTimeField(_("opening time"))
    original_bid_deadline = models.DateTimeField(_("bid deadline as first announced"))

    class Meta:
        verbose_name = _("schedule")
        constraints = [
            models.CheckConstraint(
                condition=Q(opening_at__gte=F("bid_deadline")), name="opening_not_before_deadline"
            ),
            models.CheckConstraint(
                condition=Q(bid_deadline__gt=F("documents_issued_at")),
                name="deadline_after_documents",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} schedule"


class Announcement(models.Model):
    """Everything published about a project (E1): the tender announcement, clarifications and
    changes, the opening record, candidates, the result, the contract, a failure."""

    class Kind(models.TextChoices):
        TENDER = "tender", _("tender announcement")
        CLARIFICATION = "clarification", _("clarification")
        CHANGE = "change", _("change notice")
        OPENING_RECORD = "opening_record", _("bid-opening record")
        FAILURE = "failure", _("failure notice")
        CANDIDATES = "candidates", _("candidates publicity")
        RESULT = "result", _("result announcement")
        CONTRACT = "contract", _("contract publication")

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="announcements"
    )
    lot = models.ForeignKey(
        Lot,
        verbose_name=_("lot"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="announcements",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=250)
    body = models.TextField(_("text"))
    data = models.JSONField(_("structured content"), default=dict, blank=True)
    published_at = models.DateTimeField(_("published at"))
    publicity_ends_at = models.DateTimeField(_("publicity ends at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        indexes = [models.Index(fields=["kind", "-published_at"])]

    def __str__(self) -> str:
        return self.title


def tender_document_path(instance, filename: str) -> str:
    return f"tender-documents/{instance.project_id}/{instance.sha256}"


class TenderDocument(models.Model):
    """A tender (procurement) document, downloadable by anyone during the document period."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="documents")
    announcement = models.ForeignKey(
        Announcement, null=True, blank=True, on_delete=models.SET_NULL, related_name="documents"
    )
    name = models.CharField(_("file name"), max_length=200)
    file = models.FileField(upload_to=tender_document_path)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("tender document")

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    """A bidder's question about the documents (答疑); answered publicly, without the asker."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="questions")
    entity = models.ForeignKey("entities.MarketEntity", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("question"))
    asked_at = models.DateTimeField(auto_now_add=True)
    answer = models.ForeignKey(
        Announcement, null=True, blank=True, on_delete=models.SET_NULL, related_name="answers"
    )

    class Meta:
        ordering = ["asked_at"]
        verbose_name = _("question")

    def __str__(self) -> str:
        return self.text[:40]


def envelope_path(instance, filename: str) -> str:
    return f"sealed-bids/{instance.lot_id}/{instance.envelope_digest}"


class BidSubmission(models.Model):
    """A sealed bid (投标文件/响应文件) for one lot by one market entity.

    Before the opening only `envelope` (ciphertext) and the receipt exist; `price` and the
    documents' names stay empty until the bidder decrypts at the opening.
    """

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("submitted (sealed)")
        WITHDRAWN = "withdrawn", _("withdrawn")
        DECRYPTED = "decrypted", _("decrypted")
        REJECTED = "rejected", _("rejected (not decrypted)")

    class SealedBy(models.TextChoices):
        BIDDER = "bidder", _("the bidder, before uploading")
        SERVER = "server", _("the platform, on receipt")

    lot = models.ForeignKey(
        Lot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="bids"
    )
    entity = models.ForeignKey(
        "entities.MarketEntity",
        verbose_name=_("bidder"),
        on_delete=models.PROTECT,
        related_name="bids",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.SUBMITTED
    )
    envelope = models.FileField(upload_to=envelope_path)
    envelope_digest = models.CharField(
        _("envelope digest"),
        max_length=64,
        help_text=_("The cipher suite's hash of the stored file."),
    )
    envelope_size = models.PositiveBigIntegerField()
    suite = models.CharField(_("cipher suite"), max_length=32)
    receipt_digest = models.CharField(_("receipt digest"), max_length=64)
    received_at = models.DateTimeField(_("received at"))
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    device_fingerprint = models.CharField(max_length=128, blank=True)
    sealed_by = models.CharField(
        _("sealed by"),
        max_length=8,
        choices=SealedBy.choices,
        default=SealedBy.SERVER,
        help_text=_(
            "Who encrypted the bid: the bidder's own machine (the server never saw its "
            "content) or the server within the upload request."
        ),
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # Filled at the opening, once the bidder has decrypted:
    price = models.DecimalField(
        _("price (yuan)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    decrypted_at = models.DateTimeField(null=True, blank=True)
    documents_manifest = models.JSONField(default=list, blank=True)
    #: The documents' authoring metadata (author, last saved by, company…), read at the
    #: opening for the collusion screens: `trading.document_metadata`.
    documents_metadata = models.JSONField(default=list, blank=True)
    archive_wrapped = models.BooleanField(default=False)
    rejection_reason = models.CharField(max_length=300, blank=True)
    # Decided by the evaluation committee:
    qualified = models.BooleanField(null=True, blank=True)
    disqualification_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["received_at"]
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        constraints = [
            # One live bid per entity and lot; a withdrawn bid makes room for a new one.
            models.UniqueConstraint(
                fields=["lot", "entity"],
                condition=~Q(state="withdrawn"),
                name="one_live_bid_per_entity_and_lot",
            ),
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(state="decrypted"),
                name="price_only_after_decryption",
            ),
        ]

    def __str__(self) -> str:
        return f"bid #{self.pk}"


class DecryptionAttempt(models.Model):
    """Every decryption attempt with its outcome and cause, so fault is provable."""

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("decrypted")
        TEST_OK = "test_ok", _("test decryption succeeded")
        WRONG_SECRET = "wrong_secret", _("wrong secret")
        INVALID_PACKAGE = "invalid_package", _("the sealed content is not a valid bid")
        CORRUPTED = "corrupted", _("envelope corrupted")
        UNSUPPORTED_SUITE = "unsupported_suite", _("algorithm not supported")
        WRONG_ARCHIVE_KEY = "wrong_archive_key", _("wrong archive key")
        KEY_KIND_MISMATCH = "key_kind_mismatch", _("envelope opened with the wrong kind of key")
        OUTSIDE_WINDOW = "outside_window", _("outside the decryption window")

    bid = models.ForeignKey(BidSubmission, on_delete=models.PROTECT, related_name="attempts")
    attempted_at = models.DateTimeField(auto_now_add=True)
    attempted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=24, choices=Outcome.choices)
    is_test = models.BooleanField(
        default=False, help_text=_("A test decryption before the deadline.")
    )
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["attempted_at"]

    def __str__(self) -> str:
        return f"{self.bid_id} {self.outcome}"


class BidSecurity(models.Model):
    """A bid security (投标保证金) for one lot and entity, with all its movements (J3, D4)."""

    class Form(models.TextChoices):
        CASH = "cash", _("bank transfer")
        GUARANTEE = "guarantee", _("bank or insurance guarantee")

    class State(models.TextChoices):
        HELD = "held", _("held")
        REFUNDED = "refunded", _("refunded")
        APPLIED = "applied", _("applied or kept for the contract")
        FORFEITED = "forfeited", _("forfeited")

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="securities")
    entity = models.ForeignKey("entities.MarketEntity", on_delete=models.PROTECT, related_name="+")
    form = models.CharField(_("form"), max_length=16, choices=Form.choices)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=16, decimal_places=2)
    payer_account = models.CharField(_("paying account"), max_length=40, blank=True)
    guarantee_issuer = models.CharField(_("guarantee issuer"), max_length=128, blank=True)
    guarantee_number = models.CharField(_("guarantee number"), max_length=64, blank=True)
    received_at = models.DateTimeField(_("received at"))
    state = models.CharField(max_length=16, choices=State.choices, default=State.HELD)
    refunded_amount = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    refunded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("bid security")
        constraints = [
            models.UniqueConstraint(
                fields=["lot", "entity"], name="one_security_per_entity_and_lot"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="security_positive"),
            # A refund is always the full amount: no "bank fee" deducted (D4).
            models.CheckConstraint(
                condition=~Q(state="refunded") | Q(refunded_amount=F("amount")),
                name="security_refunded_in_full",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entity_id}/{self.lot_id} {self.amount}"


class DepositMovement(models.Model):
    """One movement of a bid security: received, refunded, applied, forfeited (J3)."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("received")
        REFUNDED = "refunded", _("refunded")
        APPLIED = "applied", _("applied")
        FORFEITED = "forfeited", _("forfeited")

    security = models.ForeignKey(BidSecurity, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    at = models.DateTimeField()
    account = models.CharField(max_length=40, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"


class OpeningSession(models.Model):
    """A bid opening (开标) in a booked venue, online for remote bidders."""

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        DECRYPTING = "decrypting", _("decryption in progress")
        CLOSED = "closed", _("closed")

    project = models.OneToOneField(Project, on_delete=models.PROTECT, related_name="opening")
    booking = models.OneToOneField(
        "centres.VenueBooking", on_delete=models.PROTECT, related_name="opening"
    )
    starts_at = models.DateTimeField(_("starts at"))
    decrypt_window_minutes = models.PositiveSmallIntegerField(
        _("decryption window (minutes)"), default=30
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.SCHEDULED)
    started_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    host = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("bid opening")

    def __str__(self) -> str:
        return f"{self.project} opening"


class CommitteeMember(models.Model):
    """A member of a lot's evaluation committee (评标委员会)."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="committee")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    is_expert = models.BooleanField(
        default=True, help_text=_("False for the tenderee's representative.")
    )
    is_chair = models.BooleanField(default=False)
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["lot", "user"], name="committee_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.lot_id}:{self.user_id}"


class Criterion(models.Model):
    """A weighted scoring criterion of a lot evaluated by comprehensive scoring."""

    class Kind(models.TextChoices):
        PRICE = "price", _("price")
        TECHNICAL = "technical", _("technical")
        BUSINESS = "business", _("business")
        SERVICE = "service", _("service")

    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="criteria")
    code = models.SlugField(max_length=32)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    weight = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["lot", "code"]
        constraints = [
            models.UniqueConstraint(fields=["lot", "code"], name="criterion_code_unique"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Score(models.Model):
    """One member's score of one bid on one criterion."""

    member = models.ForeignKey(CommitteeMember, on_delete=models.PROTECT, related_name="scores")
    bid = models.ForeignKey(BidSubmission, on_delete=models.PROTECT, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    value = models.DecimalField(max_digits=6, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "bid", "criterion"], name="score_once"),
            models.CheckConstraint(condition=Q(value__gte=0), name="score_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}/{self.bid_id}/{self.criterion_id}={self.value}"


class EvaluationReport(models.Model):
    """The committee's signed report (评标报告): the ranking the platform computed."""

    lot = models.OneToOneField(Lot, on_delete=models.PROTECT, related_name="report")
    method = models.CharField(max_length=16, choices=Lot.EvaluationMethod.choices)
    ranking = models.JSONField()
    completed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"report {self.lot_id}"


class Objection(models.Model):
    """An objection (异议) raised during the candidates' publicity, and its answer."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="objections")
    entity = models.ForeignKey("entities.MarketEntity", on_delete=models.PROTECT, related_name="+")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("objection"))
    raised_at = models.DateTimeField()
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["raised_at"]

    def __str__(self) -> str:
        return self.text[:40]


class Award(models.Model):
    """The award (中标/成交) of a lot; any choice but the first candidate needs a reason."""

    lot = models.OneToOneField(Lot, on_delete=models.PROTECT, related_name="award")
    bid = models.OneToOneField(BidSubmission, on_delete=models.PROTECT, related_name="award")
    candidate_rank = models.PositiveSmallIntegerField()
    reason = models.TextField(blank=True)
    awarded_at = models.DateTimeField()
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(candidate_rank=1) | ~Q(reason=""),
                name="award_other_than_first_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"award {self.lot_id}"


class Contract(models.Model):
    """The contract (合同) and its key terms, published (E1)."""

    lot = models.OneToOneField(Lot, on_delete=models.PROTECT, related_name="contract")
    award = models.OneToOneField(Award, on_delete=models.PROTECT, related_name="contract")
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    signed_at = models.DateTimeField()
    duration_days = models.PositiveIntegerField(null=True, blank=True)
    key_terms = models.TextField(blank=True)
    filed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"contract {self.lot_id}"


class PerformanceRecord(models.Model):
    """Contract performance information (履约信息), published (E1)."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="performance")
    recorded_at = models.DateTimeField()
    milestone = models.CharField(max_length=100)
    description = models.TextField()
    amount_paid = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["recorded_at"]

    def __str__(self) -> str:
        return self.milestone
