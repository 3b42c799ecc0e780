"""The map's filters and choices, read from the query string (the page's form and its JSON endpoints alike, so a
shared address shows the same map it was copied from)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from coordination.selectors.map import MEASURES, MapFilters
from municipalities.models import Sector
from projects.models import ActivityStatus, Partner

MEASURE_LABELS = {
    "active_projects": _("Active projects"),
    "usd_per_capita": _("USD per capita"),
    "gap_score": _("Gap score"),
    "severity": _("Severity of need"),
    "open_flags": _("Open flags"),
    "aligned_share": _("Share of money aligned"),
}
LAYER_CHOICES = [
    ("sites", _("Project sites")),
    ("duplicates", _("Duplicate pairs")),
    ("unreached", _("Unreached municipalities")),
    ("boundaries", _("Official and approximate areas")),
]


class SectorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Sector) -> str:
        return str(obj)


class MapFilterForm(forms.Form):
    measure = forms.ChoiceField(label=_("Colour by"), choices=[(m, MEASURE_LABELS[m]) for m in MEASURES],
                                required=False)
    sector = SectorChoiceField(label=_("Sector"), queryset=Sector.objects.order_by("order", "code"),
                               to_field_name="code", required=False, empty_label=_("All sectors"),
                               error_messages={"invalid_choice": _("No sector has this code.")})
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.order_by("name_en"),
                                     required=False, empty_label=_("All partners"),
                                     error_messages={"invalid_choice": _("No partner has this id.")})
    status = forms.TypedChoiceField(label=_("Status"), coerce=int, required=False, empty_value=None,
                                    choices=[("", _("All statuses")), *ActivityStatus.choices])
    start = forms.DateField(label=_("From"), required=False, input_formats=["%Y-%m-%d"],
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(label=_("To"), required=False, input_formats=["%Y-%m-%d"],
                          widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    layer = forms.MultipleChoiceField(label=_("Layers"), choices=LAYER_CHOICES, required=False,
                                      widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "layer":
                css = "form-control" if isinstance(field, forms.DateField) else "form-select"
                field.widget.attrs.setdefault("class", f"{css} form-control-sm" if css == "form-control"
                                              else f"{css} form-select-sm")
        self.fields["layer"].widget.attrs["class"] = "form-check-input"

    def clean_measure(self) -> str:
        return self.cleaned_data.get("measure") or MEASURES[0]

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end of the period cannot come before its start."))
        return data

    def map_filters(self) -> MapFilters:
        data = self.cleaned_data
        partner = data.get("partner")
        return MapFilters(sector=data.get("sector"), partner_id=partner.pk if partner else None,
                          status=data.get("status"), start=data.get("start"), end=data.get("end"))


class MapViewForm(forms.Form):
    """The part of the map in view, as the page's script sends it for the sites: the zoom level and the bounds
    (west,south,east,north in degrees). Both optional: the whole country at the first view's zoom."""

    zoom = forms.IntegerField(min_value=0, max_value=22, required=False)
    bbox = forms.CharField(max_length=120, required=False)

    def clean_bbox(self) -> tuple[float, float, float, float] | None:
        text = self.cleaned_data.get("bbox") or ""
        if not text:
            return None
        try:
            west, south, east, north = (float(v) for v in text.split(","))
        except ValueError:
            raise forms.ValidationError(_("The bounds are four numbers: west, south, east, north.")) from None
        west, east = max(west, -180.0), min(east, 180.0)
        south, north = max(south, -90.0), min(north, 90.0)
        if not (west < east and south < north):
            raise forms.ValidationError(_("The bounds are four numbers: west, south, east, north."))
        return west, south, east, north
