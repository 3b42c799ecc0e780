"""The dashboard's filters: a GET form whose values stay in the URL, so a view of the figures can be shared."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coordination.selectors.dashboard import DashboardFilters, dashboard_period
from municipalities.models import Sector
from projects.models import Partner


def period_label(key: str) -> str:
    """ "2025" for a year, "Q2 2025" ("الربع 2 2025") for a quarter."""
    year, _sep, quarter = key.partition("-Q")
    return str(_("Q%(quarter)s %(year)s") % {"quarter": quarter, "year": year}) if quarter else year


class DashboardFilterForm(forms.Form):
    period = forms.CharField(label=_("Period"), required=False, max_length=7)
    sector = forms.ModelChoiceField(
        label=_("Sector"), required=False, queryset=Sector.objects.order_by("order", "code"), to_field_name="code",
        empty_label=_("All sectors"), error_messages={"invalid_choice": _("No sector has this code.")})
    partner = forms.ModelChoiceField(
        label=_("Partner"), required=False, queryset=Partner.objects.order_by("acronym", "name_en"),
        empty_label=_("All partners"), error_messages={"invalid_choice": _("No partner has this number.")})
    international = forms.BooleanField(
        label=_("International money only"), required=False,
        help_text=_("Leave out the government's own projects (funded by a ministry or a municipal council)."))

    def __init__(self, *args: Any, years: tuple[int, int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        keys: list[str] = []
        if years is not None:
            for year in range(years[1], years[0] - 1, -1):  # newest first
                keys += [str(year)] + [f"{year}-Q{q}" for q in range(1, 5)]
        asked = (self.data.get("period") or "").strip().upper() if self.is_bound else ""
        if asked and asked not in keys:
            try:
                keys.insert(0, dashboard_period(asked).key)  # a valid period outside the data's years
            except ValueError:
                pass
        self.fields["period"].widget = forms.Select(
            choices=[("", _("All periods"))] + [(k, period_label(k)) for k in keys])
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-check-input" if name == "international" else "form-select form-select-sm"

    def clean_period(self):
        value = (self.cleaned_data.get("period") or "").strip()
        if not value:
            return None
        try:
            return dashboard_period(value)
        except ValueError:
            raise forms.ValidationError(
                _("A period is a year (2025) or a quarter of it (2025-Q2).")) from None

    def filters(self) -> DashboardFilters:
        """The filters whose values are valid (an invalid one is reported by the form and left out)."""
        if not self.is_bound:
            return DashboardFilters()
        self.is_valid()
        data = self.cleaned_data
        sector, partner = data.get("sector"), data.get("partner")
        return DashboardFilters(period=data.get("period"), sector_id=sector.pk if sector else None,
                                partner_id=partner.pk if partner else None,
                                international_only=bool(data.get("international")))
