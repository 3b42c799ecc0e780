"""The repeated parts of the focal point's project form, beside ``projects.forms``' sectors and places: the
participating partners with their roles, the sites (typed coordinates or a click on the map), and the plan
objectives the project serves. Each reads and checks the rows; ``projects.services`` writes them, all in
the one transaction of the project's save.

A part whose management form is not in the request (a client that posts only the project's fields and its
sectors and places) is left out: the service is given None for it and leaves that part as it is. The sectors
and places are always read (``projects.views.projects``): without its sector rows a project is refused."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from common.bilingual import bilingual_text
from projects.forms import ChoiceRowForm, RowFormSet, UpdateSiteForm, UpdateSiteFormSet
from projects.models import OrganisationRole, Partner, Project
from projects.selectors.project_pages import plan_objectives_allowed


class ParticipationForm(ChoiceRowForm):
    """One participating partner and its role (IATI: funding, accountable, extending, implementing)."""

    choice_field = "partner"
    partner = forms.TypedChoiceField(label=_("partner"), coerce=int, required=False)
    role = forms.TypedChoiceField(label=_("role"), coerce=int, required=False, empty_value=None,
                                  choices=[("", "—")] + list(OrganisationRole.choices))
    activity_id = forms.CharField(label=_("partner's own IATI activity identifier"), max_length=150, required=False,
                                  widget=forms.TextInput(attrs={"dir": "ltr"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("partner") and data.get("role") is None:
            self.add_error("role", _("Choose this partner's role."))
        if (data.get("role") is not None or (data.get("activity_id") or "").strip()) and not data.get("partner"):
            self.add_error("partner", _("Choose the partner."))
        return data


class ParticipationFormSet(RowFormSet):
    key = "partner"

    def clean(self) -> None:
        if any(form.errors for form in self.forms):
            return
        pairs = [(row["partner"], row["role"]) for row in self.filled()]
        if len(pairs) != len(set(pairs)):
            raise ValidationError(_("The same partner is listed twice in the same role."))

    def service_rows(self) -> list[dict[str, Any]]:
        partners = Partner.objects.in_bulk([row["partner"] for row in self.filled()])
        return [{"partner": partners[row["partner"]], "role": row["role"],
                 "activity_id": (row.get("activity_id") or "").strip()} for row in self.filled()]


class ProjectSiteFormSet(UpdateSiteFormSet):
    """The project's sites: a name, a point in Libya, and its municipality (found from the point when left
    empty). The same rows as an update's new sites."""

    def service_rows(self) -> list[dict[str, Any]]:
        return [{"name_ar": row["name_ar"], "name_en": row["name_en"], "municipality": row["municipality"],
                 "point": Point(row["lon"], row["lat"], srid=4326)} for row in super().service_rows()]


ParticipationRows = forms.formset_factory(ParticipationForm, formset=ParticipationFormSet, extra=2, max_num=50,
                                          validate_max=True)
SiteRows = forms.formset_factory(UpdateSiteForm, formset=ProjectSiteFormSet, extra=2, max_num=200,
                                 validate_max=True)


def partner_choices() -> list[tuple[int, str]]:
    names = []
    for p in Partner.objects.only("pk", "acronym", "name_ar", "name_en").order_by("name_en"):
        name = bilingual_text(p.name_ar, p.name_en)
        names.append((p.pk, f"{p.acronym} — {name}" if p.acronym and p.acronym != name else name))
    return names


def participation_initial(project: Project) -> list[dict[str, Any]]:
    return [{"partner": p.partner_id, "role": p.role, "activity_id": p.activity_id}
            for p in project.participations.order_by("role", "pk")]


def site_initial(project: Project) -> list[dict[str, Any]]:
    return [{"name_ar": s.name_ar, "name_en": s.name_en, "lat": s.point.y, "lon": s.point.x,
             "municipality": s.municipality_id} for s in project.sites.order_by("pk")]


def rows_posted(data: Any, prefix: str) -> bool:
    """Did the request carry the rows of ``prefix`` (its management form)?"""
    return data is not None and f"{prefix}-TOTAL_FORMS" in data


class ObjectivesForm(forms.Form):
    """The plan objectives the project serves, from the national plans and the plans of its municipalities
    (those being saved with the form, else those it has)."""

    shown = forms.BooleanField(required=False, widget=forms.HiddenInput, initial=True)
    plan_objectives = forms.MultipleChoiceField(label=_("plan objectives"), required=False,
                                                widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}))

    def __init__(self, *args: Any, municipality_ids: set[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.objectives = list(plan_objectives_allowed(municipality_ids))
        self.fields["plan_objectives"].choices = [(str(o.pk), self.label(o)) for o in self.objectives]

    @staticmethod
    def label(objective: Any) -> str:
        plan = objective.plan
        place = f" · {plan.municipality}" if plan.municipality_id else ""
        return f"{objective.code} — {bilingual_text(objective.title_ar, objective.title_en)} " \
               f"({bilingual_text(plan.title_ar, plan.title_en)}{place})"

    def service_rows(self) -> list[int]:
        return sorted(int(pk) for pk in self.cleaned_data.get("plan_objectives") or [])


def municipality_ids_posted(places: Any, project: Project | None) -> set[int]:
    """The municipalities the form is saving (its places' rows, once read), else the project's own."""
    chosen: set[int] = set()
    for form in places.forms:
        raw = form.data.get(form.add_prefix("municipality")) if places.is_bound else None
        if raw and str(raw).isdigit():
            chosen.add(int(raw))
    if places.is_bound:
        return chosen
    if project is not None:
        return set(project.locations.values_list("municipality_id", flat=True))
    return set()
