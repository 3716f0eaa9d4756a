"""Notices published on the portal: policies, service lists, rule clean-up, complaint channels.

C1 (unified policy notices), E3 (service processes and complaint channels), E4 (results of
the clean-up of trading rules), I3 (the published service list).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notice(models.Model):
    class Kind(models.TextChoices):
        POLICY = "policy", _("policy notice")
        SERVICE_LIST = "service_list", _("service list and standards")
        FEE_STANDARD = "fee_standard", _("fee standard")
        RULE_CLEANUP = "rule_cleanup", _("clean-up of trading rules")
        COMPLAINT_CHANNEL = "complaint_channel", _("complaint channel")

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    source = models.CharField(
        _("issuing document"), max_length=200, blank=True, help_text=_("e.g. 国办发〔2015〕63号")
    )
    centre = models.ForeignKey(
        "centres.Centre",
        verbose_name=_("centre"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Empty for notices that apply to the whole platform."),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [models.Index(fields=["kind", "-published_at"])]

    def __str__(self) -> str:
        return self.title
