"""Data exchange records: uploaded files imported as background jobs, and other names partners go by."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinLengthValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def import_upload_path(instance: ImportJob, filename: str) -> str:
    # Never the user's file name on disk (kept in ``original_name``).
    return f"imports/{timezone.now():%Y/%m}/{instance.sha256}"


class ImportJob(models.Model):
    """An uploaded spreadsheet or IATI file: checked (preview), then committed all or nothing."""

    class Kind(models.TextChoices):
        SPREADSHEET = "spreadsheet", _("Spreadsheet (3W)")
        IATI = "iati", _("IATI XML")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        CHECKING = "checking", _("Checking")
        CHECKED = "checked", _("Checked: ready to import")
        INVALID = "invalid", _("Has errors")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    partner = models.ForeignKey(
        "projects.Partner", on_delete=models.PROTECT, null=True, blank=True, related_name="import_jobs",
        verbose_name=_("partner"), help_text=_("The partner a focal point imports for; empty for the ministry."),
    )
    file = models.FileField(_("file"), upload_to=import_upload_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    language = models.CharField(_("language"), max_length=10, default="ar")
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), default=0)
    preview = models.JSONField(_("preview"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        indexes = [models.Index(fields=["status"])]
        constraints = [
            models.CheckConstraint(condition=Q(progress_done__lte=F("progress_total")) | Q(progress_total=0),
                                   name="import_job_progress_bounded"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name} ({self.get_status_display()})"


class PartnerAlias(models.Model):
    """Another name or code under which a partner appears in imported files (e.g. "UNDP Libya")."""

    partner = models.ForeignKey(
        "projects.Partner", on_delete=models.CASCADE, related_name="aliases", verbose_name=_("partner")
    )
    name = models.CharField(_("name or code"), max_length=250, validators=[MinLengthValidator(2)])
    # common.text normalisation of ``name``; set by the service that writes aliases.
    normalised = models.CharField(_("normalised name"), max_length=250, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["partner", "name"]
        verbose_name = _("partner alias")
        verbose_name_plural = _("partner aliases")

    def __str__(self) -> str:
        return self.name


def export_file_path(instance: ExportJob, filename: str) -> str:
    # The job's number, never a name a user chose.
    return f"exports/{timezone.now():%Y/%m}/{instance.pk}-{filename}"


class ExportJob(models.Model):
    """A large export (3W CSV or XLSX, IATI XML) written in the background; its file is for whoever asked."""

    class Format(models.TextChoices):
        CSV = "csv", _("3W sheet (CSV)")
        XLSX = "xlsx", _("3W sheet (XLSX)")
        IATI = "iati", _("IATI XML")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", pgettext_lazy("export", "Being written")
        DONE = "done", pgettext_lazy("export", "Ready")
        FAILED = "failed", _("Failed")

    format = models.CharField(pgettext_lazy("export", "format"), max_length=4, choices=Format.choices)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    parameters = models.JSONField(pgettext_lazy("export", "parameters"), default=dict, blank=True,
                                  help_text=_("The filters of the project list, the partner, and whether all "
                                              "visible projects were asked for."))
    language = models.CharField(_("language"), max_length=10, default="ar")
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), default=0)
    file = models.FileField(_("file"), upload_to=export_file_path, max_length=255, blank=True)
    filename = models.CharField(pgettext_lazy("export", "file name"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
        verbose_name=pgettext_lazy("export", "requested by"))
    created_at = models.DateTimeField(pgettext_lazy("export", "requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        indexes = [models.Index(fields=["requested_by", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(progress_done__lte=F("progress_total")) | Q(progress_total=0),
                                   name="export_job_progress_bounded"),
            models.CheckConstraint(condition=Q(status="done") | Q(file=""), name="export_job_file_only_when_done"),
        ]

    def __str__(self) -> str:
        return f"{self.get_format_display()} #{self.pk} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return round(100 * self.progress_done / self.progress_total) if self.progress_total else 0
