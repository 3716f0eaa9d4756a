"""A hold (暂停) on a trade: the competent department suspends a project pending a complaint
(招标投标法实施条例 第62条; 政府采购法 第57条), and the operation side refuses every step while
it is in force.

The hold lives in the core so that both sides can reach it without reaching each other:
supervision writes it (through `portal.holds.services`), trading's state machine reads it
(`portal.holds.selectors.active_hold`), and neither imports the other. The project is named
by id, not by a foreign key, for the same reason.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class TradeHold(models.Model):
    project_id_ref = models.BigIntegerField(_("project"), db_index=True)
    reason = models.CharField(_("reason"), max_length=300)
    #: What ordered it, e.g. ``supervision.complaint:12``.
    ordered_by_ref = models.CharField(_("ordered by (record)"), max_length=64)
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ordered_at = models.DateTimeField(_("suspended at"))
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lift_reason = models.CharField(_("reason for lifting"), max_length=300, blank=True)

    class Meta:
        ordering = ["-ordered_at"]
        verbose_name = _("trade hold")
        verbose_name_plural = _("trade holds")
        constraints = [
            # One hold in force per project at a time; lifting makes room for another.
            models.UniqueConstraint(
                fields=["project_id_ref"],
                condition=Q(lifted_at__isnull=True),
                name="one_active_hold_per_project",
            ),
            models.CheckConstraint(
                condition=Q(lifted_at__isnull=True) | Q(lifted_by__isnull=False),
                name="hold_lifted_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"hold on project {self.project_id_ref}"

    @property
    def in_force(self) -> bool:
        return self.lifted_at is None
