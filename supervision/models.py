"""What supervision owns (监督): its alert-rule catalog, the alerts and their triage, cases,
complaints and rulings, and the evaluation cursor.

Supervision writes only these tables (through the default connection); it reads the
operation side (trade log, trading, experts, entities, catalog) through the read-only
``supervision`` connection. Projects, lots and entities are named by id and code, not by
foreign keys into the operation side, so that nothing here can cascade into a trade.
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Department


class Severity(models.TextChoices):
    INFO = "info", _("information")
    LOW = "low", _("low")
    MEDIUM = "medium", _("medium")
    HIGH = "high", _("high")
    CRITICAL = "critical", _("critical")


class RuleGroup(models.TextChoices):
    """Grouped as the international red-flag lists group them."""

    PROCESS = "process", _("process compliance")
    COMPETITION = "competition", _("competition")
    COLLUSION = "collusion", _("collusion screens")
    AUCTION = "auction", _("auctions")
    INTEGRITY = "integrity", _("trade-log integrity")


class AlertRule(models.Model):
    """One alert rule as data (预警规则): which detector runs, its thresholds and its source.

    Rows with the same `code` and a `category`/`method` override the general row (empty
    category = every category) for trades of that category and method: the most specific
    enabled row applies. `detector` names a pure function in `supervision.rules.registry`;
    adding a rule is a detector and a row, nothing else.
    """

    code = models.CharField(_("code"), max_length=64)
    detector = models.CharField(_("detector"), max_length=64)
    group = models.CharField(_("group"), max_length=16, choices=RuleGroup.choices)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"))
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices)
    category = models.CharField(_("category"), max_length=32, blank=True)
    method = models.CharField(_("trading method"), max_length=48, blank=True)
    params = models.JSONField(_("thresholds"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    source = models.CharField(_("source"), max_length=300)
    #: The international red-flag code this rule corresponds to (OCP/Cardinal), if any.
    red_flag_code = models.CharField(_("red-flag code"), max_length=8, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        ordering = ["group", "code", "category", "method"]
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")
        constraints = [
            models.UniqueConstraint(
                fields=["code", "category", "method"], name="alert_rule_scope_unique"
            ),
            models.CheckConstraint(
                condition=Q(method="") | ~Q(category=""), name="alert_rule_method_needs_category"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class EvaluationCursor(models.Model):
    """The outbox cursor: the last trade-log position every rule has been evaluated on.

    Entries are committed in `seq` order (the trade-log head's lock orders them), so every
    entry at or below a committed `seq` is visible: the sweep resumes from here after any
    outage and loses nothing.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    last_seq = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("evaluation cursor")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="single_cursor")]

    def __str__(self) -> str:
        return f"cursor @{self.last_seq}"


class Alert(models.Model):
    """An alert (预警): a rule fired on a subject, with the exact data that fired it."""

    class Status(models.TextChoices):
        NEW = "new", _("new")
        ACKNOWLEDGED = "acknowledged", _("acknowledged")
        INVESTIGATING = "investigating", _("under investigation")
        DISMISSED = "dismissed", _("dismissed")
        CONFIRMED = "confirmed", _("confirmed (case opened)")

    rule_code = models.CharField(_("rule"), max_length=64)
    group = models.CharField(_("group"), max_length=16, choices=RuleGroup.choices)
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices)
    #: What the alert is about, unique per rule: evaluating the same entry twice is harmless.
    subject_key = models.CharField(_("subject"), max_length=200)
    title = models.CharField(_("title"), max_length=300)
    project_id_ref = models.BigIntegerField(_("project"), null=True, blank=True)
    lot_id_ref = models.BigIntegerField(_("lot"), null=True, blank=True)
    project_title = models.CharField(_("project title"), max_length=200, blank=True)
    entities = models.JSONField(_("entities involved"), default=list, blank=True)
    evidence = models.JSONField(_("evidence"), default=dict, encoder=DjangoJSONEncoder)
    source = models.CharField(_("source"), max_length=300, blank=True)
    department = models.CharField(
        _("department"), max_length=32, choices=Department.choices, blank=True
    )
    category = models.CharField(_("category"), max_length=32, blank=True)
    region_id_ref = models.BigIntegerField(_("region"), null=True, blank=True)
    centre_id_ref = models.BigIntegerField(_("centre"), null=True, blank=True)
    trade_log_seq = models.BigIntegerField(_("trade-log entry"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NEW
    )
    status_reason = models.TextField(_("reason"), blank=True)
    case = models.ForeignKey(
        "Case", null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )
    created_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.UniqueConstraint(fields=["rule_code", "subject_key"], name="alert_once"),
            models.CheckConstraint(
                condition=~Q(status="dismissed") | ~Q(status_reason=""),
                name="alert_dismissal_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(case__isnull=False),
                name="alert_confirmed_has_case",
            ),
        ]
        indexes = [
            models.Index(fields=["department", "status", "-created_at"]),
            models.Index(fields=["project_id_ref"]),
        ]

    def __str__(self) -> str:
        return f"{self.rule_code} {self.subject_key}"


class AlertTransition(models.Model):
    """One triage step on an alert: who moved it, from what, to what, why."""

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="transitions")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(max_length=16, choices=Alert.Status.choices)
    to_status = models.CharField(max_length=16, choices=Alert.Status.choices)
    reason = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.alert_id}: {self.from_status} → {self.to_status}"


class Case(models.Model):
    """A case (案件) opened from confirmed alerts, for investigation and hand-over (H4)."""

    class State(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    title = models.CharField(_("title"), max_length=300)
    department = models.CharField(_("department"), max_length=32, choices=Department.choices)
    region_id_ref = models.BigIntegerField(_("region"), null=True, blank=True)
    project_id_ref = models.BigIntegerField(_("project"), null=True, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    conclusion = models.TextField(_("conclusion"), blank=True)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return self.title


class Complaint(models.Model):
    """An objection (异议) to the tenderee or a complaint (投诉) to the competent department
    (H5), with the legal time limits it was measured against (catalog rules, as data)."""

    class Kind(models.TextChoices):
        COMPLAINT = "complaint", _("complaint to the competent department")

    class State(models.TextChoices):
        FILED = "filed", _("filed")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("not accepted")
        RULED = "ruled", _("ruled")
        WITHDRAWN = "withdrawn", _("withdrawn")

    class Outcome(models.TextChoices):
        UPHELD = "upheld", _("upheld")
        PARTLY_UPHELD = "partly_upheld", _("partly upheld")
        DISMISSED = "dismissed", _("dismissed")

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.COMPLAINT)
    project_id_ref = models.BigIntegerField(_("project"))
    lot_id_ref = models.BigIntegerField(_("lot"), null=True, blank=True)
    project_title = models.CharField(_("project title"), max_length=200)
    category = models.CharField(_("category"), max_length=32)
    department = models.CharField(_("department"), max_length=32, choices=Department.choices)
    region_id_ref = models.BigIntegerField(_("region"), null=True, blank=True)
    centre_id_ref = models.BigIntegerField(_("centre"), null=True, blank=True)
    complainant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    complainant_uscc = models.CharField(_("complainant"), max_length=18)
    grounds = models.TextField(_("grounds"))
    evidence = models.JSONField(_("evidence"), default=list, blank=True)
    grounds_known_at = models.DateTimeField(_("grounds known at"))
    filed_at = models.DateTimeField(_("filed at"))
    #: The time limits, computed from the catalog rules when the complaint was filed.
    acceptance_due_at = models.DateTimeField(_("acceptance decided by"), null=True, blank=True)
    decision_due_at = models.DateTimeField(_("ruling due by"), null=True, blank=True)
    limits = models.JSONField(_("time limits applied"), default=dict, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.FILED)
    accepted_at = models.DateTimeField(null=True, blank=True)
    ruled_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    ruling = models.TextField(_("ruling"), blank=True)
    ruling_published = models.BooleanField(default=False)

    class Meta:
        ordering = ["-filed_at"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="ruled") | (~Q(outcome="") & ~Q(ruling="")),
                name="complaint_ruling_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"complaint #{self.pk}"


class ComplaintStep(models.Model):
    """Every step of a complaint, visible to the complainant (H5)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="steps")
    step = models.CharField(max_length=32)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    note = models.TextField(blank=True)
    trade_log_seq = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.step}"
