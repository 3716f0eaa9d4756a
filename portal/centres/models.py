"""Administrative regions, trading centres and their venues (REQUIREMENTS B1–B4)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """An administrative division (行政区划) identified by its GB/T 2260 code."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("province")
        CITY = "city", _("city")
        COUNTY = "county", _("county")

    code = models.CharField(_("division code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=64)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{6}$"), name="region_code_six_digits"
            ),
            models.CheckConstraint(
                condition=Q(level="province", parent__isnull=True)
                | Q(~Q(level="province"), parent__isnull=False),
                name="region_parent_matches_level",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class Centre(models.Model):
    """A public resource trading centre (公共资源交易中心) or a county branch of one.

    Counties set up no platform of their own: they are branches of the city centre or
    terminal ports (B1). Chongqing-style district/county centres are `district` level.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("provincial centre")
        CITY = "city", _("city centre")
        DISTRICT = "district", _("district/county centre")
        BRANCH = "branch", _("county branch")

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=128, unique=True)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="centres"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent centre"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="branches",
    )
    address = models.CharField(_("address"), max_length=256, blank=True)
    service_phone = models.CharField(_("service phone"), max_length=32, blank=True)
    complaint_phone = models.CharField(_("complaint hotline"), max_length=32, blank=True)

    class Meta:
        ordering = ["region__code", "code"]
        verbose_name = _("trading centre")
        verbose_name_plural = _("trading centres")
        permissions = [("manage_centre", _("Manage the centre's venues, schedule and projects"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(level="branch", parent__isnull=False) | ~Q(level="branch"),
                name="centre_branch_has_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Venue(models.Model):
    """A room of a centre: bid opening (开标室) or evaluation (评标室), with its capacity."""

    class Kind(models.TextChoices):
        OPENING = "opening", _("bid-opening room")
        EVALUATION = "evaluation", _("evaluation room")
        AUCTION = "auction", _("auction hall")

    centre = models.ForeignKey(
        Centre, verbose_name=_("centre"), on_delete=models.PROTECT, related_name="venues"
    )
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    capacity = models.PositiveIntegerField(_("capacity"))
    remote_seats = models.PositiveIntegerField(
        _("remote evaluation seats"),
        default=0,
        help_text=_("Seats wired for remote, off-site evaluation (远程异地评标)."),
    )
    is_active = models.BooleanField(_("in service"), default=True)

    class Meta:
        ordering = ["centre", "name"]
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        constraints = [
            models.UniqueConstraint(fields=["centre", "name"], name="venue_name_unique_in_centre"),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="venue_capacity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.centre.name} · {self.name}"


class VenueBooking(models.Model):
    """A venue reserved for a time range (统筹安排交易时间、场地, B4).

    Double booking is impossible in the database itself: on PostgreSQL an exclusion
    constraint over (venue, [starts_at, ends_at)) for active bookings, on SQLite a trigger
    (both in migration 0002), so concurrent requests cannot race past a Python check.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("booked")
        CANCELLED = "cancelled", _("cancelled")

    venue = models.ForeignKey(
        Venue, verbose_name=_("venue"), on_delete=models.PROTECT, related_name="bookings"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    purpose = models.CharField(_("purpose"), max_length=200)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked by"),
        on_delete=models.PROTECT,
        related_name="venue_bookings",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("venue booking")
        verbose_name_plural = _("venue bookings")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="booking_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["venue", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.venue} {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M}"
