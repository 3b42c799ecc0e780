"""Coverage figures stored by the gap runs, so pages and the API read them instead of running the engine.

One row per municipality (``sector`` empty) and per municipality × sector, for each *scope* of projects a
reader's figures may be drawn from (``CoverageScope``): the ministry's (every project) and the accepted
projects only (what every focal point sees of the other partners). A focal point's own partner's projects
that are not accepted yet are laid over the accepted scope at read time (``coordination.selectors.coverage``).
The roll-ups (regions, districts, country, concentration) are stored whole per scope by the full runs.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CoverageScope(models.TextChoices):
    ALL = "all", _("Every project (the ministry's view)")
    ACCEPTED = "accepted", _("Accepted projects")


class CoverageFigure(models.Model):
    """The gap engine's figure for one municipality (or one sector of it) on ``on``, as the run ``run`` found it."""

    scope = models.CharField(_("scope"), max_length=10, choices=CoverageScope.choices)
    municipality = models.ForeignKey("municipalities.Municipality", on_delete=models.CASCADE,
                                     related_name="coverage_figures", verbose_name=_("municipality"))
    sector = models.ForeignKey("municipalities.Sector", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="coverage_figures", verbose_name=_("sector"))
    run = models.ForeignKey("coordination.AnalysisRun", on_delete=models.SET_NULL, null=True, blank=True,
                            related_name="+", verbose_name=_("run"))
    on = models.DateField(_("figures for"))
    # When these figures were found; a later run that finds the same keeps it (only ``on`` moves).
    as_of = models.DateTimeField(_("as of"))
    active_projects = models.PositiveIntegerField(_("active projects"), default=0)
    partners = models.PositiveIntegerField(_("partners"), default=0)
    budget_usd = models.FloatField(_("budget of active projects (USD)"), default=0)
    projects_without_budget = models.PositiveIntegerField(default=0)
    # ``projects.selectors.money.usd_attributed`` over every counted project (any status): the map's money.
    usd_attributed = models.FloatField(_("USD attributed"), default=0)
    usd_unconverted = models.JSONField(default=list, blank=True)  # currencies left out for want of a rate
    population = models.PositiveIntegerField(null=True, blank=True)
    severity = models.PositiveSmallIntegerField(null=True, blank=True)
    people_in_need = models.PositiveIntegerField(null=True, blank=True)
    displaced = models.PositiveIntegerField(null=True, blank=True)
    returnees = models.PositiveIntegerField(null=True, blank=True)
    need_assessed_on = models.DateField(null=True, blank=True)
    budget_per_capita = models.FloatField(null=True, blank=True)
    budget_per_person_in_need = models.FloatField(null=True, blank=True)
    gap_score = models.FloatField(_("gap score"))
    unreached = models.BooleanField(_("unreached"), default=False)
    # Municipality rows only: the area (else the point) simplified for the web once, as GeoJSON.
    web_geometry = models.JSONField(null=True, blank=True)
    area_is_official = models.BooleanField(null=True, blank=True)

    class Meta:
        verbose_name = _("coverage figure")
        verbose_name_plural = _("coverage figures")
        constraints = [
            models.UniqueConstraint(fields=["scope", "municipality", "sector"], condition=Q(sector__isnull=False),
                                    name="coverage_figure_cell_unique"),
            models.UniqueConstraint(fields=["scope", "municipality"], condition=Q(sector__isnull=True),
                                    name="coverage_figure_municipality_unique"),
        ]
        indexes = [models.Index(fields=["scope", "sector"])]

    def __str__(self) -> str:
        return f"{self.scope} {self.municipality_id}/{self.sector_id or '-'} {self.on}"


class CoverageSummary(models.Model):
    """The roll-ups of one scope's last full run, whole (every sector), as the summary API serves them."""

    scope = models.CharField(_("scope"), max_length=10, choices=CoverageScope.choices, unique=True)
    run = models.ForeignKey("coordination.AnalysisRun", on_delete=models.SET_NULL, null=True, blank=True,
                            related_name="+")
    on = models.DateField(_("figures for"))
    as_of = models.DateTimeField(_("as of"))
    body = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("coverage summary")
        verbose_name_plural = _("coverage summaries")

    def __str__(self) -> str:
        return f"{self.scope} {self.on}"
