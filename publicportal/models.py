"""The public service portal's own data (E1–E5, B5, B6).

`Publication` is a denormalised index of everything published on the platform, fed by each
source (sealed-bid trading today; auctions and registered third-party systems through the
same `publicportal.index.upsert_publication`), so that the public list, the search, the
feeds and the statistics read one table whatever the source.

`ChangeLogEntry` is the incremental change feed for other platforms; its appends are
serialised so that no entry is skipped or repeated when transactions commit out of order
(see `publicportal.changes`).
"""

import hashlib
import secrets

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class SourceSystem(models.Model):
    """A third-party trading system registered with the platform (B6: 对接的其他交易系统).

    It pushes its projects and announcements through the API with its own credential,
    scoped to one centre and its region. Only the SHA-256 digest of the credential is
    stored; the credential itself is shown once, at registration.
    """

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=128)
    operator = models.CharField(_("operating organisation"), max_length=128, blank=True)
    centre = models.ForeignKey(
        "centres.Centre", verbose_name=_("centre"), on_delete=models.PROTECT, related_name="+"
    )
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    token_hint = models.CharField(max_length=8, editable=False, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("connected trading system")
        verbose_name_plural = _("connected trading systems")

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def digest(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)


class ExternalProject(models.Model):
    """A project pushed by a connected system, keyed by that system's own id (idempotent)."""

    system = models.ForeignKey(SourceSystem, on_delete=models.PROTECT, related_name="projects")
    external_id = models.CharField(_("external id"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    category = models.ForeignKey(
        "catalog.Category", verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    method = models.ForeignKey(
        "catalog.TradingMethod",
        verbose_name=_("trading method"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    region = models.ForeignKey(
        "centres.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    transaction_code = models.CharField(_("transaction code"), max_length=40, blank=True)
    budget_amount = models.DecimalField(
        _("budget or estimate (yuan)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    tenderee = models.CharField(_("tenderee"), max_length=200, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("pushed project")
        constraints = [
            models.UniqueConstraint(
                fields=["system", "external_id"], name="external_project_once_per_system"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Publication(models.Model):
    """One published item in the portal's index (公开信息索引), whatever its source."""

    class Source(models.TextChoices):
        TRADING = "trading", _("this platform: tenders and procurement")
        AUCTIONS = "auctions", _("this platform: land, mining and equity")
        EXTERNAL = "external", _("connected trading system")

    class Status(models.TextChoices):
        BIDDING = "bidding", _("open for bids")
        EVALUATING = "evaluating", _("opening and evaluation")
        AWARDED = "awarded", _("awarded")
        FAILED = "failed", _("failed")

    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    source_key = models.CharField(max_length=120, unique=True)
    system = models.ForeignKey(
        SourceSystem,
        verbose_name=_("connected trading system"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="publications",
    )
    project_key = models.CharField(max_length=120, db_index=True)
    project_title = models.CharField(_("project"), max_length=200)
    transaction_code = models.CharField(_("transaction code"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=32)
    title = models.CharField(_("title"), max_length=250)
    body = models.TextField(_("text"), blank=True)
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    # No single-column indexes on the filtered foreign keys: the composite (column,
    # published_at) indexes below serve them, and a lone index invites the planner to AND
    # whole-category bitmaps together (slow on a million rows).
    category = models.ForeignKey(
        "catalog.Category",
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    method = models.ForeignKey(
        "catalog.TradingMethod",
        verbose_name=_("trading method"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    region = models.ForeignKey(
        "centres.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    centre = models.ForeignKey(
        "centres.Centre",
        verbose_name=_("centre"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    amount = models.DecimalField(
        _("amount (yuan)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    published_at = models.DateTimeField(_("published at"))
    updated_at = models.DateTimeField(auto_now=True)
    detail_path = models.CharField(max_length=200, blank=True)
    project_path = models.CharField(max_length=200, blank=True)
    #: Character bigrams then unigrams of the title and project (see `publicportal.search`);
    #: PostgreSQL indexes `to_tsvector('simple', search_document)` with GIN.
    search_document = models.TextField(blank=True, editable=False)
    #: `to_tsvector('simple', search_document)`, kept by a trigger on PostgreSQL (empty on
    #: SQLite, where the search falls back to `icontains`).
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        indexes = [
            models.Index(fields=["-published_at", "-id"], name="publication_recent"),
            models.Index(fields=["category", "-published_at"], name="publication_category"),
            models.Index(fields=["region", "-published_at"], name="publication_region"),
            models.Index(fields=["centre", "-published_at"], name="publication_centre"),
            models.Index(fields=["status", "-published_at"], name="publication_status"),
            models.Index(fields=["kind", "-published_at"], name="publication_kind"),
            # The portal's usual combination (a region, a category, a status, newest first):
            # the page is an index range and its count an index-only scan.
            models.Index(
                fields=["region", "category", "status", "-published_at"],
                name="publication_facets",
            ),
            GinIndex(fields=["search_vector"], name="publication_search"),
        ]

    def __str__(self) -> str:
        return self.title


class ChangeLogEntry(models.Model):
    """One change for the incremental feed (B5/B6). Appends are serialised (see
    `publicportal.changes`), so the id order is the commit order and the id is the cursor."""

    object_type = models.CharField(max_length=32)
    object_key = models.CharField(max_length=120)
    action = models.CharField(max_length=16)
    occurred_at = models.DateTimeField(auto_now_add=True)
    payload = models.JSONField(default=dict, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["id"]
        indexes = [
            # An object's latest entry (is a change a creation or an update?), by key.
            models.Index(fields=["object_type", "object_key", "-id"], name="changelog_object"),
        ]

    def __str__(self) -> str:
        return f"{self.object_type}:{self.object_key} {self.action}"
