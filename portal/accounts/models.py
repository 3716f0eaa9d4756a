"""The platform's people: one account, one role, one scope.

Each account holds exactly one role. That is how separations the law asks for are kept
structurally rather than by discipline: those who oversee never operate (管办分离, H1),
and pool maintenance, drawing and pool supervision are held by different people
(三端分离, F6) — no account can hold two of them.
"""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    BIDDER = "bidder", _("bidder")
    TENDEREE = "tenderee", _("tenderee")
    AGENT = "agent", _("tendering agent")
    CENTRE_STAFF = "centre_staff", _("trading-centre staff")
    REGULATOR = "regulator", _("regulator")
    EXPERT = "expert", _("evaluation expert")
    POOL_MAINTAINER = "pool_maintainer", _("expert-pool maintainer")
    EXPERT_DRAWER = "expert_drawer", _("expert drawer")
    POOL_SUPERVISOR = "pool_supervisor", _("expert-pool supervisor")
    PLATFORM_ADMIN = "platform_admin", _("platform administrator")


#: Roles whose accounts belong to a market entity.
ENTITY_ROLES = frozenset({Role.BIDDER, Role.TENDEREE, Role.AGENT})
_ENTITY_ROLE_VALUES = sorted(role.value for role in ENTITY_ROLES)  # stable for migrations


class Department(models.TextChoices):
    """Supervising departments (H2): each category is overseen by its competent department."""

    DEVELOPMENT_REFORM = "development_reform", _("development and reform")
    HOUSING = "housing", _("housing and urban-rural development")
    TRANSPORT = "transport", _("transport")
    WATER = "water", _("water resources")
    FINANCE = "finance", _("finance")
    NATURAL_RESOURCES = "natural_resources", _("natural resources")
    STATE_ASSETS = "state_assets", _("state-owned assets")
    AUDIT = "audit", _("audit")
    DISCIPLINE = "discipline", _("discipline inspection")


class PlatformUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        """`createsuperuser` makes a platform administrator, the one role with the admin site."""
        extra_fields.setdefault("role", Role.PLATFORM_ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person using the platform, with exactly one role and the scope that role needs."""

    objects = PlatformUserManager()

    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    display_name = models.CharField(_("display name"), max_length=64, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    entity = models.ForeignKey(
        "entities.MarketEntity",
        verbose_name=_("market entity"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    is_entity_admin = models.BooleanField(
        _("entity administrator"),
        default=False,
        help_text=_("May edit the entity's profile and invite members."),
    )
    centre = models.ForeignKey(
        "centres.Centre",
        verbose_name=_("centre"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    department = models.CharField(
        _("department"), max_length=32, choices=Department.choices, blank=True
    )
    region = models.ForeignKey(
        "centres.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # Entity roles belong to an entity; no other role does.
            models.CheckConstraint(
                condition=Q(role__in=_ENTITY_ROLE_VALUES, entity__isnull=False)
                | Q(~Q(role__in=_ENTITY_ROLE_VALUES), entity__isnull=True),
                name="user_entity_matches_role",
            ),
            models.CheckConstraint(
                condition=Q(role="centre_staff", centre__isnull=False)
                | Q(~Q(role="centre_staff"), centre__isnull=True),
                name="user_centre_matches_role",
            ),
            models.CheckConstraint(
                condition=Q(role="regulator", region__isnull=False) & ~Q(department="")
                | Q(~Q(role="regulator"), department=""),
                name="user_regulator_scope",
            ),
            models.CheckConstraint(
                condition=Q(is_entity_admin=False) | Q(entity__isnull=False),
                name="user_entity_admin_has_entity",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_platform_admin(self) -> bool:
        return self.role == Role.PLATFORM_ADMIN
