"""The one comprehensive pool of evaluation experts (综合评标评审专家库, F1–F8).

- `Specialty`: the classification of evaluation-expert specialties (评标专家专业分类), a
  hierarchy of codes loaded as data (migration 0002; see its docstring for what is known).
- `ExpertProfile` and what hangs off it: specialties, declared relations, unavailable
  periods, periodic assessments. Industry and regional sub-pools (行业子库, 地方子库, F4) are
  querysets over this one table (`experts.selectors.sub_pool`), never copies.
- `ExpertDraw` (专家抽取), its specialty groups and its invitations. An invitation holds its
  expert's time: the database refuses two overlapping live invitations for one expert.
- `ConductRecord` (append-only) and `BlacklistEntry`: expert credit and the blacklist (F5).
- `PoolRule`: the numbers of the pool's rules (look-back, credit points, time limits) as data.

Trading's projects are referred to by id only: `experts` may not import `trading`.
"""

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from experts.text_json import TextJSONField

USCC_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{18}$"


class Specialty(models.Model):
    """A specialty of the classification; codes are hierarchical (A → A01 → A0101)."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent specialty"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.PositiveSmallIntegerField(_("level"))
    is_active = models.BooleanField(_("in use"), default=True)
    source = models.CharField(_("source"), max_length=300)
    needs_confirmation = models.BooleanField(
        _("to be confirmed"),
        default=True,
        help_text=_("The code or name is to be checked against the official classification."),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("specialty")
        verbose_name_plural = _("specialties")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z]([0-9]{2})*$"), name="specialty_code_shape"
            ),
            models.CheckConstraint(condition=Q(level__gte=1), name="specialty_level_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ExpertProfile(models.Model):
    """An evaluation expert (评标评审专家) of the pool."""

    class Status(models.TextChoices):
        CANDIDATE = "candidate", _("candidate (applied)")
        ACTIVE = "active", _("active")
        SUSPENDED = "suspended", _("suspended")
        RETIRED = "retired", _("retired (left the pool)")
        BLACKLISTED = "blacklisted", _("blacklisted")
        REFUSED = "refused", _("application refused")

    class Title(models.TextChoices):
        SENIOR = "senior", _("senior (正高级)")
        ASSOCIATE_SENIOR = "associate_senior", _("associate senior (副高级)")
        INTERMEDIATE = "intermediate", _("intermediate")
        JUNIOR = "junior", _("junior")
        NONE = "none", _("no professional title")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="expert_profile",
    )
    full_name = models.CharField(_("full name"), max_length=64)
    id_number = models.CharField(
        _("identity card number"),
        max_length=18,
        unique=True,
        help_text=_("Resident identity card number (居民身份证号码); one profile per person."),
    )
    employer = models.ForeignKey(
        "entities.MarketEntity",
        verbose_name=_("employer (registered entity)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    employer_uscc = models.CharField(
        _("employer's unified social credit code"), max_length=18, blank=True, db_index=True
    )
    employer_name = models.CharField(_("employer"), max_length=200)
    title = models.CharField(_("professional title"), max_length=32, choices=Title.choices)
    title_equivalent = models.BooleanField(
        _("equivalent professional level recognised"),
        default=False,
        help_text=_("同等专业水平, recognised by the pool maintainer in place of a senior title."),
    )
    career_started_on = models.DateField(_("relevant work since"))
    region = models.ForeignKey(
        "centres.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    specialties = models.ManyToManyField(
        Specialty, through="ExpertSpecialty", related_name="experts", verbose_name=_("specialties")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.CANDIDATE
    )
    status_reason = models.CharField(_("reason for the status"), max_length=300, blank=True)
    applied_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    admitted_at = models.DateTimeField(_("admitted at"), null=True, blank=True)
    last_assessed_on = models.DateField(_("last assessed on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["full_name", "pk"]
        verbose_name = _("expert")
        verbose_name_plural = _("experts")
        constraints = [
            models.CheckConstraint(
                condition=Q(employer_uscc="") | Q(employer_uscc__regex=USCC_PATTERN),
                name="expert_employer_uscc_charset",
            ),
            models.CheckConstraint(
                condition=Q(admitted_at__isnull=False) | Q(status__in=["candidate", "refused"]),
                name="expert_admitted_before_serving",
            ),
        ]
        indexes = [models.Index(fields=["status", "region"])]
        triggers = [
            # Keep the screening copy (`PoolEntry`) exact: see that model.
            pgtrigger.Trigger(
                name="pool_entry_follows_profile",
                when=pgtrigger.After,
                operation=pgtrigger.Update,
                level=pgtrigger.Statement,
                referencing=pgtrigger.Referencing(old="old_rows", new="new_rows"),
                func=(
                    "UPDATE experts_poolentry e SET status = n.status, region_id = n.region_id, "
                    "employer_uscc = n.employer_uscc FROM new_rows n JOIN old_rows o "
                    "ON o.id = n.id WHERE e.expert_id = n.id AND (o.status, o.region_id, "
                    "o.employer_uscc) IS DISTINCT FROM (n.status, n.region_id, "
                    "n.employer_uscc); RETURN NULL;"
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def masked_id_number(self) -> str:
        return f"{self.id_number[:3]}{'*' * 11}{self.id_number[-4:]}"


#: Trigger bodies that copy specialty rows just written (`new_rows`, a transition table) into
#: `PoolEntry`, with their expert's status, region and employer.
_POOL_ENTRY_INSERT = (
    "INSERT INTO experts_poolentry (id, expert_id, specialty_id, status, region_id, "
    "employer_uscc) SELECT n.id, p.id, n.specialty_id, p.status, p.region_id, p.employer_uscc "
    "FROM new_rows n JOIN experts_expertprofile p ON p.id = n.expert_id; RETURN NULL;"
)
_POOL_ENTRY_REPLACE = (
    "DELETE FROM experts_poolentry WHERE id IN (SELECT id FROM old_rows); "
    "INSERT INTO experts_poolentry (id, expert_id, specialty_id, status, region_id, "
    "employer_uscc) SELECT n.id, p.id, n.specialty_id, p.status, p.region_id, p.employer_uscc "
    "FROM new_rows n JOIN experts_expertprofile p ON p.id = n.expert_id; RETURN NULL;"
)


class ExpertSpecialty(models.Model):
    expert = models.ForeignKey(ExpertProfile, on_delete=models.CASCADE, related_name="+")
    specialty = models.ForeignKey(Specialty, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("expert's specialty")
        verbose_name_plural = _("experts' specialties")
        constraints = [
            models.UniqueConstraint(fields=["expert", "specialty"], name="expert_specialty_once"),
        ]
        indexes = [models.Index(fields=["specialty", "expert"])]
        # Keep the screening copy (`PoolEntry`) exact: see that model. Statement-level with
        # transition tables: one call per statement, so a bulk import stays one join.
        triggers = [
            pgtrigger.Trigger(
                name="pool_entry_on_specialty_insert",
                when=pgtrigger.After,
                operation=pgtrigger.Insert,
                level=pgtrigger.Statement,
                referencing=pgtrigger.Referencing(new="new_rows"),
                func=_POOL_ENTRY_INSERT,
            ),
            pgtrigger.Trigger(
                name="pool_entry_on_specialty_update",
                when=pgtrigger.After,
                operation=pgtrigger.Update,
                level=pgtrigger.Statement,
                referencing=pgtrigger.Referencing(old="old_rows", new="new_rows"),
                func=_POOL_ENTRY_REPLACE,
            ),
            pgtrigger.Trigger(
                name="pool_entry_on_specialty_delete",
                when=pgtrigger.After,
                operation=pgtrigger.Delete,
                level=pgtrigger.Statement,
                referencing=pgtrigger.Referencing(old="old_rows"),
                func=(
                    "DELETE FROM experts_poolentry WHERE id IN (SELECT id FROM old_rows); "
                    "RETURN NULL;"
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.expert_id}:{self.specialty_id}"


class PoolEntry(models.Model):
    """The screening copy of the pool: one row per expert and specialty (the row of
    `ExpertSpecialty` with the same id), carrying the expert's status, region and employer,
    so that a draw reads its sub-pool from one index without joining 100,000 profiles.

    Written only by the database: triggers on `ExpertSpecialty` (insert, update, delete) and
    on `ExpertProfile` (a change of status, region or employer) keep it exact within the
    writing transaction — pgtrigger on PostgreSQL, the same triggers on SQLite (migration
    0004). Never written by the application. Facts that depend on the draw's time (leave,
    bookings, the blacklist, declared relations with the parties) are not copied: they are
    read for each draw from their own tables (`experts.selectors.screening_facts`).
    """

    id = models.BigIntegerField(primary_key=True)  # = ExpertSpecialty.id
    expert_id = models.BigIntegerField()
    specialty_id = models.BigIntegerField()
    status = models.CharField(max_length=16)
    region_id = models.BigIntegerField()
    employer_uscc = models.CharField(max_length=18, blank=True)

    class Meta:
        verbose_name = _("pool entry (screening copy)")
        verbose_name_plural = _("pool entries (screening copy)")
        indexes = [
            # A group's sub-pool: specialty, status and region decide, the id is all it reads.
            models.Index(
                fields=["specialty_id", "status", "region_id", "expert_id"],
                include=["employer_uscc"],
                name="pool_entry_screening",
            ),
            models.Index(fields=["expert_id"], name="pool_entry_expert"),
        ]

    def __str__(self) -> str:
        return f"{self.expert_id}:{self.specialty_id} {self.status}"


class ExpertRelation(models.Model):
    """A relation the expert declares with an entity (利害关系): former employment,
    shareholding, a close relative working there or leading it, another interest. Avoided
    while current and for the look-back period after it ended (采购条例 第9条)."""

    class Kind(models.TextChoices):
        EMPLOYMENT = "employment", _("employment (past or part-time)")
        SHAREHOLDING = "shareholding", _("shareholding or investment")
        RELATIVE = "relative", _("close relative works there or leads it")
        OTHER = "other", _("other interest")

    expert = models.ForeignKey(
        ExpertProfile, verbose_name=_("expert"), on_delete=models.CASCADE, related_name="relations"
    )
    entity_uscc = models.CharField(_("unified social credit code"), max_length=18)
    entity_name = models.CharField(_("entity name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    started_on = models.DateField(_("since"), null=True, blank=True)
    ended_on = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    declared_at = models.DateTimeField(_("declared at"), auto_now_add=True)

    class Meta:
        ordering = ["expert", "entity_name"]
        verbose_name = _("declared relation")
        verbose_name_plural = _("declared relations")
        constraints = [
            models.CheckConstraint(
                condition=Q(entity_uscc__regex=USCC_PATTERN), name="relation_uscc_charset"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=F("started_on")),
                name="relation_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["entity_uscc", "expert"])]

    def __str__(self) -> str:
        return f"{self.expert_id} ↔ {self.entity_name}"


class Unavailability(models.Model):
    """A period the expert cannot be drawn: leave, a declared absence, training."""

    class Reason(models.TextChoices):
        LEAVE = "leave", _("leave")
        DECLARED = "declared", _("declared unavailable")
        TRAINING = "training", _("training")
        OTHER = "other", _("other")

    expert = models.ForeignKey(
        ExpertProfile,
        verbose_name=_("expert"),
        on_delete=models.CASCADE,
        related_name="unavailabilities",
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("unavailable period")
        verbose_name_plural = _("unavailable periods")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="unavailability_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["expert", "ends_at"])]

    def __str__(self) -> str:
        return f"{self.expert_id} {self.starts_at:%Y-%m-%d}–{self.ends_at:%Y-%m-%d}"


class Assessment(models.Model):
    """A periodic assessment (考核) of an expert by the pool maintainer (F5, F7)."""

    expert = models.ForeignKey(
        ExpertProfile,
        verbose_name=_("expert"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    assessed_on = models.DateField(_("assessed on"))
    passed = models.BooleanField(_("passed"))
    note = models.TextField(_("note"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self) -> str:
        return f"{self.expert_id} {self.assessed_on}"


class PoolRule(models.Model):
    """One number of the pool's rules, with its source (a correction is a data change)."""

    code = models.CharField(_("code"), max_length=100, unique=True)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=16)
    description = models.TextField(_("description"))
    source = models.CharField(_("source"), max_length=300)
    needs_confirmation = models.BooleanField(_("to be confirmed"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("pool rule")
        verbose_name_plural = _("pool rules")

    def __str__(self) -> str:
        return f"{self.code} = {self.value} {self.unit}"


# --- Draws ------------------------------------------------------------------------------


class ExpertDraw(models.Model):
    """A random draw of experts for a project's evaluation (专家抽取).

    The commitment (SHA-256 of the seed) and the eligible sets' digest are published in the
    trade log before anything is drawn; the seed stays sealed (`experts.sealed_seed`) until
    the evaluation starts, when it is revealed for the audit record.
    """

    class State(models.TextChoices):
        COMMITTED = "committed", _("committed (not drawn yet)")
        DRAWN = "drawn", _("drawn (names sealed)")
        FAILED = "failed", _("failed (not enough eligible experts)")
        REVEALED = "revealed", _("evaluation started (names revealed)")
        CANCELLED = "cancelled", _("cancelled")

    class RegionScope(models.TextChoices):
        LOCAL = "local", _("local experts")
        REMOTE = "remote", _("remote, off-site experts (远程异地)")
        ANY = "any", _("the whole pool")

    project_id = models.BigIntegerField(_("project"), db_index=True)
    lot_id = models.BigIntegerField(_("lot"), null=True, blank=True)
    project_title = models.CharField(_("project title"), max_length=200)
    category = models.CharField(_("category"), max_length=32)
    centre = models.ForeignKey(
        "centres.Centre", verbose_name=_("centre"), on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        "centres.Region",
        verbose_name=_("project region"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    tenderee_uscc = models.CharField(_("tenderee"), max_length=18, db_index=True)
    parties = models.JSONField(_("parties avoided"), default=dict)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"))
    needed_from = models.DateTimeField(_("evaluation starts"))
    needed_until = models.DateTimeField(_("evaluation ends"))
    region_scope = models.CharField(_("region scope"), max_length=16, choices=RegionScope.choices)
    home_regions = models.JSONField(_("the project's area (region codes)"), default=list)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.COMMITTED
    )
    algorithm = models.CharField(_("algorithm"), max_length=32)
    commitment = models.CharField(_("commitment: SHA-256 of the seed"), max_length=64)
    eligible_digest = models.CharField(_("digest of the eligible sets"), max_length=64)
    public_value = models.CharField(_("public value"), max_length=64, blank=True)
    commit_log_seq = models.BigIntegerField(_("trade-log entry of the commitment"), null=True)
    seed_sealed = models.TextField(blank=True, editable=False)
    seed_revealed = models.CharField(_("seed (revealed)"), max_length=64, blank=True)
    rules = models.JSONField(_("rules applied"), default=dict)
    # Write-once audit value, read whole, never queried inside: text, not jsonb.
    exclusions = TextJSONField(_("exclusions with reasons"), default=list)
    failure_reason = models.CharField(_("failure reason"), max_length=300, blank=True)
    next_invite_seq = models.PositiveIntegerField(default=0, editable=False)
    next_vacancy_seq = models.PositiveIntegerField(default=0, editable=False)
    drawn_at = models.DateTimeField(_("drawn at"), null=True, blank=True)
    revealed_at = models.DateTimeField(_("revealed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("expert draw")
        verbose_name_plural = _("expert draws")
        constraints = [
            models.CheckConstraint(
                condition=Q(needed_until__gt=F("needed_from")), name="draw_window_positive"
            ),
            models.CheckConstraint(
                condition=Q(seed_revealed="") | Q(state__in=["revealed", "cancelled", "failed"]),
                name="draw_seed_revealed_only_when_unsealed",
            ),
        ]
        indexes = [models.Index(fields=["state", "needed_from"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.project_title}"

    @property
    def is_sealed(self) -> bool:
        """Names and seed stay sealed while the draw is live; a draw that was cancelled or
        failed has nothing left to protect and is opened for the audit like a revealed one."""
        return self.state in {self.State.COMMITTED, self.State.DRAWN}


class DrawGroup(models.Model):
    """One specialty of a draw: how many members and reserves, and the eligible set."""

    draw = models.ForeignKey(ExpertDraw, on_delete=models.PROTECT, related_name="groups")
    position = models.PositiveSmallIntegerField()
    specialty = models.ForeignKey(Specialty, on_delete=models.PROTECT, related_name="+")
    specialty_code = models.CharField(max_length=16)
    count = models.PositiveSmallIntegerField()
    backups = models.PositiveSmallIntegerField(default=0)
    eligible = TextJSONField(default=list)  # expert ids, ascending (see experts.text_json)
    eligible_digest = models.CharField(max_length=64)

    class Meta:
        ordering = ["draw", "position"]
        verbose_name = _("draw group")
        verbose_name_plural = _("draw groups")
        constraints = [
            models.UniqueConstraint(fields=["draw", "position"], name="draw_group_position_once"),
            models.CheckConstraint(condition=Q(count__gte=1), name="draw_group_count_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.draw_id}/{self.position} {self.specialty_code}×{self.count}"


class DrawInvitation(models.Model):
    """An expert invited by a draw. While invited or confirmed it holds the expert's time:
    an exclusion constraint (PostgreSQL) or a trigger (SQLite) refuses an overlapping live
    invitation of the same expert (migration 0003)."""

    class State(models.TextChoices):
        INVITED = "invited", _("invited, awaiting an answer")
        CONFIRMED = "confirmed", _("confirmed")
        DECLINED = "declined", _("declined")
        NO_ANSWER = "no_answer", _("no answer in time")
        RECUSED = "recused", _("recused (conflict of interest)")
        SKIPPED = "skipped", _("skipped (no longer eligible)")
        RELEASED = "released", _("released")

    LIVE = ("invited", "confirmed")
    VACATED = ("declined", "no_answer", "recused", "skipped")

    draw = models.ForeignKey(ExpertDraw, on_delete=models.PROTECT, related_name="invitations")
    group = models.ForeignKey(DrawGroup, on_delete=models.PROTECT, related_name="invitations")
    expert = models.ForeignKey(ExpertProfile, on_delete=models.PROTECT, related_name="invitations")
    invite_seq = models.PositiveIntegerField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.INVITED)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    invited_at = models.DateTimeField()
    respond_by = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)
    vacated_seq = models.PositiveIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["draw", "invite_seq"]
        verbose_name = _("draw invitation")
        verbose_name_plural = _("draw invitations")
        constraints = [
            models.UniqueConstraint(fields=["draw", "expert"], name="invitation_expert_once"),
            models.UniqueConstraint(fields=["draw", "invite_seq"], name="invitation_seq_once"),
            models.UniqueConstraint(
                fields=["draw", "vacated_seq"], name="invitation_vacancy_seq_once"
            ),
            models.CheckConstraint(
                condition=Q(vacated_seq__isnull=True)
                | Q(state__in=["declined", "no_answer", "recused", "skipped"]),
                name="invitation_vacancy_only_when_vacated",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="invitation_window_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["expert", "state", "ends_at"]),
            # Every draw asks which invitations of other draws meet its window, and which
            # experts served its tenderee in the last year: without these the invitations of
            # the platform's whole history are read for each draw, once per draw more.
            models.Index(
                fields=["ends_at"],
                condition=Q(state__in=["invited", "confirmed"]),
                name="invitation_live_ends",
            ),
            models.Index(
                fields=["starts_at"],
                condition=Q(state="confirmed"),
                name="invitation_confirmed_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.draw_id}#{self.invite_seq}"


# --- Credit and blacklist (F5) --------------------------------------------------------------


class ConductRecord(models.Model):
    """A record of an expert's conduct in an evaluation, by the centre or a regulator.

    Append-only: the database refuses UPDATE and DELETE (pgtrigger on PostgreSQL, a trigger
    on SQLite in migration 0003). A mistaken record is answered by a later one, not erased.
    """

    class Kind(models.TextChoices):
        LATE = "late", _("late")
        ABSENT = "absent", _("absent without notice")
        OUT_OF_LINE = "out_of_line", _("scores out of line with the committee")
        COMPLAINT = "complaint", _("verified complaint")

    expert = models.ForeignKey(
        ExpertProfile,
        verbose_name=_("expert"),
        on_delete=models.PROTECT,
        related_name="conduct_records",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    serious = models.BooleanField(
        _("serious"), default=False, help_text=_("A serious case blacklists the expert at once.")
    )
    points = models.PositiveSmallIntegerField(_("points deducted"))
    draw = models.ForeignKey(
        ExpertDraw,
        verbose_name=_("draw"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="conduct_records",
    )
    project_id = models.BigIntegerField(_("project"), null=True, blank=True)
    note = models.TextField(_("note"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("conduct record")
        verbose_name_plural = _("conduct records")
        indexes = [models.Index(fields=["expert", "recorded_at"])]
        triggers = [
            pgtrigger.Protect(
                name="conduct_record_append_only",
                operation=pgtrigger.Update | pgtrigger.Delete,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.expert_id} {self.kind} {self.recorded_at:%Y-%m-%d}"


class BlacklistEntry(models.Model):
    """The expert is on the blacklist (黑名单) for [starts_at, ends_at) and is never drawn."""

    expert = models.ForeignKey(
        ExpertProfile,
        verbose_name=_("expert"),
        on_delete=models.PROTECT,
        related_name="blacklist_entries",
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=300)
    conduct = models.ForeignKey(
        ConductRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("blacklist entry")
        verbose_name_plural = _("blacklist entries")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="blacklist_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["expert", "ends_at"])]

    def __str__(self) -> str:
        return f"{self.expert_id} {self.starts_at:%Y-%m-%d}–{self.ends_at:%Y-%m-%d}"
