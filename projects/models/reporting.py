"""What hangs off project reporting: files attached to updates, new sites reported in them, and the
reminders sent for due reports."""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


def attachment_path(instance: UpdateAttachment, filename: str) -> str:
    # The stored name never comes from the user (the original name is kept in a column): no path
    # tricks, no clashes, no guessable URLs. Files are served through a permission-checked view.
    return f"attachments/{instance.update.project_id}/{instance.sha256[:2]}/{instance.sha256}"


class UpdateAttachment(models.Model):
    """A file (PDF, image, office document) attached to a project update."""

    update = models.ForeignKey(
        "projects.ProjectUpdate", on_delete=models.CASCADE, related_name="attachments", verbose_name=_("update")
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("file type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    description = models.CharField(_("description"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["update", "uploaded_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [models.UniqueConstraint(fields=["update", "sha256"], name="attachment_once_per_update")]

    def __str__(self) -> str:
        return self.original_name


class ReportReminder(models.Model):
    """One reminder e-mail sent for one project's report of one period (so it is sent once)."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Due soon")
        OVERDUE = "overdue", _("Overdue")

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="report_reminders", verbose_name=_("project")
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    due_date = models.DateField(_("due date"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    recipients = models.TextField(_("recipients"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("report reminder")
        verbose_name_plural = _("report reminders")
        constraints = [
            models.UniqueConstraint(fields=["project", "period_end", "kind"], name="report_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.period_end} {self.kind}"


# Libya's bounding box, a little generous: a point outside it is a typing slip (latitude and longitude
# swapped, a sign lost), not a site of a Libyan municipality.
LIBYA_LATITUDE = (19.0, 34.0)
LIBYA_LONGITUDE = (9.0, 26.0)


def validate_in_libya(*, lat: float, lon: float) -> None:
    if not (LIBYA_LATITUDE[0] <= lat <= LIBYA_LATITUDE[1] and LIBYA_LONGITUDE[0] <= lon <= LIBYA_LONGITUDE[1]):
        raise ValidationError(
            _("The site must be in Libya: latitude between 19 and 34 (north), longitude between 9 and 26 "
              "(east). Check that latitude and longitude are not swapped."), code="outside_libya")


class UpdateSite(models.Model):
    """A new site a focal point reports in an update. It joins the project's sites (``site``) only once the
    ministry accepts the update: until then it is the partner's claim, not the ministry's record."""

    update = models.ForeignKey(
        "projects.ProjectUpdate", on_delete=models.CASCADE, related_name="new_sites", verbose_name=_("update")
    )
    name_ar = models.CharField(_("name (Arabic)"), max_length=250, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=250, blank=True)
    point = models.PointField(_("location"), srid=4326)
    municipality = models.ForeignKey(
        "municipalities.Municipality", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("municipality"),
    )
    site = models.ForeignKey(
        "projects.Site", on_delete=models.SET_NULL, null=True, blank=True, related_name="reported_in",
        verbose_name=_("project site"), help_text=_("The project's site made from this one when the update was accepted."),
    )

    class Meta:
        ordering = ["update", "pk"]
        verbose_name = _("new site")
        verbose_name_plural = _("new sites")
        constraints = [
            # Checked by full_clean too (forms, admin, services), so its message is the one people read.
            models.CheckConstraint(
                condition=Q(name_ar__gt="") | Q(name_en__gt=""), name="update_site_has_a_name",
                violation_error_message=_("Give the site's name in Arabic or English."),
            ),
        ]

    def __str__(self) -> str:
        return self.name_ar or self.name_en

    def clean(self) -> None:
        if self.point is not None:
            try:
                validate_in_libya(lat=self.point.y, lon=self.point.x)
            except ValidationError as exc:
                raise ValidationError({"point": exc.messages}) from None


class ReportingPeriod(models.Model):
    """One reporting period of one project and when its report came: the reporting calendar stored, so the
    pages read overdue and upcoming reports from an index instead of computing every project's periods.

    Derived data: ``projects.reporting.services.periods.reporting_periods_sync`` rebuilds the rows from the projects and
    their submitted updates (``projects.reporting.calendar``), when they change and daily as days pass.
    """

    # No index of its own: the unique (project, period_end) serves lookups by project.
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="reporting_periods", verbose_name=_("project"),
        db_index=False,
    )
    # The project's reporting partner, copied: a partner's list read through the project was at the
    # planner's mercy (0.8 s at 100,000 projects for a partner that has reported nearly everything, as it
    # walked every overdue row looking for the partner's); here one index holds a partner's rows in order.
    partner = models.ForeignKey(
        "projects.Partner", on_delete=models.CASCADE, related_name="+", verbose_name=_("reporting partner"),
        db_index=False,
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    due_date = models.DateField(_("due date"))
    submitted_on = models.DateField(
        _("submitted on"), null=True, blank=True,
        help_text=_("The day the first update covering the end of this period was submitted."),
    )

    class Meta:
        ordering = ["project", "period_end"]
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        constraints = [
            models.UniqueConstraint(fields=["project", "period_end"], name="reporting_period_once"),
        ]
        # The reports still owed, in the order the lists show them, so a page is read from the index and
        # the scan stops after it: every partner's (the ministry) and one partner's (a focal point).
        indexes = [
            models.Index(fields=["due_date", "partner", "project"], condition=Q(submitted_on__isnull=True),
                         name="reporting_period_open"),
            models.Index(fields=["partner", "due_date", "project"], condition=Q(submitted_on__isnull=True),
                         name="reporting_period_partner_open"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.period_start}–{self.period_end}"
