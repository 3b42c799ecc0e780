"""Per-project totals of a project's places and sectors, read by the money's place and sector fractions
(``projects.selectors.money``).

Both are database views (migration 0019), not tables: nothing writes them, so no write path (services,
importers, admin inlines, the seed, factories) has to keep them current. A grouped query joins a view once
(one pass over the parts, hashed) instead of reading the project's parts again for every row summed, which was
most of the cost of the money figures at 100,000 projects.
"""

from django.db import models

from projects.models.projects import Project


class ProjectPlaceTotals(models.Model):
    """A project's places: how many, how many without a positive share, and the sum of the shares."""

    project = models.OneToOneField(Project, primary_key=True, on_delete=models.DO_NOTHING,
                                   related_name="place_totals", db_constraint=False)
    places = models.IntegerField()
    unshared = models.IntegerField()
    share_total = models.FloatField(null=True)

    class Meta:
        managed = False
        db_table = "projects_place_totals"

    def __str__(self) -> str:
        return f"{self.project_id}: {self.places}"


class ProjectSectorTotals(models.Model):
    """The sum of a project's sector percentages."""

    project = models.OneToOneField(Project, primary_key=True, on_delete=models.DO_NOTHING,
                                   related_name="sector_totals", db_constraint=False)
    percentage_total = models.FloatField()

    class Meta:
        managed = False
        db_table = "projects_sector_totals"

    def __str__(self) -> str:
        return f"{self.project_id}: {self.percentage_total}"
