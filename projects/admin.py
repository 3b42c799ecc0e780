from typing import Any

from django.contrib import admin
from django.forms import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _
from leaflet.admin import LeafletGeoAdmin, LeafletGeoAdminMixin
from simple_history.admin import SimpleHistoryAdmin

from common.admin_display import job_error_summary
from projects import services
from projects.events import RELATED_CATEGORIES
from projects.models import (
    ExchangeRate,
    ExportJob,
    FocalPoint,
    ImportJob,
    Participation,
    Partner,
    PartnerAlias,
    Programme,
    Project,
    ProjectLocation,
    ProjectSector,
    ProjectUpdate,
    RelatedActivity,
    ReportingPeriod,
    ReportReminder,
    ReviewState,
    Site,
    Transaction,
    UpdateAttachment,
    UpdateSite,
    validate_location_shares,
    validate_sector_split,
)


class FocalPointInline(admin.TabularInline):
    model = FocalPoint
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Partner)
class PartnerAdmin(SimpleHistoryAdmin):
    list_display = ["acronym", "name_en", "name_ar", "org_type", "iati_ref", "municipality"]
    list_filter = ["org_type"]
    search_fields = ["acronym", "name_en", "name_ar", "iati_ref"]
    autocomplete_fields = ["municipality"]
    list_select_related = ["municipality"]
    inlines = [FocalPointInline]


@admin.register(FocalPoint)
class FocalPointAdmin(admin.ModelAdmin):
    list_display = ["user", "partner", "job_title", "language"]
    list_filter = ["partner", "language"]
    search_fields = ["user__username", "user__email", "partner__acronym", "partner__name_en"]
    autocomplete_fields = ["user", "partner"]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["code", "title_ar", "title_en", "partner", "start_date", "end_date"]
    list_filter = ["partner"]
    search_fields = ["code", "title_ar", "title_en"]
    autocomplete_fields = ["partner"]


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0
    autocomplete_fields = ["partner"]


class ProjectPartsFormSet(BaseInlineFormSet):
    """A project's parts checked together, by the same model-level rule the services apply, on the rows that
    stay (not deleted, not left empty); the error shows above the inline and the admin saves nothing."""

    field = ""

    def check(self, values: list[Any]) -> None:
        raise NotImplementedError

    def clean(self) -> None:
        super().clean()
        if any(form.errors for form in self.forms):
            return  # the rows' own errors first: a sum over half-valid rows would only confuse
        self.check([form.cleaned_data.get(self.field) for form in self.forms
                    if form.cleaned_data and not self._should_delete_form(form)])


class ProjectSectorFormSet(ProjectPartsFormSet):
    field = "percentage"

    def check(self, values: list[Any]) -> None:
        # A project that has no sectors and gets none is left alone, as the services do when no sector list
        # is given (IATI files may carry none); emptying a list that had rows is refused like any bad split.
        if values or self.initial_form_count():
            validate_sector_split(values)


class ProjectLocationFormSet(ProjectPartsFormSet):
    field = "share"

    def check(self, values: list[Any]) -> None:
        validate_location_shares(values)


class ProjectSectorInline(admin.TabularInline):
    model = ProjectSector
    formset = ProjectSectorFormSet
    extra = 0


class ProjectLocationInline(admin.TabularInline):
    model = ProjectLocation
    formset = ProjectLocationFormSet
    extra = 0
    autocomplete_fields = ["municipality"]


class SiteInline(LeafletGeoAdminMixin, admin.StackedInline):
    model = Site
    extra = 0
    autocomplete_fields = ["municipality"]


class RelatedActivityInline(admin.TabularInline):
    model = RelatedActivity
    fk_name = "project"
    extra = 0
    raw_id_fields = ["related_project"]


class TransactionInline(admin.TabularInline):
    model = Transaction
    extra = 0
    raw_id_fields = ["provider_org", "receiver_org"]


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    list_display = ["id", "__str__", "reporting_partner", "status", "state", "planned_start", "planned_end", "budget", "currency"]
    list_filter = ["status", "state", "sectors", "reporting_partner", "currency"]
    search_fields = ["title_ar", "title_en", "iati_identifier", "partner_code"]
    list_select_related = ["reporting_partner"]
    autocomplete_fields = ["reporting_partner", "programme"]
    filter_horizontal = ["plan_objectives"]
    readonly_fields = ["created_at", "updated_at", "created_by"]
    date_hierarchy = "planned_start"
    show_full_result_count = False
    inlines = [
        ParticipationInline, ProjectSectorInline, ProjectLocationInline, SiteInline, RelatedActivityInline,
        TransactionInline,
    ]

    def save_model(self, request, obj, form, change):
        services.project_save(project=obj, user=request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The categories are the services' own (projects.events), so an inline edited here queues the
        # same re-checks as the same change made through the form, the API or an import.
        changed: set[str] = set().union(*(
            RELATED_CATEGORIES[fs.model]
            for fs in formsets
            if fs.model in RELATED_CATEGORIES and (fs.new_objects or fs.changed_objects or fs.deleted_objects)
        ))
        services.project_related_changed(project=form.instance, changed=changed, user=request.user)


class UpdateSiteInline(LeafletGeoAdminMixin, admin.StackedInline):
    """The new sites of an update; once it is accepted they are the project's sites, edited there."""

    model = UpdateSite
    extra = 0
    autocomplete_fields = ["municipality"]
    readonly_fields = ["site"]

    def _open(self, obj) -> bool:
        return obj is None or obj.state != ReviewState.ACCEPTED

    def has_add_permission(self, request, obj=None) -> bool:
        return self._open(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._open(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._open(obj) and super().has_delete_permission(request, obj)


@admin.register(ProjectUpdate)
class ProjectUpdateAdmin(SimpleHistoryAdmin):
    list_display = ["project", "period_start", "period_end", "progress_percent", "status", "state", "submitted_by"]
    list_filter = ["state", "status"]
    search_fields = ["project__title_ar", "project__title_en", "project__iati_identifier"]
    raw_id_fields = ["project"]
    # The review goes through the review queue (its service copies the figures and the new sites onto
    # the project); the admin does not change the state.
    readonly_fields = ["partner", "state", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at",
                       "review_comment"]
    list_select_related = ["project", "submitted_by"]
    show_full_result_count = False
    inlines = [UpdateSiteInline]

    def save_model(self, request, obj, form, change):
        if not change:  # as project_update_create: the update is its project's partner's, for good
            obj.partner_id = obj.project.reporting_partner_id
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is UpdateSite:
            # As the services do: a site given without its municipality gets the one whose area holds it.
            for row in formset.save(commit=False):
                row.municipality = row.municipality or services.site_municipality(row.point)
                row.save()
            for row in formset.deleted_objects:
                row.delete()
            return
        super().save_formset(request, form, formset, change)


@admin.register(Site)
class SiteAdmin(LeafletGeoAdmin):
    list_display = ["__str__", "project", "municipality"]
    search_fields = ["name_ar", "name_en"]
    raw_id_fields = ["project"]
    autocomplete_fields = ["municipality"]
    list_select_related = ["project", "municipality"]
    show_full_result_count = False


@admin.register(Participation)
class ParticipationAdmin(admin.ModelAdmin):
    list_display = ["project", "partner", "role", "activity_id"]
    list_filter = ["role", "partner"]
    search_fields = ["activity_id", "project__iati_identifier"]
    raw_id_fields = ["project"]
    autocomplete_fields = ["partner"]
    list_select_related = ["project", "partner"]
    show_full_result_count = False


class ProjectPartAdmin(admin.ModelAdmin):
    """A project's sector share or municipality, listed to find them; edited only on the project's page,
    where the rows are checked together (one row changed, added or deleted alone would break the sum its
    siblings make)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ProjectSector)
class ProjectSectorAdmin(ProjectPartAdmin):
    list_display = ["project", "sector", "percentage"]
    list_filter = ["sector"]
    raw_id_fields = ["project"]
    list_select_related = ["project", "sector"]
    show_full_result_count = False


@admin.register(ProjectLocation)
class ProjectLocationAdmin(ProjectPartAdmin):
    list_display = ["project", "municipality", "share"]
    list_filter = ["municipality__district"]
    raw_id_fields = ["project"]
    autocomplete_fields = ["municipality"]
    list_select_related = ["project", "municipality"]
    show_full_result_count = False


@admin.register(RelatedActivity)
class RelatedActivityAdmin(admin.ModelAdmin):
    list_display = ["project", "relation", "iati_identifier", "related_project"]
    list_filter = ["relation"]
    search_fields = ["iati_identifier"]
    raw_id_fields = ["project", "related_project"]


@admin.register(Transaction)
class TransactionAdmin(admin.ModelAdmin):
    list_display = ["project", "type", "date", "value", "currency", "provider_activity_id", "receiver_activity_id"]
    list_filter = ["type", "currency"]
    search_fields = ["provider_activity_id", "receiver_activity_id", "project__iati_identifier"]
    raw_id_fields = ["project", "provider_org", "receiver_org"]
    date_hierarchy = "date"
    show_full_result_count = False


@admin.register(ExchangeRate)
class ExchangeRateAdmin(SimpleHistoryAdmin):
    list_display = ["currency", "year", "usd_per_unit", "source"]
    list_filter = ["currency", "year"]
    search_fields = ["currency"]


# Read-mostly records written by services (uploads, reminders, imports): the admin shows them,
# it does not create them (a file must go through the checks of its service).
class _ReadOnlyCreateAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(UpdateAttachment)
class UpdateAttachmentAdmin(_ReadOnlyCreateAdmin, SimpleHistoryAdmin):
    list_display = ["original_name", "update", "content_type", "size", "uploaded_by", "uploaded_at"]
    search_fields = ["original_name", "update__project__title_en", "update__project__title_ar"]
    readonly_fields = ["file", "original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]
    raw_id_fields = ["update"]


@admin.register(ReportReminder)
class ReportReminderAdmin(_ReadOnlyCreateAdmin):
    list_display = ["project", "period_end", "due_date", "kind", "sent_at"]
    list_filter = ["kind"]
    raw_id_fields = ["project"]


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    """Derived from the projects and their updates (projects.reporting.services.periods): shown, never edited."""

    list_display = ["project", "partner", "period_start", "period_end", "due_date", "submitted_on"]
    list_filter = [("submitted_on", admin.EmptyFieldListFilter)]
    list_select_related = ["project", "partner"]
    raw_id_fields = ["project", "partner"]
    search_fields = ["project__title_en", "project__title_ar", "project__iati_identifier"]
    show_full_result_count = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ImportJob)
class ImportJobAdmin(_ReadOnlyCreateAdmin):
    list_display = ["original_name", "kind", "status", "error_summary", "partner", "created_by", "created_at",
                    "finished_at"]
    list_filter = ["status", "kind"]
    error_summary = admin.display(description=_("error"))(job_error_summary)
    readonly_fields = ["file", "original_name", "size", "sha256", "progress_done", "progress_total",
                       "preview", "result", "error", "created_by", "created_at", "started_at", "finished_at"]


@admin.register(PartnerAlias)
class PartnerAliasAdmin(admin.ModelAdmin):
    """Aliases are written by projects.exchange.services.aliases, which normalises them and refuses a name that
    already belongs to another partner; the form runs the same check so the error shows on the field."""

    list_display = ["name", "partner", "created_by", "created_at"]
    search_fields = ["name", "partner__acronym", "partner__name_en", "partner__name_ar"]
    autocomplete_fields = ["partner"]
    fields = ["partner", "name"]

    def get_form(self, request, obj=None, **kwargs):
        from django.core.exceptions import ValidationError

        from projects.exchange.services.aliases import partner_alias_validate

        form_class = super().get_form(request, obj, **kwargs)

        class AliasForm(form_class):
            def clean(self):
                data = super().clean()
                if data.get("partner") is not None and data.get("name"):
                    try:
                        partner_alias_validate(partner=data["partner"], name=data["name"], ignore=obj)
                    except ValidationError as exc:
                        self.add_error("name", exc.message_dict.get("name", exc.messages))
                return data

        return AliasForm

    def save_model(self, request, obj, form, change) -> None:
        from projects.exchange.services.aliases import partner_alias_add, partner_alias_change

        if change:
            alias = PartnerAlias.objects.get(pk=obj.pk)
            saved = partner_alias_change(alias=alias, partner=form.cleaned_data["partner"],
                                         name=form.cleaned_data["name"], user=request.user)
        else:
            saved = partner_alias_add(partner=form.cleaned_data["partner"], name=form.cleaned_data["name"],
                                      user=request.user)
        obj.pk, obj.normalised, obj.created_by = saved.pk, saved.normalised, saved.created_by

    def delete_model(self, request, obj) -> None:
        from projects.exchange.services.aliases import partner_alias_remove

        partner_alias_remove(alias=obj, user=request.user)

    def delete_queryset(self, request, queryset) -> None:
        from projects.exchange.services.aliases import partner_alias_remove

        for alias in queryset:
            partner_alias_remove(alias=alias, user=request.user)


@admin.register(UpdateSite)
class UpdateSiteAdmin(_ReadOnlyCreateAdmin, LeafletGeoAdmin):
    """The sites updates report (edited on their update's page); listed here to find them."""

    list_display = ["__str__", "update", "municipality", "site"]
    raw_id_fields = ["update", "site"]
    readonly_fields = ["update", "site"]

    def has_change_permission(self, request, obj=None) -> bool:
        # once its update is accepted, a new site is the project's site: edited there
        if obj is not None and obj.update.state == ReviewState.ACCEPTED:
            return False
        return super().has_change_permission(request, obj)


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ["pk", "format", "status", "error_summary", "requested_by"]
    list_filter = ["status", "format"]
    error_summary = admin.display(description=_("error"))(job_error_summary)
    readonly_fields = [f.name for f in ExportJob._meta.fields]
