"""The committee's documents: report jobs (a PDF or DOCX rendered in the background) and the record of each
meeting report sent by e-mail, so that no one gets it twice."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def report_upload_path(instance: ReportJob, filename: str) -> str:
    # Never a name from the data on disk: the download name is ``filename``.
    return f"reports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{instance.format}"


class ReportJob(models.Model):
    """One report asked for: what about, in which language and format, and how far its rendering got."""

    class Kind(models.TextChoices):
        MEETING = "meeting", pgettext_lazy("report", "Meeting report")
        MUNICIPALITY = "municipality", pgettext_lazy("report", "Municipality portfolio")
        PARTNER = "partner", pgettext_lazy("report", "Partner portfolio")

    class Format(models.TextChoices):
        PDF = "pdf", pgettext_lazy("report", "PDF")
        DOCX = "docx", pgettext_lazy("report", "Word (.docx)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", pgettext_lazy("report", "Being written")
        DONE = "done", pgettext_lazy("report", "Ready")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    subject_id = models.PositiveIntegerField(pgettext_lazy("report", "subject"))
    language = models.CharField(_("language"), max_length=2, choices=[("ar", "العربية"), ("en", "English")],
                                default="ar")
    format = models.CharField(pgettext_lazy("report", "format"), max_length=4, choices=Format.choices, default=Format.PDF)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    live_figures = models.BooleanField(
        pgettext_lazy("report", "live figures"), default=False,
        help_text=_("A meeting not finalised yet: its report shows today's figures, not a snapshot."))
    file = models.FileField(_("file"), upload_to=report_upload_path, max_length=255, blank=True)
    filename = models.CharField(pgettext_lazy("report", "file name"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=pgettext_lazy("report", "requested by"))
    created_at = models.DateTimeField(pgettext_lazy("report", "requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = pgettext_lazy("report", "report job")
        verbose_name_plural = pgettext_lazy("report", "report jobs")
        indexes = [models.Index(fields=["kind", "subject_id"]), models.Index(fields=["status"])]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_job_progress_percent"),
            # a failed or unfinished job keeps no file
            models.CheckConstraint(condition=Q(status="done") | Q(file=""), name="report_job_file_only_when_done"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.subject_id} ({self.language}, {self.format})"


class ReportDelivery(models.Model):
    """A meeting report e-mailed to one address: recorded once, so the report is never sent to it twice."""

    meeting = models.ForeignKey("coordination.Meeting", on_delete=models.PROTECT, related_name="report_deliveries",
                                verbose_name=pgettext_lazy("report", "meeting"))
    email = models.EmailField(pgettext_lazy("report", "e-mail"), max_length=254)  # lower-cased by the service
    name = models.CharField(pgettext_lazy("report", "name"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=2, default="ar")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=pgettext_lazy("report", "sent by"))
    sent_at = models.DateTimeField(pgettext_lazy("report", "sent at"), auto_now_add=True)

    class Meta:
        ordering = ["meeting", "sent_at"]
        verbose_name = pgettext_lazy("report", "report delivery")
        verbose_name_plural = pgettext_lazy("report", "report deliveries")
        constraints = [models.UniqueConstraint(fields=["meeting", "email"], name="report_delivery_once")]

    def __str__(self) -> str:
        return f"{self.meeting_id} → {self.email}"
