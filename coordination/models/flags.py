"""The committee's view across everything: analysis runs and the flags they raise.

A flag (duplicate pair, gap, delay) has one life: open → confirmed / related / dismissed,
with who, when and why. Re-running an analysis updates scores and reasons; it never
reopens a decided flag unless the facts behind it changed materially (the fingerprint
recorded at decision time no longer matches).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class AnalysisRun(models.Model):
    """One run of an analysis job: when, how long, how far, what it found."""

    class Kind(models.TextChoices):
        DUPLICATES = "duplicates", _("Duplicates")
        GAPS = "gaps", _("Coverage gaps")
        DELAYS = "delays", _("Delays")
        ALIGNMENT = "alignment", _("Alignment with plans")

    class Mode(models.TextChoices):
        FULL = "full", _("Full scan")
        INCREMENTAL = "incremental", _("Incremental check")

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("analysis"), max_length=12, choices=Kind.choices)
    mode = models.CharField(_("mode"), max_length=12, choices=Mode.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    duration_seconds = models.FloatField(_("duration (s)"), null=True, blank=True)
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("to do"), default=0)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("started by"),
    )

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("analysis run")
        verbose_name_plural = _("analysis runs")
        indexes = [models.Index(fields=["kind", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_mode_display()} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def progress_percent(self) -> int:
        if not self.progress_total:
            return 100 if self.status != self.Status.RUNNING else 0
        return min(100, round(100 * self.progress_done / self.progress_total))


class FlagStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CONFIRMED = "confirmed", _("Confirmed")
    RELATED = "related", _("Related / co-funded")
    DISMISSED = "dismissed", _("Dismissed")


class Flag(models.Model):
    """What every flag shares: its score and reasons, and the review decision."""

    status = models.CharField(_("status"), max_length=10, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    score = models.FloatField(_("score"))
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("reviewer's note"), blank=True)
    decided_fingerprint = models.CharField(
        _("facts at decision time"), max_length=64, blank=True,
        help_text=_("A digest of the facts the decision was about; a material change reopens the flag."),
    )
    fingerprint = models.CharField(_("facts last seen"), max_length=64, blank=True)
    resolved_at = models.DateTimeField(
        _("no longer holds since"), null=True, blank=True,
        help_text=_("Set when an analysis no longer finds what the flag is about; the flag and its review are kept."),
    )
    first_seen_run = models.ForeignKey(
        AnalysisRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("first seen in")
    )
    last_seen_run = models.ForeignKey(
        AnalysisRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("last seen in")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class DuplicateFlag(Flag):
    class Kind(models.TextChoices):
        REPORTED_TWICE = "reported_twice", _("Same project reported twice")
        OVERLAP = "overlap", _("Overlapping interventions by different partners")
        RELATED_PHASE = "related_phase", _("Related phase / parent–child")

    project_a = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="+", verbose_name=_("project A")
    )
    project_b = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="+", verbose_name=_("project B")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    counted_project = models.ForeignKey(
        "projects.Project", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("record that counts"),
        help_text=_("For a confirmed double report: the record whose money is counted."),
    )
    history = HistoricalRecords(excluded_fields=["updated_at", "last_seen_run"])

    class Meta:
        ordering = ["-score"]
        verbose_name = _("duplicate flag")
        verbose_name_plural = _("duplicate flags")
        constraints = [
            # One flag per pair, whichever order two overlapping scans see it in.
            models.UniqueConstraint(fields=["project_a", "project_b"], name="duplicate_flag_pair_unique"),
            models.CheckConstraint(condition=Q(project_a__lt=F("project_b")), name="duplicate_flag_pair_ordered"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=1), name="duplicate_flag_score_0_1"),
        ]
        indexes = [models.Index(fields=["status", "-score"]), models.Index(fields=["project_b"])]

    def __str__(self) -> str:
        return f"#{self.project_a_id} ~ #{self.project_b_id} ({self.score:.2f})"



KEY_LENGTH = 255


class DuplicateBlockKey(models.Model):
    """A block of the duplicate engine that a project belongs to, kept so that an incremental check
    finds the project's candidates with one indexed query instead of preparing every project of its
    municipalities (``DuplicateIndex.block_keys``). Written by the full scan for every project and
    refreshed by each incremental check for the projects it checks; a project without any key has
    not been seen yet, and the incremental check compares it anyway."""

    pk = models.CompositePrimaryKey("project", "key")
    # The primary key starts with the project: no second index for the foreign key.
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="+", db_index=False, verbose_name=_("project")
    )
    key = models.CharField(_("block key"), max_length=KEY_LENGTH)

    class Meta:
        verbose_name = _("duplicate block key")
        verbose_name_plural = _("duplicate block keys")
        indexes = [models.Index(fields=["key"], name="duplicate_block_key_key")]

    def __str__(self) -> str:
        return f"#{self.project_id} {self.key}"

    @staticmethod
    def fit(key: str) -> str:
        """The key as stored. The engine's block keys are short, but an identifier may be long: such a
        key keeps its start and a digest of the whole (a collision would only add a candidate, which
        the engine then scores or leaves, as it does every member of the pool)."""
        if len(key) <= KEY_LENGTH:
            return key
        digest = hashlib.sha256(key.encode()).hexdigest()
        return f"{key[:KEY_LENGTH - len(digest) - 1]}#{digest}"

# --- coverage gaps and delays ------------------------------------------------------------
#
# A run keeps one flag per finding, whatever the order of runs: the unique constraints below and
# the upsert in coordination.services.flag_life make overlapping runs safe. When a finding's
# condition no longer holds, the flag is not deleted: ``resolved_at`` is set (its review history
# stays readable) and the review queues leave it out; if the condition comes back the same flag
# carries on. ``fingerprint`` (on Flag) is the digest of the facts as last seen; ``decided_fingerprint`` (on
# Flag) the digest when a reviewer decided: when they differ the flag is reopened.


class GapFlag(Flag):
    """A municipality no active project reaches (``sector`` empty), or a sector of it with a
    severe need and no active project in that sector."""

    municipality = models.ForeignKey(
        "municipalities.Municipality", on_delete=models.CASCADE, related_name="gap_flags",
        verbose_name=_("municipality"),
    )
    sector = models.ForeignKey(
        "municipalities.Sector", on_delete=models.CASCADE, null=True, blank=True, related_name="gap_flags",
        verbose_name=_("sector"), help_text=_("Empty: no active project in the municipality at all."),
    )
    severity = models.PositiveSmallIntegerField(_("need severity"), null=True, blank=True)
    people_in_need = models.PositiveIntegerField(_("people in need"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at", "last_seen_run"])

    class Meta:
        ordering = ["-score"]
        verbose_name = _("coverage gap flag")
        verbose_name_plural = _("coverage gap flags")
        constraints = [
            # NULLs are distinct in a unique index, so the whole-municipality flag has its own.
            models.UniqueConstraint(
                fields=["municipality", "sector"], condition=Q(sector__isnull=False), name="gap_flag_cell_unique"
            ),
            models.UniqueConstraint(
                fields=["municipality"], condition=Q(sector__isnull=True), name="gap_flag_municipality_unique"
            ),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=1), name="gap_flag_score_0_1"),
        ]
        indexes = [models.Index(fields=["status", "-score"]), models.Index(fields=["sector"])]

    def __str__(self) -> str:
        return f"{self.municipality} / {self.sector or '*'} ({self.score:.2f})"


class DelayFlag(Flag):
    """A project that trips one delay rule (one flag per project and rule)."""

    class Rule(models.TextChoices):
        END_PASSED = "end_passed", _("Planned end passed")
        START_PASSED = "start_passed", _("Planned start passed, still in the pipeline")
        LATE_START = "late_start", _("Started late")
        PROGRESS_BEHIND = "progress_behind", _("Progress behind time")
        NO_RECENT_UPDATE = "no_recent_update", _("No recent accepted update")
        SUSPENDED = "suspended", _("Suspended")

    class Severity(models.IntegerChoices):
        LOW = 1, _("Low")
        MEDIUM = 2, _("Medium")
        HIGH = 3, _("High")

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="delay_flags", verbose_name=_("project")
    )
    rule = models.CharField(_("rule"), max_length=20, choices=Rule.choices)
    severity = models.PositiveSmallIntegerField(_("severity"), choices=Severity.choices)
    history = HistoricalRecords(excluded_fields=["updated_at", "last_seen_run"])

    class Meta:
        ordering = ["-score"]
        verbose_name = _("delay flag")
        verbose_name_plural = _("delay flags")
        constraints = [
            models.UniqueConstraint(fields=["project", "rule"], name="delay_flag_project_rule_unique"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=1), name="delay_flag_score_0_1"),
            models.CheckConstraint(condition=Q(severity__gte=1) & Q(severity__lte=3), name="delay_flag_severity_1_3"),
        ]
        indexes = [models.Index(fields=["status", "-score"]), models.Index(fields=["rule", "status"]),
                   # The queue's order over the current flags: its page is read from here, not sorted whole.
                   models.Index(fields=["-score", "id"], condition=Q(resolved_at__isnull=True),
                                name="delay_flag_current_order")]

    def __str__(self) -> str:
        return f"#{self.project_id} {self.rule} ({self.score:.2f})"


class DuplicateKindThreshold(models.Model):
    """What reviewers' decisions taught the duplicate engine: per kind of finding, the score from
    which an undecided pair is shown (``coordination.analysis.duplicates.learning``). Refitted by
    ``duplicate_thresholds_fit``; a kind without a row keeps the engine's threshold. It never changes
    a decided pair."""

    kind = models.CharField(_("kind"), max_length=16, choices=DuplicateFlag.Kind.choices, unique=True)
    threshold = models.FloatField(_("threshold"))
    decisions = models.PositiveIntegerField(_("decisions it was fitted on"))
    fitted_at = models.DateTimeField(_("fitted at"), auto_now=True)

    class Meta:
        verbose_name = _("learned duplicate threshold")
        verbose_name_plural = _("learned duplicate thresholds")

    def __str__(self) -> str:
        return f"{self.kind} ≥ {self.threshold}"
