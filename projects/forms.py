"""HTML forms of the projects app: they read and check what a person typed, then the views hand the
cleaned values to projects.services, which enforce the workflow and the permissions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from municipalities.models import Municipality, Sector
from projects.codelists import sdg_tags_clean
from projects.models import (
    ActivityStatus,
    Partner,
    Programme,
    Project,
    ProjectUpdate,
    ReviewState,
    UpdateSite,
    validate_location_shares,
    validate_sector_split,
)
from projects.models.reporting import validate_in_libya
from projects.permissions import user_manages, user_partner_id
from projects.services import PROJECT_FIELDS, UPDATE_FIELDS, project_identifier_clashes

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BootstrapMixin:
    """Bootstrap classes on every widget, and the invalid state on fields with errors."""

    def _style(self) -> None:
        for bound in self.fields.values():  # type: ignore[attr-defined]
            widget = bound.widget
            widget.attrs["class"] = "form-select" if isinstance(widget, forms.Select) else "form-control"

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            if name in self.fields:  # type: ignore[attr-defined]
                widget = self.fields[name].widget  # type: ignore[attr-defined]
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"


class SdgTagsField(forms.CharField):
    """SDG goals, targets or indicators typed as a list ("6, 6.1; 11.1"), checked against the UNSDG codelists."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("encoder", None)
        kwargs.pop("decoder", None)
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 500)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return ", ".join(str(v) for v in value)
        return value

    def to_python(self, value: Any) -> list[str]:
        kept, unknown = sdg_tags_clean(super().to_python(value) or "")
        if unknown:
            raise ValidationError(_("Not an SDG goal, target or indicator: %(codes)s."),
                                  params={"codes": ", ".join(unknown)}, code="sdg_unknown")
        return kept


class ProjectForm(BootstrapMixin, forms.ModelForm):
    """A project's own fields. The reporting partner is a choice only for the ministry: a focal
    point's projects are always their partner's, whatever the request carries."""

    sdg_tags = SdgTagsField(label=_("SDG tags"), help_text=_(
        "SDG goals, targets or indicators separated by commas, e.g. 6, 6.1 or 6.1.1; the alignment suggestions "
        "read them."))

    class Meta:
        model = Project
        fields = list(PROJECT_FIELDS)
        widgets = {
            "planned_start": DATE, "planned_end": DATE, "actual_start": DATE, "actual_end": DATE,
            "description_ar": forms.Textarea(attrs={"rows": 3, "dir": "rtl"}),
            "description_en": forms.Textarea(attrs={"rows": 3, "dir": "ltr"}),
            "title_ar": forms.TextInput(attrs={"dir": "rtl"}),
            "title_en": forms.TextInput(attrs={"dir": "ltr"}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        partner_id = user_partner_id(user)
        if not user_manages(user):
            del self.fields["reporting_partner"]
            if self.instance.pk is None and partner_id is not None:
                # Lets the model's own checks (e.g. the partner code's uniqueness) run on the real partner.
                self.instance.reporting_partner_id = partner_id
        else:
            self.fields["reporting_partner"].queryset = Partner.objects.order_by("name_en")
        programmes = Programme.objects.select_related("partner")
        owner = self.instance.reporting_partner_id if self.instance.pk else partner_id
        if not user_manages(user):
            programmes = programmes.filter(partner_id=owner)
        self.fields["programme"].queryset = programmes
        self._style()

    def _get_validation_exclusions(self) -> set[str]:
        # The model's own uniqueness messages name the record that holds an identifier ("Project with
        # this IATI identifier already exists") even when the user may not see it; clean() says it neutrally.
        return set(super()._get_validation_exclusions()) | {"iati_identifier", "partner_code"}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        partner = data.get("reporting_partner")
        partner_id = partner.pk if partner is not None else self.instance.reporting_partner_id
        clashes = project_identifier_clashes(pk=self.instance.pk, iati_identifier=data.get("iati_identifier"),
                                             partner_code=data.get("partner_code"), partner_id=partner_id)
        for name, message in clashes.items():
            self.add_error(name, message)
        return data

    def service_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields}


class ChoiceRowForm(forms.Form):
    """One row of a repeated list; the choices are read once for all rows (see ``choices_for``)."""

    def __init__(self, *args: Any, choices: list[tuple[Any, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[self.choice_field].choices = [("", "—")] + list(choices or [])
        for bound in self.fields.values():
            bound.widget.attrs["class"] = "form-select form-select-sm" if isinstance(
                bound.widget, forms.Select) else "form-control form-control-sm"

    choice_field = ""


class SectorShareForm(ChoiceRowForm):
    choice_field = "sector"
    sector = forms.TypedChoiceField(label=_("sector"), coerce=int, required=False)
    percentage = forms.DecimalField(label=_("percentage"), max_digits=5, decimal_places=2, required=False,
                                    min_value=Decimal("0.01"), max_value=Decimal("100"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("sector") and data.get("percentage") is None:
            self.add_error("percentage", _("Give this sector's percentage."))
        if data.get("percentage") is not None and not data.get("sector"):
            self.add_error("sector", _("Choose the sector."))
        return data


class LocationForm(ChoiceRowForm):
    choice_field = "municipality"
    municipality = forms.TypedChoiceField(label=_("municipality"), coerce=int, required=False)
    share = forms.DecimalField(label=_("share (%)"), max_digits=5, decimal_places=2, required=False,
                               min_value=Decimal("0.01"), max_value=Decimal("100"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("share") is not None and not data.get("municipality"):
            self.add_error("municipality", _("Choose the municipality."))
        return data


class RowFormSet(forms.BaseFormSet):
    """Rows left empty are ignored; the filled ones are checked together."""

    key = ""

    def __init__(self, *args: Any, choices: list[tuple[Any, str]], **kwargs: Any) -> None:
        self.choices = choices
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "choices": self.choices}

    def filled(self) -> list[dict[str, Any]]:
        return [form.cleaned_data for form in self.forms
                if getattr(form, "cleaned_data", None) and form.cleaned_data.get(self.key)]

    def _unique(self) -> None:
        keys = [row[self.key] for row in self.filled()]
        if len(keys) != len(set(keys)):
            raise ValidationError(_("The same item is listed twice."))


class SectorShareFormSet(RowFormSet):
    key = "sector"

    def clean(self) -> None:
        if any(form.errors for form in self.forms):
            return
        self._unique()
        validate_sector_split([row["percentage"] for row in self.filled()])

    def service_rows(self) -> list[dict[str, Any]]:
        sectors = Sector.objects.in_bulk([row["sector"] for row in self.filled()])
        return [{"sector": sectors[row["sector"]], "percentage": row["percentage"]} for row in self.filled()]


class LocationFormSet(RowFormSet):
    key = "municipality"

    def clean(self) -> None:
        if any(form.errors for form in self.forms):
            return
        self._unique()
        validate_location_shares([row.get("share") for row in self.filled()])

    def service_rows(self) -> list[dict[str, Any]]:
        places = Municipality.objects.in_bulk([row["municipality"] for row in self.filled()])
        return [{"municipality": places[row["municipality"]], "share": row.get("share")} for row in self.filled()]


SectorRows = forms.formset_factory(SectorShareForm, formset=SectorShareFormSet, extra=2, max_num=30,
                                   validate_max=True)
LocationRows = forms.formset_factory(LocationForm, formset=LocationFormSet, extra=3, max_num=200,
                                     validate_max=True)


def sector_choices() -> list[tuple[int, str]]:
    return [(s.pk, str(s)) for s in Sector.objects.order_by("order", "code")]


def municipality_choices() -> list[tuple[int, str]]:
    return [(m.pk, f"{m} ({m.pcode})" if m.pcode else str(m))
            for m in Municipality.objects.only("pk", "name_ar", "name_en", "pcode").order_by("district__pcode", "name_en")]


def sector_initial(project: Project) -> list[dict[str, Any]]:
    # one row per national sector: the lines an IATI import kept per DAC code add up under it
    totals: dict[int, Decimal] = {}
    for share in project.sector_shares.order_by("pk"):
        totals[share.sector_id] = totals.get(share.sector_id, Decimal(0)) + share.percentage
    return [{"sector": sector, "percentage": pct} for sector, pct in totals.items()]


def location_initial(project: Project) -> list[dict[str, Any]]:
    return [{"municipality": loc.municipality_id, "share": loc.share} for loc in project.locations.order_by("pk")]


class UpdateSiteForm(ChoiceRowForm):
    """One new site of an update: a name, where it is, and its municipality when the map would not find it."""

    choice_field = "municipality"
    name_ar = forms.CharField(label=_("name (Arabic)"), max_length=250, required=False,
                              widget=forms.TextInput(attrs={"dir": "rtl"}))
    name_en = forms.CharField(label=_("name (English)"), max_length=250, required=False,
                              widget=forms.TextInput(attrs={"dir": "ltr"}))
    lat = forms.FloatField(label=_("latitude"), required=False, widget=forms.NumberInput(attrs={"step": "any"}))
    lon = forms.FloatField(label=_("longitude"), required=False, widget=forms.NumberInput(attrs={"step": "any"}))
    municipality = forms.TypedChoiceField(label=_("municipality"), coerce=int, required=False,
                                          help_text=_("Optional: found from the point when left empty."))

    def is_filled(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return any(data.get(name) not in (None, "") for name in ("name_ar", "name_en", "lat", "lon", "municipality"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.is_filled():
            return data
        if not ((data.get("name_ar") or "").strip() or (data.get("name_en") or "").strip()):
            self.add_error("name_ar", _("Give the site's name in Arabic or English."))
        for name in ("lat", "lon"):
            if data.get(name) is None and name not in self.errors:
                self.add_error(name, _("Give the latitude and the longitude."))
        if data.get("lat") is not None and data.get("lon") is not None:
            try:
                validate_in_libya(lat=data["lat"], lon=data["lon"])
            except ValidationError as exc:
                self.add_error("lat", exc.messages)
        return data


class UpdateSiteFormSet(RowFormSet):
    """Rows left empty are skipped; a row with anything in it is a site and is checked whole."""

    def filled(self) -> list[dict[str, Any]]:
        return [form.cleaned_data for form in self.forms if getattr(form, "cleaned_data", None) and form.is_filled()]

    def service_rows(self) -> list[dict[str, Any]]:
        rows = self.filled()
        places = Municipality.objects.in_bulk([row["municipality"] for row in rows if row.get("municipality")])
        return [{"name_ar": row["name_ar"], "name_en": row["name_en"], "lat": row["lat"], "lon": row["lon"],
                 "municipality": places.get(row.get("municipality"))} for row in rows]


UpdateSiteRows = forms.formset_factory(UpdateSiteForm, formset=UpdateSiteFormSet, extra=2, max_num=100,
                                       validate_max=True)


def update_site_initial(update: ProjectUpdate) -> list[dict[str, Any]]:
    return [{"name_ar": row.name_ar, "name_en": row.name_en, "lat": row.point.y, "lon": row.point.x,
             "municipality": row.municipality_id} for row in UpdateSite.objects.filter(update=update).order_by("pk")]


class LanguageForm(forms.Form):
    """A focal point's choice of the language of the e-mails they receive."""

    language = forms.ChoiceField(label=_("Language of my e-mails"), choices=settings.LANGUAGES,
                                 widget=forms.Select(attrs={"class": "form-select"}))


class UpdateForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = ProjectUpdate
        fields = list(UPDATE_FIELDS)
        widgets = {
            "period_start": DATE, "period_end": DATE,
            "narrative": forms.Textarea(attrs={"rows": 4}),
            "problems": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.project = project
        if self.instance.pk is None and not self.is_bound:
            self.initial.setdefault("status", project.status or ActivityStatus.IMPLEMENTATION)
            self.initial.setdefault("progress_percent", project.progress_percent)
            self.initial.setdefault("spend_to_date", project.spend_to_date)
        self._style()

    def service_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields}


class ReviewForm(forms.Form):
    """Accept, or return with a comment (the focal point needs to know what to fix)."""

    decision = forms.ChoiceField(label=_("decision"), choices=[("accept", _("Accept")), ("return", _("Return"))])
    comment = forms.CharField(label=_("comment"), required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("decision") == "return" and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Say why it is returned: the focal point needs to know what to fix."))
        return data


class ReviewSearchForm(forms.Form):
    """The review queue's search: words of the project's title or of the partner's name."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200,
                        widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "type": "search"}))


STATE_CHOICES = [("", _("All"))] + list(ReviewState.choices)
STATUS_CHOICES = [("", _("All"))] + [(str(v), label) for v, label in ActivityStatus.choices]
SORT_CHOICES = [
    ("-updated", _("Last changed, newest first")), ("updated", _("Last changed, oldest first")),
    ("title", _("Title, A to Z")), ("-title", _("Title, Z to A")),
    ("start", _("Start, earliest first")), ("-start", _("Start, latest first")),
    ("end", _("End, earliest first")), ("-end", _("End, latest first")),
    ("-budget", _("Budget (USD), largest first")), ("budget", _("Budget (USD), smallest first")),
    ("status", _("Status, pipeline first")), ("-status", _("Status, suspended first")),
]


class ProjectFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    scope = forms.ChoiceField(label=_("Show"), required=False, choices=[
        ("mine", _("My partner's projects")), ("all", _("All projects I may see"))])
    state = forms.ChoiceField(label=_("review state"), required=False, choices=STATE_CHOICES)
    status = forms.TypedChoiceField(label=_("status"), required=False, coerce=int, empty_value=None,
                                    choices=STATUS_CHOICES)
    partner = forms.TypedChoiceField(label=_("partner"), required=False, coerce=int, empty_value=None)
    municipality = forms.TypedChoiceField(label=_("municipality"), required=False, coerce=int, empty_value=None)
    sector = forms.TypedChoiceField(label=_("sector"), required=False, coerce=int, empty_value=None)
    active_from = forms.DateField(label=_("active from"), required=False, widget=DATE,
                                  error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")})
    active_to = forms.DateField(label=_("active until"), required=False, widget=DATE,
                                error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")})
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES, error_messages={
        "invalid_choice": _("This list cannot be sorted that way; it is shown newest change first.")})

    def __init__(self, *args: Any, focal_point: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not focal_point:
            del self.fields["scope"]
        everything = [("", _("All"))]
        self.fields["partner"].choices = everything + [(p.pk, str(p)) for p in Partner.objects.order_by("name_en")]
        self.fields["municipality"].choices = everything + municipality_choices()
        self.fields["sector"].choices = everything + sector_choices()
        for bound in self.fields.values():
            select = isinstance(bound.widget, forms.Select)
            bound.widget.attrs["class"] = "form-select form-select-sm" if select else "form-control form-control-sm"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("active_from"), data.get("active_to")
        if start and end and end < start:
            self.add_error("active_to", _("The period cannot end before it starts."))
        return data
