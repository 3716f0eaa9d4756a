"""Market entities (市场主体): registered once, valid everywhere on the platform (D1–D3).

There is deliberately no per-centre or per-region registration, filing or licence model:
one registration is recognised by every centre and category (D1, D3).
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class EntityType(models.TextChoices):
    ENTERPRISE = "enterprise", _("enterprise")
    INSTITUTION = "institution", _("public institution")
    GOVERNMENT = "government", _("government agency")
    SOCIAL_ORGANISATION = "social_organisation", _("social organisation")
    INDIVIDUAL_BUSINESS = "individual_business", _("individual business")
    OTHER = "other", _("other")


class MarketEntity(models.Model):
    """A legal person or other organisation identified by its unified social credit code."""

    uscc = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        help_text=_("18 characters, GB 32100-2015."),
    )
    name = models.CharField(_("name"), max_length=200)
    entity_type = models.CharField(_("entity type"), max_length=32, choices=EntityType.choices)
    legal_representative = models.CharField(_("legal representative"), max_length=64)
    region = models.ForeignKey(
        "centres.Region",
        verbose_name=_("registered region"),
        on_delete=models.PROTECT,
        related_name="entities",
    )
    address = models.CharField(_("registered address"), max_length=256, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=64, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    # Deposits and bid securities are refunded here, in full (D4, J3).
    bank_name = models.CharField(_("bank"), max_length=128, blank=True)
    bank_account_name = models.CharField(_("account name"), max_length=200, blank=True)
    bank_account_number = models.CharField(_("account number"), max_length=40, blank=True)
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["name"]
        verbose_name = _("market entity")
        verbose_name_plural = _("market entities")
        constraints = [
            models.CheckConstraint(
                condition=Q(uscc__regex=r"^[0-9A-HJ-NPQRTUWXY]{18}$"),
                name="entity_uscc_charset",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.uscc}）"


class Qualification(models.Model):
    """A qualification certificate (资质) the entity holds, e.g. 建筑工程施工总承包 一级."""

    entity = models.ForeignKey(
        MarketEntity,
        verbose_name=_("market entity"),
        on_delete=models.CASCADE,
        related_name="qualifications",
    )
    kind = models.CharField(_("qualification"), max_length=128)
    grade = models.CharField(_("grade"), max_length=32, blank=True)
    certificate_number = models.CharField(_("certificate number"), max_length=64)
    issuer = models.CharField(_("issuing authority"), max_length=128)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind"]
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "kind", "certificate_number"],
                name="qualification_unique_per_entity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.grade}".strip()


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


class EntityInvitation(models.Model):
    """An entity administrator's invitation for a colleague to join the entity's accounts."""

    entity = models.ForeignKey(
        MarketEntity,
        verbose_name=_("market entity"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=32)
    token = models.CharField(max_length=64, unique=True, default=_invitation_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_by = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accepted_invitation",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.entity.name} → {self.email}"
