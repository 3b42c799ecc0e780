"""Admin of the coordination app. Flags are written by the analyses: the admin shows them and
records review decisions through the services (who, when, why), nothing else."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from common.admin_display import job_error_summary
from coordination.models import (
    ActionStatusChange,
    AgendaItem,
    AlignmentFlag,
    AnalysisRun,
    Attendee,
    CoverageFigure,
    CoverageSummary,
    Decision,
    DelayFlag,
    DuplicateFlag,
    DuplicateKindThreshold,
    FlagStatus,
    FollowUpAction,
    GapFlag,
    Meeting,
    MeetingLink,
    MeetingSeries,
    ObjectiveLink,
    ReportDelivery,
    ReportJob,
)
from coordination.services.delays import delay_flag_review
from coordination.services.gaps import gap_flag_review

# --- duplicates and analysis runs -------------------------------------------------------


@admin.register(AnalysisRun)
class AnalysisRunAdmin(admin.ModelAdmin):
    """Runs are written by the jobs; the admin only shows them."""

    list_display = ["started_at", "kind", "mode", "status", "duration_seconds", "progress_done", "progress_total",
                    "error_summary", "triggered_by"]
    list_filter = ["status", "kind", "mode"]
    date_hierarchy = "started_at"
    readonly_fields = [f.name for f in AnalysisRun._meta.fields]
    list_select_related = ["triggered_by"]
    # Above the list: the last run of each job, so that a job that failed (or never ran) shows at once.
    change_list_template = "admin/coordination/analysisrun/change_list.html"

    error_summary = admin.display(description=_("error"))(job_error_summary)

    def changelist_view(self, request, extra_context=None):
        from coordination.runs import analysis_runs_latest

        latest = [(run, job_error_summary(self, run)) for run in analysis_runs_latest()]
        extra_context = {**(extra_context or {}), "latest_runs": latest}
        return super().changelist_view(request, extra_context=extra_context)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DuplicateFlag)
class DuplicateFlagAdmin(SimpleHistoryAdmin):
    """Shown here with its history; decided on the review page (/coordination/duplicates/) or the API,
    which name the record that counts and keep money totals right."""

    list_display = ["__str__", "kind", "score", "status", "project_a", "project_b", "resolved_at"]
    list_filter = ["status", "kind", ("resolved_at", admin.EmptyFieldListFilter)]
    search_fields = ["project_a__title_en", "project_a__title_ar", "project_b__title_en", "project_b__title_ar",
                     "project_a__iati_identifier", "project_b__iati_identifier"]
    list_select_related = ["project_a", "project_b"]
    raw_id_fields = ["project_a", "project_b", "counted_project"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in DuplicateFlag._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


# --- gaps and delays --------------------------------------------------------------------

class FlagReviewForm(forms.ModelForm):
    status = forms.ChoiceField(label=_("status"), choices=[
        (FlagStatus.OPEN, FlagStatus.OPEN.label), (FlagStatus.CONFIRMED, FlagStatus.CONFIRMED.label),
        (FlagStatus.DISMISSED, FlagStatus.DISMISSED.label)])

    def clean(self):
        data = super().clean()
        if data.get("status") == FlagStatus.DISMISSED and not (data.get("decision_note") or "").strip():
            self.add_error("decision_note", _("Say why the flag is dismissed."))
        return data


class _FlagAdmin(SimpleHistoryAdmin):
    """Read-only but for the review: status and note go through the review service."""

    form = FlagReviewForm
    review_service = None
    list_filter = ["status", ("resolved_at", admin.EmptyFieldListFilter)]
    date_hierarchy = "created_at"
    actions = ["confirm_flags"]
    _computed = ["score", "reasons", "severity", "fingerprint", "resolved_at", "decided_by", "decided_at",
                 "decided_fingerprint", "first_seen_run", "last_seen_run", "created_at", "updated_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        if {"status", "decision_note"} & set(form.changed_data):
            type(self).review_service(flag=obj, user=request.user, status=form.cleaned_data["status"],
                                      note=form.cleaned_data.get("decision_note", ""))

    @admin.action(description=_("Confirm the selected flags"))
    def confirm_flags(self, request, queryset) -> None:
        for flag in queryset:
            type(self).review_service(flag=flag, user=request.user, status=FlagStatus.CONFIRMED, note="")
        self.message_user(request, _("%(count)s flags confirmed.") % {"count": queryset.count()}, messages.SUCCESS)


@admin.register(GapFlag)
class GapFlagAdmin(_FlagAdmin):
    review_service = staticmethod(gap_flag_review)
    list_display = ["municipality", "sector", "severity", "people_in_need", "score", "status", "resolved_at"]
    list_filter = [*_FlagAdmin.list_filter, "sector", "municipality__district"]
    search_fields = ["municipality__name_en", "municipality__name_ar", "municipality__pcode", "sector__code"]
    list_select_related = ["municipality", "sector"]
    fields = ["municipality", "sector", "status", "decision_note", "people_in_need", *_FlagAdmin._computed]
    readonly_fields = ["municipality", "sector", "people_in_need", *_FlagAdmin._computed]


@admin.register(DelayFlag)
class DelayFlagAdmin(_FlagAdmin):
    review_service = staticmethod(delay_flag_review)
    list_display = ["project", "rule", "severity", "score", "status", "resolved_at"]
    list_filter = [*_FlagAdmin.list_filter, "rule", "severity"]
    search_fields = ["project__title_en", "project__title_ar", "project__iati_identifier", "project__partner_code"]
    list_select_related = ["project"]
    fields = ["project", "rule", "status", "decision_note", *_FlagAdmin._computed]
    readonly_fields = ["project", "rule", *_FlagAdmin._computed]


# --- reports ----------------------------------------------------------------------------


@admin.register(ReportJob)
class ReportJobAdmin(admin.ModelAdmin):
    """Report jobs are written by the service and the task; the admin only shows them (the file is
    downloaded from the job's page, through its permission check)."""

    list_display = ["created_at", "kind", "subject_id", "language", "format", "status", "progress", "error_summary",
                    "requested_by"]
    list_filter = ["status", "kind", "format", "language"]
    error_summary = admin.display(description=_("error"))(job_error_summary)
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in ReportJob._meta.fields if f.name != "file"]
    exclude = ["file"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ReportDelivery)
class ReportDeliveryAdmin(admin.ModelAdmin):
    """Who was sent which meeting's report, when and by whom (written by ``meeting_report_send``)."""

    list_display = ["meeting", "email", "name", "language", "sent_at", "sent_by"]
    search_fields = ["email", "name"]
    readonly_fields = [f.name for f in ReportDelivery._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


# --- the committee's meetings ------------------------------------------------------------
# Written on the meeting pages and the API (coordination.services.meetings: the rules of who records, the
# finalised meeting's read-only state, the links' visibility): the admin shows them with their history.

class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class MeetingRecordAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(MeetingRecordAdmin):
    list_display = ["__str__", "created_at"]
    search_fields = ["title_ar", "title_en"]


@admin.register(Meeting)
class MeetingAdmin(MeetingRecordAdmin):
    list_display = ["__str__", "series", "date", "status", "finalised_at"]
    list_filter = ["status", "series"]
    list_select_related = ["series"]
    date_hierarchy = "date"


@admin.register(Attendee)
class AttendeeAdmin(MeetingRecordAdmin):
    list_display = ["name", "meeting", "partner", "body", "present"]
    list_select_related = ["meeting__series", "partner"]


@admin.register(AgendaItem)
class AgendaItemAdmin(MeetingRecordAdmin):
    list_display = ["__str__", "meeting", "order", "source"]
    list_select_related = ["meeting__series"]


@admin.register(Decision)
class DecisionAdmin(MeetingRecordAdmin):
    list_display = ["__str__", "meeting", "flag_kind", "flag_id", "flag_status"]
    list_select_related = ["meeting__series"]


@admin.register(FollowUpAction)
class FollowUpActionAdmin(MeetingRecordAdmin):
    list_display = ["__str__", "meeting", "owner_partner", "owner_unit", "due", "status"]
    list_filter = ["status"]
    list_select_related = ["meeting__series", "owner_partner"]


@admin.register(ActionStatusChange)
class ActionStatusChangeAdmin(ReadOnlyAdmin):
    list_display = ["action", "from_status", "to_status", "changed_by", "changed_at"]
    list_select_related = ["action", "changed_by"]


@admin.register(MeetingLink)
class MeetingLinkAdmin(ReadOnlyAdmin):
    list_display = ["meeting", "kind", "agenda_item", "decision", "action"]
    list_filter = ["kind"]
    list_select_related = ["meeting__series", "agenda_item", "decision", "action"]


# --- alignment with the development plans ------------------------------------------------
# Suggestions and flags are written by the alignment run, decisions by the review services (the alignment pages and
# the API): the admin shows them.

@admin.register(ObjectiveLink)
class ObjectiveLinkAdmin(ReadOnlyAdmin):
    list_display = ["project", "objective", "score", "status", "decided_by", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["project", "objective", "decided_by"]
    search_fields = ["project__title_ar", "project__title_en", "objective__code"]


@admin.register(AlignmentFlag)
class AlignmentFlagAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "kind", "status", "score", "project", "municipality", "objective", "resolved_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["project", "municipality", "objective"]


@admin.register(DuplicateKindThreshold)
class DuplicateKindThresholdAdmin(admin.ModelAdmin):
    list_display = [f.name for f in DuplicateKindThreshold._meta.fields]


@admin.register(CoverageFigure)
class CoverageFigureAdmin(admin.ModelAdmin):
    list_display = ["pk", "municipality", "sector"]
    raw_id_fields = ["municipality"]


@admin.register(CoverageSummary)
class CoverageSummaryAdmin(admin.ModelAdmin):
    list_display = ["pk"]
