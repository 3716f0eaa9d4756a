"""The trading catalog (公共资源交易目录) and the reference data every trade is checked against.

- `Category`, `TradingMethod`: what the platform trades and how (A1). A new public resource
  (emission rights, forest rights, …) is a row, not code (A2).
- `CatalogEntry`: what must trade on the platform and what may opt in (A3, A4).
- `StatutoryRule`: the numbers of the law, one row each with its legal source, read by
  `catalog.rules.check_schedule` and by other apps through their `code` (J4).
- `HolidayCalendarDay`, `HolidayCalendarYear`: the State Council's holiday arrangements,
  so that "N working days" means what the law means (民法典 第201–203条).
- `FeeStandard`: service fees per category, graded per lot (按宗分级, I1).
- `TransactionCodeCounter`: the sequence behind the unified transaction code (C1), see
  `catalog.transaction_codes`.

All of it is administered data: a correction of a number is a data change, with its
history kept (django-simple-history), never a code change.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from catalog.fees import FeeTierError, parse_tiers
from catalog.rules import describe_value
from portal.accounts.models import Department


class Category(models.Model):
    """A category of public resource trading (交易类别), or a subtype of one (land, mining)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=128)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subtypes",
    )
    transaction_code_letter = models.CharField(
        _("transaction code letter"),
        max_length=1,
        help_text=_(
            "First letter of the unified transaction code: A engineering, B goods, "
            "C services, D property rights, E land and mining."
        ),
    )
    alternative_code_letters = models.CharField(
        _("alternative code letters"),
        max_length=8,
        blank=True,
        help_text=_("Other letters a lot of this category may take, e.g. C for services."),
    )
    supervising_department = models.CharField(
        _("supervising department"), max_length=32, choices=Department.choices
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    ordering = models.PositiveSmallIntegerField(_("ordering"), default=0)

    class Meta:
        ordering = ["ordering", "code"]
        verbose_name = _("trading category")
        verbose_name_plural = _("trading categories")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[a-z][a-z0-9_]*$"), name="category_code_format"
            ),
            models.CheckConstraint(
                condition=Q(transaction_code_letter__regex=r"^[A-Z]$"),
                name="category_code_letter_format",
            ),
            models.CheckConstraint(
                condition=Q(alternative_code_letters__regex=r"^[A-Z]*$"),
                name="category_alternative_letters_format",
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | ~Q(parent=F("pk")),
                name="category_not_own_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def code_letters(self) -> str:
        """Every letter a transaction code of this category may start with, default first."""
        return self.transaction_code_letter + self.alternative_code_letters


class TradingMethod(models.Model):
    """A trading method (交易方式): open tender, auction, listing, single source, …"""

    code = models.SlugField(_("code"), max_length=48, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=64)
    categories = models.ManyToManyField(
        Category, verbose_name=_("categories"), related_name="methods", blank=True
    )
    public_opening = models.BooleanField(
        _("public opening"),
        default=False,
        help_text=_(
            "Bids are opened in public and the opening record is published (tenders). "
            "Negotiation, consultation, inquiry and single source have none: the panel opens "
            "the responses."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    ordering = models.PositiveSmallIntegerField(_("ordering"), default=0)

    class Meta:
        ordering = ["ordering", "code"]
        verbose_name = _("trading method")
        verbose_name_plural = _("trading methods")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[a-z][a-z0-9_]*$"), name="trading_method_code_format"
            ),
        ]

    def __str__(self) -> str:
        return self.name_zh


class FundingSource(models.TextChoices):
    """Where a project's money comes from: it decides whether tendering is compulsory."""

    STATE_OWNED = "state_owned", _("state-owned funds")
    STATE_FINANCING = "state_financing", _("state financing")
    FISCAL = "fiscal", _("fiscal funds")
    ANY = "any", _("any source")


class CatalogEntry(models.Model):
    """A line of the trading catalog (A3): a kind of project that must trade on the platform
    (`mandatory`, 场外无交易, A4) or may opt in (private investment, uncatalogued items).

    An entry matches a project of its category (or a subtype), of its subject kind, paid
    from its funding source (`any` matches every source) and worth at least its minimum.
    """

    code = models.CharField(_("code"), max_length=100, unique=True)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="entries"
    )
    subject_kind = models.SlugField(
        _("subject kind"),
        max_length=48,
        blank=True,
        help_text=_("e.g. construction, goods_services, land_use_right; empty matches any."),
    )
    subject = models.TextField(_("subject"))
    funding_source = models.CharField(
        _("funding source"), max_length=32, choices=FundingSource.choices, default=FundingSource.ANY
    )
    minimum_amount = models.DecimalField(
        _("minimum amount (yuan)"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty: whatever the amount."),
    )
    mandatory = models.BooleanField(
        _("must trade on the platform"),
        default=True,
        help_text=_("Unticked: the project may opt in to trade on the platform."),
    )
    required_method = models.ForeignKey(
        TradingMethod,
        verbose_name=_("required method"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source = models.CharField(_("legal source"), max_length=200)
    needs_confirmation = models.BooleanField(_("to be confirmed"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    ordering = models.PositiveSmallIntegerField(_("ordering"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["category__ordering", "ordering", "code"]
        verbose_name = _("catalog entry")
        verbose_name_plural = _("catalog entries")
        constraints = [
            models.CheckConstraint(
                condition=Q(minimum_amount__isnull=True) | Q(minimum_amount__gte=0),
                name="catalog_entry_minimum_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                name="catalog_entry_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class RuleKind(models.TextChoices):
    """What a statutory rule compares (see `catalog.rules` for the exact semantics)."""

    MIN_INTERVAL = "min_interval", _("at least N units from A to B")
    MAX_INTERVAL = "max_interval", _("at most N units from A to B")
    MAX_RATIO = "max_ratio", _("A at most a share of B")
    MIN_SHARE = "min_share", _("A at least a share of B")
    MIN_COUNT = "min_count", _("at least N")
    MAX_COUNT = "max_count", _("at most N")
    MIN_VALUE = "min_value", _("a value at least N")
    COMMITTEE_SIZE = "committee_size", _("at least N members, an odd number")
    THRESHOLD = "threshold", _("amount threshold")


class RuleUnit(models.TextChoices):
    CALENDAR_DAYS = "calendar_days", _("days")
    WORKING_DAYS = "working_days", _("working days")
    MONTHS = "months", _("months")
    YEARS = "years", _("years")
    PERCENT = "percent", _("percent")
    RATIO = "ratio", _("ratio")
    COUNT = "count", _("count")
    YUAN = "yuan", _("yuan")


INTERVAL_KINDS = (RuleKind.MIN_INTERVAL, RuleKind.MAX_INTERVAL)
RATIO_KINDS = (RuleKind.MAX_RATIO, RuleKind.MIN_SHARE)
SINGLE_FIELD_KINDS = (
    RuleKind.MIN_COUNT,
    RuleKind.MAX_COUNT,
    RuleKind.MIN_VALUE,
    RuleKind.COMMITTEE_SIZE,
)
TIME_UNITS = (RuleUnit.CALENDAR_DAYS, RuleUnit.WORKING_DAYS, RuleUnit.MONTHS, RuleUnit.YEARS)
SHARE_UNITS = (RuleUnit.PERCENT, RuleUnit.RATIO)


class StatutoryRule(models.Model):
    """One number of the law (法定时限、比例、人数), with its legal source.

    `start_field` and `end_field` name fields of a trade's schedule (e.g.
    `documents_issued_at` → `bid_deadline`); for a ratio, `start_field` is the amount
    limited and `end_field` the reference amount; for a count, `start_field` is the count.
    A fraction such as 2/3 is `value` 2 over `value_denominator` 3.

    `method` empty means every method of the category; `category` empty means every
    category. `condition_field`/`condition_min_value` restrict a rule to schedules where
    that field reaches the value (e.g. a committee of seven when the budget ≥ 10,000,000).
    Rules that are not schedule checks (thresholds, complaint time limits) are rows too:
    other apps read them by `code`.
    """

    code = models.CharField(_("code"), max_length=100, unique=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rules",
        help_text=_("Empty: every category."),
    )
    method = models.ForeignKey(
        TradingMethod,
        verbose_name=_("trading method"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rules",
        help_text=_("Empty: every method of the category."),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=RuleKind.choices)
    start_field = models.CharField(_("start field"), max_length=64, blank=True)
    end_field = models.CharField(_("end field"), max_length=64, blank=True)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4)
    value_denominator = models.PositiveIntegerField(
        _("denominator"), default=1, help_text=_("For a fraction such as 2/3.")
    )
    unit = models.CharField(_("unit"), max_length=16, choices=RuleUnit.choices)
    condition_field = models.CharField(_("applies when field"), max_length=64, blank=True)
    condition_min_value = models.DecimalField(
        _("reaches at least"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    description = models.TextField(_("description"))
    source = models.CharField(_("legal source"), max_length=200)
    needs_confirmation = models.BooleanField(
        _("to be confirmed"),
        default=False,
        help_text=_("The number or article is to be checked against the official text."),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["category__ordering", "code"]
        verbose_name = _("statutory rule")
        verbose_name_plural = _("statutory rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[a-z0-9_]+(\.[a-z0-9_]+)+$"),
                name="statutory_rule_code_format",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=RuleKind.values) & Q(unit__in=RuleUnit.values),
                name="statutory_rule_kind_and_unit_known",
            ),
            models.CheckConstraint(
                condition=Q(method__isnull=True) | Q(category__isnull=False),
                name="statutory_rule_method_needs_category",
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0) & Q(value_denominator__gte=1),
                name="statutory_rule_value_positive",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=INTERVAL_KINDS)
                | (~Q(start_field="") & ~Q(end_field="") & Q(unit__in=TIME_UNITS)),
                name="statutory_rule_interval_shape",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=RATIO_KINDS)
                | (~Q(start_field="") & ~Q(end_field="") & Q(unit__in=SHARE_UNITS)),
                name="statutory_rule_ratio_shape",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=SINGLE_FIELD_KINDS) | (~Q(start_field="") & Q(end_field="")),
                name="statutory_rule_single_field_shape",
            ),
            models.CheckConstraint(
                condition=~Q(kind=RuleKind.COMMITTEE_SIZE) | Q(unit=RuleUnit.COUNT),
                name="statutory_rule_committee_counts",
            ),
            models.CheckConstraint(
                condition=Q(condition_field="", condition_min_value__isnull=True)
                | (~Q(condition_field="") & Q(condition_min_value__isnull=False)),
                name="statutory_rule_condition_complete",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                name="statutory_rule_valid_range",
            ),
        ]
        indexes = [models.Index(fields=["category", "method"])]

    def __str__(self) -> str:
        return self.code

    @property
    def value_display(self) -> str:
        return describe_value(self)

    def clean(self):
        if self.method_id is None or self.category_id is None:
            return
        lineage = [self.category]
        while lineage[-1].parent_id is not None and len(lineage) < 10:
            lineage.append(lineage[-1].parent)
        if not self.method.categories.filter(pk__in=[c.pk for c in lineage]).exists():
            raise ValidationError(
                {"method": [_("This method is not used for the rule's category.")]}
            )


class HolidayCalendarYear(models.Model):
    """Whether a year's holiday arrangement has been entered in full.

    For a year that is missing or not complete, working days fall back to weekends only and
    every deadline computed that way is flagged as estimated.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    complete = models.BooleanField(_("entered in full"), default=False)
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("e.g. the State Council's notice.")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["year"]
        verbose_name = _("holiday calendar year")
        verbose_name_plural = _("holiday calendar years")
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="holiday_year_range"
            ),
        ]

    def __str__(self) -> str:
        return str(self.year)


class HolidayCalendarDay(models.Model):
    """An exception to the weekend rule: a statutory holiday on a weekday, or a weekend day
    made a working day (调休上班). Ordinary weekdays and weekends are not stored."""

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=64, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday calendar day")
        verbose_name_plural = _("holiday calendar days")
        constraints = [
            # Only exceptions are stored: a holiday on a weekday, a working weekend day.
            models.CheckConstraint(
                condition=Q(is_working_day=True, date__iso_week_day__gte=6)
                | Q(is_working_day=False, date__iso_week_day__lte=5),
                name="holiday_day_is_an_exception",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class FeeStandard(models.Model):
    """The service-fee standard of a category, graded per lot (按宗分级, I1).

    `tiers` is a list of ``{"up_to": "<yuan>" | null, "rate": "<decimal>"}`` applied as
    cumulative differential rates (差额定率累进): each rate applies to the part of the lot
    amount within its band; the last band has ``up_to`` null. See `catalog.fees`.
    """

    code = models.SlugField(_("code"), max_length=64, unique=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="fee_standards",
    )
    name = models.CharField(_("name"), max_length=128)
    payer = models.CharField(_("paid by"), max_length=64, blank=True)
    tiers = models.JSONField(_("tiers"))
    minimum_fee = models.DecimalField(
        _("minimum per lot (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    maximum_fee = models.DecimalField(
        _("maximum per lot (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    source = models.CharField(_("source"), max_length=255)
    is_example = models.BooleanField(
        _("example values"),
        default=False,
        help_text=_("Demonstration figures, to be replaced by the approved standard."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["category__ordering", "code"]
        verbose_name = _("fee standard")
        verbose_name_plural = _("fee standards")
        constraints = [
            models.UniqueConstraint(
                fields=["category"],
                condition=Q(is_active=True),
                name="fee_standard_one_active_per_category",
            ),
            models.CheckConstraint(
                condition=Q(minimum_fee__isnull=True)
                | Q(maximum_fee__isnull=True)
                | Q(maximum_fee__gte=F("minimum_fee")),
                name="fee_standard_maximum_above_minimum",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        try:
            parse_tiers(self.tiers)
        except FeeTierError as exc:
            raise ValidationError({"tiers": [str(exc)]}) from exc


class TransactionCodeCounter(models.Model):
    """The last sequence number given per (letter, region, year) for unified transaction
    codes (统一交易编码, C1). Incremented only by `catalog.transaction_codes`."""

    letter = models.CharField(_("letter"), max_length=1)
    region = models.ForeignKey(
        "centres.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last sequence number"), default=0)

    class Meta:
        ordering = ["year", "letter", "region"]
        verbose_name = _("transaction code counter")
        verbose_name_plural = _("transaction code counters")
        constraints = [
            models.UniqueConstraint(
                fields=["letter", "region", "year"], name="transaction_code_counter_unique"
            ),
            models.CheckConstraint(
                condition=Q(letter__regex=r"^[A-Z]$"), name="transaction_code_counter_letter"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=9999),
                name="transaction_code_counter_year",
            ),
            models.CheckConstraint(
                condition=Q(last__lte=999999), name="transaction_code_counter_six_digits"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.letter}{self.year} #{self.last}"
