"""Alignment with the development plans: the project ↔ objective links people decide on, and the
alignment flags.

The engine suggests links (``suggested``, with a score and reasons); a person confirms or rejects
them. A decided link (confirmed or rejected) is never changed by the engine: a re-run refreshes the
score and reasons of suggestions only, and drops suggestions it no longer makes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from coordination.models.flags import Flag


class ObjectiveLink(models.Model):
    class Status(models.TextChoices):
        SUGGESTED = "suggested", _("Suggested")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="objective_links",
                                verbose_name=_("project"))
    objective = models.ForeignKey("municipalities.PlanObjective", on_delete=models.CASCADE,
                                  related_name="project_links", verbose_name=_("objective"))
    score = models.FloatField(_("score"), default=0)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUGGESTED)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at", "score", "reasons"])

    class Meta:
        ordering = ["project", "-score"]
        verbose_name = _("objective link")
        verbose_name_plural = _("objective links")
        constraints = [
            models.UniqueConstraint(fields=["project", "objective"], name="objective_link_unique"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=1), name="objective_link_score_0_1"),
        ]
        indexes = [models.Index(fields=["objective", "status"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"#{self.project_id} → {self.objective_id} ({self.status})"


class AlignmentFlag(Flag):
    """A project outside every approved plan, a municipality's priority objective with no active
    project, or a municipality whose money goes mostly outside its plan's priority sectors."""

    class Kind(models.TextChoices):
        OUTSIDE_PLANS = "outside_plans", _("Project outside every approved plan")
        PRIORITY_UNFUNDED = "priority_unfunded", _("Priority objective unfunded")
        CONCENTRATED = "concentrated_outside_priorities", _("Funding concentrated outside priorities")

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, null=True, blank=True,
                                related_name="alignment_flags", verbose_name=_("project"))
    objective = models.ForeignKey("municipalities.PlanObjective", on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="alignment_flags", verbose_name=_("objective"))
    municipality = models.ForeignKey("municipalities.Municipality", on_delete=models.CASCADE, null=True, blank=True,
                                     related_name="alignment_flags", verbose_name=_("municipality"))
    share_outside = models.FloatField(_("share outside priorities"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at", "last_seen_run"])

    class Meta:
        ordering = ["-score"]
        verbose_name = _("alignment flag")
        verbose_name_plural = _("alignment flags")
        constraints = [
            models.UniqueConstraint(fields=["project"], condition=Q(kind="outside_plans"),
                                    name="alignment_flag_outside_unique"),
            models.UniqueConstraint(fields=["objective", "municipality"], condition=Q(kind="priority_unfunded"),
                                    name="alignment_flag_unfunded_unique"),
            models.UniqueConstraint(fields=["municipality"], condition=Q(kind="concentrated_outside_priorities"),
                                    name="alignment_flag_concentrated_unique"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=1), name="alignment_flag_score_0_1"),
            models.CheckConstraint(
                condition=(Q(kind="outside_plans") & Q(project__isnull=False))
                | (Q(kind="priority_unfunded") & Q(objective__isnull=False) & Q(municipality__isnull=False))
                | (Q(kind="concentrated_outside_priorities") & Q(municipality__isnull=False)),
                name="alignment_flag_subject_matches_kind",
            ),
        ]
        indexes = [models.Index(fields=["status", "-score"]), models.Index(fields=["kind", "status"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.project_id or self.objective_id or self.municipality_id} ({self.score:.2f})"


class AlignmentPlace(models.Model):
    """A municipality the alignment last saw a project in, kept so that the incremental run after a change
    of places re-judges the municipalities the project left too (its money and links counted in their
    flags) instead of running in full. Written by the full run for every project and refreshed by each
    incremental run for the projects it checks; a project without a row had not been seen, and counted
    nowhere."""

    pk = models.CompositePrimaryKey("project", "municipality")
    # The primary key starts with the project: no second index for the foreign key.
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+", db_index=False,
                                verbose_name=_("project"))
    municipality = models.ForeignKey("municipalities.Municipality", on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("municipality"))

    class Meta:
        verbose_name = _("place seen by the alignment")
        verbose_name_plural = _("places seen by the alignment")

    def __str__(self) -> str:
        return f"#{self.project_id} @ {self.municipality_id}"
