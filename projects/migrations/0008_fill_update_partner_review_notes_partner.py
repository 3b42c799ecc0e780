"""Fill in which partner wrote each update and which partner each project's review notes were written for.

A project that never changed partner: everything on it is its partner's (two UPDATE statements). A project the
ministry moved (its history names another reporting partner than it has now) is read from its history:

- an update (and each of its versions) is the partner's that reported the project when the update was created;
- the review notes of each version are the partner's that reported the project when they were written, and no
  partner's (the ministry's eyes only) when a version carries notes written for different partners (a note of
  the old partner left beside the new partner's submission, as the services did before this change).

Filling the project's current partner in instead would hand the old partner's drafts to the new one: the very
leak these columns close. Reverse: nothing to undo (0007's reverse drops the columns).
"""

from bisect import bisect_right

from django.db import migrations
from django.db.models import Exists, F, Min, OuterRef, Subquery

# The review notes, in the groups written together: the submission, and the review.
NOTE_GROUPS = (("submitted_by_id", "submitted_at"), ("reviewed_by_id", "reviewed_at", "review_comment"))
NOTES = tuple(name for group in NOTE_GROUPS for name in group)


def notes_owners(versions: list[dict]) -> list[int | None]:
    """For a project's versions, oldest first (dicts with ``reporting_partner_id`` and the NOTES), the partner
    each version's review notes were written for: the one reporting the project when each group of notes was
    last written; None when a version carries groups written for different partners."""
    written_for: dict[tuple[str, ...], int] = {}
    previous = None
    owners: list[int | None] = []
    for version in versions:
        for group in NOTE_GROUPS:
            if previous is None or any(version[name] != previous[name] for name in group):
                written_for[group] = version["reporting_partner_id"]
        filled = {written_for[group] for group in NOTE_GROUPS
                  if any(version[name] not in (None, "") for name in group)}
        if not filled:
            owners.append(version["reporting_partner_id"])
        else:
            owners.append(filled.pop() if len(filled) == 1 else None)
        previous = version
    return owners


def forwards(apps, schema_editor) -> None:
    Project = apps.get_model("projects", "Project")
    HistoricalProject = apps.get_model("projects", "HistoricalProject")
    ProjectUpdate = apps.get_model("projects", "ProjectUpdate")
    HistoricalProjectUpdate = apps.get_model("projects", "HistoricalProjectUpdate")

    partner_of_project = Subquery(Project.objects.filter(pk=OuterRef("project_id")).values("reporting_partner_id")[:1])
    Project.objects.update(review_notes_partner_id=F("reporting_partner_id"))
    HistoricalProject.objects.update(review_notes_partner_id=F("reporting_partner_id"))
    ProjectUpdate.objects.update(partner_id=partner_of_project)
    HistoricalProjectUpdate.objects.update(partner_id=partner_of_project)

    moved = Project.objects.filter(Exists(HistoricalProject.objects.filter(id=OuterRef("pk")).exclude(
        reporting_partner_id=OuterRef("reporting_partner_id"))))
    columns = ("reporting_partner_id", *NOTES)
    for project in list(moved.values("pk", *columns)):
        versions = list(HistoricalProject.objects.filter(id=project["pk"]).order_by("history_date", "history_id")
                        .values("history_id", "history_date", *columns))
        # The row as it is now closes the trail (a bulk write may have left no version of it).
        owners = notes_owners([*versions, project])
        for version, owner in zip(versions, owners, strict=False):
            if owner != version["reporting_partner_id"]:
                HistoricalProject.objects.filter(history_id=version["history_id"]).update(
                    review_notes_partner_id=owner)
        Project.objects.filter(pk=project["pk"]).update(review_notes_partner_id=owners[-1])

        dates = [v["history_date"] for v in versions]
        created = (HistoricalProjectUpdate.objects.filter(project_id=project["pk"]).values("id")
                   .annotate(first=Min("history_date")).values_list("id", "first"))
        for update_id, first in created:
            at = max(bisect_right(dates, first) - 1, 0)
            author = versions[at]["reporting_partner_id"]
            ProjectUpdate.objects.filter(pk=update_id).update(partner_id=author)
            HistoricalProjectUpdate.objects.filter(id=update_id).update(partner_id=author)


class Migration(migrations.Migration):

    dependencies = [
        ("projects", "0007_update_partner_review_notes_partner"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
