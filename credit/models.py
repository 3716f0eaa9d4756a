"""The credit registry (信用): one credit file per market entity, keyed by its unified social
credit code (G1), with the measures derived from it (G2, G3) and the competence to record.

- `CreditRecord`: a fact about an entity — an administrative penalty, platform misconduct,
  a court judgment, an honour, a performance record — with the authority, the legal basis,
  the decision number, its validity and whether it is public (E2).
- `Measure`: what follows from a record (a market ban, a restriction, a higher or reduced
  bid security, the negative list, the red list), with its scope and its validity.
- `MeasureScope`: one row per category in a measure's scope, carrying the uscc, the region
  and the validity, so that "may X trade now?" is one indexed query (`selectors`).
- `MeasureType`, `CompetenceRule`: the rules as data, each with its legal source.
- `CreditRepair` (信用修复): a recorded decision that shortens a measure.
- `EvidenceDocument`: the documents a record rests on, with their SHA-256 digests.
- `CreditImport`: one bulk load from another credit platform, with its per-row report.

Records are keyed by the code, not by a foreign key to `MarketEntity`: a ban loaded from the
national credit platform applies the moment the entity registers here, and a record keeps
the party's name as the decision wrote it.

Time: `valid_from` is the first second a record or measure applies, `valid_to` the last
(decisions read "自…起至…止"); both are whole seconds, stored in UTC. See `credit.rules`.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.accounts.models import Department


class RecordKind(models.TextChoices):
    ADMINISTRATIVE_PENALTY = "administrative_penalty", _("administrative penalty")
    PLATFORM_MISCONDUCT = "platform_misconduct", _("misconduct on the platform")
    COURT_JUDGMENT = "court_judgment", _("court judgment")
    HONOUR = "honour", _("honour or reward")
    PERFORMANCE = "performance", _("contract performance record")


#: Kinds that only ever speak against an entity; they need a severity.
NEGATIVE_KINDS = (
    RecordKind.ADMINISTRATIVE_PENALTY,
    RecordKind.PLATFORM_MISCONDUCT,
    RecordKind.COURT_JUDGMENT,
)


class Severity(models.TextChoices):
    """How grave the conduct is (一般/较重/严重失信); `none` for honours and good performance."""

    NONE = "none", _("not applicable (good conduct)")
    GENERAL = "general", _("general")
    SERIOUS = "serious", _("serious")
    SEVERE = "severe", _("severe")


class Effect(models.TextChoices):
    """What a measure does when an entity asks to trade within its scope."""

    REFUSE = "refuse", _("not eligible to take part")
    RAISE_SECURITY = "raise_security", _("higher bid security")
    REDUCE_SECURITY = "reduce_security", _("reduced bid security")


class MeasureType(models.Model):
    """A kind of measure (惩戒或激励措施) with its legal source: rules as data, seeded by a data
    migration and corrected by the platform administrator (with history)."""

    code = models.SlugField(_("code"), max_length=48, unique=True)
    name = models.CharField(_("name"), max_length=64)
    effect = models.CharField(_("effect"), max_length=16, choices=Effect.choices)
    security_percent = models.DecimalField(
        _("bid security change (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "For a security measure: +50 raises the lot's bid security by half, -50 halves it. "
            "Trading caps the result at the legal maximum."
        ),
    )
    max_months = models.PositiveSmallIntegerField(
        _("longest period (months)"),
        null=True,
        blank=True,
        help_text=_("Empty: the law sets no longest period, and a measure may have no end."),
    )
    published_list = models.BooleanField(
        _("on the public list"),
        default=False,
        help_text=_(
            "Entities under this measure are listed publicly (market bans, negative list)."
        ),
    )
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("legal source"), max_length=300)
    needs_confirmation = models.BooleanField(_("to be confirmed"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    ordering = models.PositiveSmallIntegerField(_("ordering"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["ordering", "code"]
        verbose_name = _("measure type")
        verbose_name_plural = _("measure types")
        constraints = [
            models.CheckConstraint(
                condition=Q(effect="refuse", security_percent__isnull=True)
                | Q(effect="raise_security", security_percent__gt=0)
                | Q(effect="reduce_security", security_percent__lt=0, security_percent__gte=-100),
                name="measure_type_percent_matches_effect",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CompetenceRule(models.Model):
    """Which department may record credit information for a category (H2), with its source.

    A rule for a category covers its subtypes (land and mining under land_mining). A rule
    with no category grants measures across every category (joint punishment, 联合惩戒),
    not records in any category.
    """

    category = models.ForeignKey(
        "catalog.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: measures in every category (joint punishment)."),
    )
    department = models.CharField(_("department"), max_length=32, choices=Department.choices)
    source = models.CharField(_("legal source"), max_length=300)
    needs_confirmation = models.BooleanField(_("to be confirmed"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["category__ordering", "department"]
        verbose_name = _("competence rule")
        verbose_name_plural = _("competence rules")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "department"],
                condition=Q(category__isnull=False),
                name="competence_rule_unique",
            ),
            models.UniqueConstraint(
                fields=["department"],
                condition=Q(category__isnull=True),
                name="competence_rule_joint_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category or '*'} · {self.get_department_display()}"


class CreditImport(models.Model):
    """One bulk load of records from another credit platform (G1), with its report."""

    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("records created"), default=0)
    unchanged = models.PositiveIntegerField(_("rows already loaded"), default=0)
    rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    report = models.JSONField(_("report"), default=list)

    class Meta:
        ordering = ["-imported_at"]
        verbose_name = _("credit import")
        verbose_name_plural = _("credit imports")

    def __str__(self) -> str:
        return f"{self.file_name or self.sha256[:12]} ({self.imported_at:%Y-%m-%d %H:%M})"


class CreditRecord(models.Model):
    """One entry of an entity's credit file (信用记录)."""

    class Source(models.TextChoices):
        PLATFORM = "platform", _("recorded on this platform")
        IMPORT = "import", _("loaded from another credit platform")

    uscc = models.CharField(_("unified social credit code"), max_length=18, db_index=True)
    entity_name = models.CharField(
        _("name of the party"),
        max_length=200,
        help_text=_("As the decision names it; names change, the code does not."),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=RecordKind.choices)
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices)
    category = models.ForeignKey(
        "catalog.Category",
        verbose_name=_("trading category"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The category of trading the record concerns; it decides who may record."),
    )
    region = models.ForeignKey(
        "centres.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Where the conduct took place, or the entity's registered region."),
    )
    authority = models.CharField(_("deciding authority"), max_length=128)
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    decision_no = models.CharField(_("decision number"), max_length=128)
    reason = models.TextField(_("facts and reasons"))
    valid_from = models.DateTimeField(_("valid from"))
    valid_to = models.DateTimeField(
        _("valid to"),
        null=True,
        blank=True,
        help_text=_("The last second it is valid; empty: no end date."),
    )
    public = models.BooleanField(
        _("public"),
        default=True,
        help_text=_("Public records are shown on the entity's public credit page (E2)."),
    )
    external_id = models.CharField(
        _("external id"),
        max_length=128,
        blank=True,
        help_text=_("The record's id on the credit platform it came from."),
    )
    source = models.CharField(
        _("source"), max_length=16, choices=Source.choices, default=Source.PLATFORM
    )
    credit_import = models.ForeignKey(
        CreditImport,
        verbose_name=_("import"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="records",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-valid_from", "-pk"]
        verbose_name = _("credit record")
        verbose_name_plural = _("credit records")
        constraints = [
            models.UniqueConstraint(
                fields=["uscc", "authority", "decision_no"], name="credit_record_decision_unique"
            ),
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="credit_record_external_id_unique",
            ),
            models.CheckConstraint(
                condition=Q(uscc__regex=r"^[0-9A-HJ-NPQRTUWXY]{18}$"),
                name="credit_record_uscc_charset",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="credit_record_valid_range",
            ),
            # Penalties, misconduct and judgments have a severity; an honour has none.
            models.CheckConstraint(
                condition=Q(
                    kind__in=[kind.value for kind in NEGATIVE_KINDS],
                    severity__in=[
                        Severity.GENERAL.value,
                        Severity.SERIOUS.value,
                        Severity.SEVERE.value,
                    ],
                )
                | Q(kind=RecordKind.HONOUR.value, severity=Severity.NONE.value)
                | Q(kind=RecordKind.PERFORMANCE.value),
                name="credit_record_severity_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(source="import", credit_import__isnull=False)
                | Q(source="platform", credit_import__isnull=True),
                name="credit_record_import_matches_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision_no} · {self.entity_name}"

    @property
    def is_reward(self) -> bool:
        return self.severity == Severity.NONE


def evidence_path(instance: "EvidenceDocument", filename: str) -> str:
    # Content-addressed: the same document stored twice is one file.
    return f"credit-evidence/{instance.sha256[:2]}/{instance.sha256}"


class EvidenceDocument(models.Model):
    """A document a record rests on (the decision, the judgment), with its SHA-256 digest."""

    record = models.ForeignKey(
        CreditRecord,
        verbose_name=_("credit record"),
        on_delete=models.PROTECT,
        related_name="evidence",
    )
    name = models.CharField(_("file name"), max_length=200)
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("evidence document")
        verbose_name_plural = _("evidence documents")
        constraints = [
            models.UniqueConstraint(fields=["record", "sha256"], name="evidence_once_per_record"),
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="evidence_sha256_format"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Measure(models.Model):
    """A measure derived from a record (惩戒/激励措施): its type, scope and validity.

    The scope is a region (with its sub-regions; empty: everywhere on the platform) and the
    categories held by its `scopes` rows. The effect and the security change are copied from
    the type when the measure is decided: a later edit of the type does not change a decision.
    """

    record = models.ForeignKey(
        CreditRecord,
        verbose_name=_("credit record"),
        on_delete=models.PROTECT,
        related_name="measures",
    )
    uscc = models.CharField(_("unified social credit code"), max_length=18)
    measure_type = models.ForeignKey(
        MeasureType, verbose_name=_("measure"), on_delete=models.PROTECT, related_name="+"
    )
    effect = models.CharField(_("effect"), max_length=16, choices=Effect.choices)
    security_percent = models.DecimalField(
        _("bid security change (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    region = models.ForeignKey(
        "centres.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The measure applies in this region and its sub-regions; empty: everywhere."),
    )
    all_categories = models.BooleanField(_("every category"), default=False)
    valid_from = models.DateTimeField(_("valid from"))
    valid_to = models.DateTimeField(_("valid to"), null=True, blank=True)
    decided_valid_to = models.DateTimeField(
        _("end as decided"),
        null=True,
        blank=True,
        help_text=_("The end before any credit repair shortened it."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["valid_from", "pk"]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="measure_valid_range",
            ),
            models.CheckConstraint(
                condition=Q(decided_valid_to__isnull=True)
                | Q(valid_to__isnull=False, valid_to__lte=F("decided_valid_to")),
                name="measure_repair_only_shortens",
            ),
        ]
        indexes = [models.Index(fields=["uscc", "valid_to"], name="credit_measure_uscc")]

    def __str__(self) -> str:
        return f"{self.measure_type} · {self.record.decision_no}"


class MeasureScope(models.Model):
    """Where and when a measure applies: one row per category in its scope (no category:
    every category), with the measure's code, region and validity copied.

    This is the table the eligibility query reads (see `credit.selectors`). Services write it
    in the same transaction as the measure; an open end is stored as `rules.OPEN_END` so that
    "still in force at T" is one range condition an index can serve.
    """

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="scopes")
    uscc = models.CharField(max_length=18)
    effect = models.CharField(max_length=16, choices=Effect.choices)
    category = models.ForeignKey(
        "catalog.Category", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        "centres.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField()

    class Meta:
        verbose_name = _("measure scope")
        verbose_name_plural = _("measure scopes")
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "category"],
                condition=Q(category__isnull=False),
                name="measure_scope_category_once",
            ),
            models.UniqueConstraint(
                fields=["measure"],
                condition=Q(category__isnull=True),
                name="measure_scope_every_category_once",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__gte=F("valid_from")), name="measure_scope_valid_range"
            ),
        ]
        indexes = [
            # Equality on the code and the effect, then the range on the end: the planner
            # reads only the entity's measures that have not ended (measured in bench/).
            models.Index(fields=["uscc", "effect", "valid_to"], name="credit_scope_lookup"),
        ]

    def __str__(self) -> str:
        return f"{self.uscc} {self.effect} {self.category_id or '*'} {self.region_id or '*'}"


class CreditRepair(models.Model):
    """Credit repair (信用修复): a decision that ends a measure early, recorded as decided."""

    measure = models.ForeignKey(
        Measure, verbose_name=_("measure"), on_delete=models.PROTECT, related_name="repairs"
    )
    decision_no = models.CharField(_("repair decision number"), max_length=128)
    authority = models.CharField(_("deciding authority"), max_length=128)
    decided_on = models.DateField(_("decided on"))
    reason = models.TextField(_("reason"))
    previous_valid_to = models.DateTimeField(_("previous end"), null=True, blank=True)
    new_valid_to = models.DateTimeField(_("new end"))
    repaired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    repaired_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["repaired_at", "pk"]
        verbose_name = _("credit repair")
        verbose_name_plural = _("credit repairs")
        constraints = [
            models.CheckConstraint(
                condition=Q(previous_valid_to__isnull=True)
                | Q(new_valid_to__lt=F("previous_valid_to")),
                name="credit_repair_shortens",
            ),
        ]

    def __str__(self) -> str:
        return self.decision_no
