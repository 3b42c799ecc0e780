"""The review queues' filters, sorting and decisions (gaps and delays), read from the query string or the POST.

An invalid value is dropped, not an error: a queue opened from an old link still lists its flags."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coordination.models import DelayFlag, FlagStatus
from municipalities.models import Region, Sector
from projects.models import Partner

# The queues' sort keys, each with its label (the selectors map them to orderings).
GAP_SORTS = [
    ("score", _("Highest gap score")),
    ("severity", _("Most severe need")),
    ("people", _("Most people in need")),
    ("municipality", _("Municipality")),
]
DELAY_SORTS = [
    ("score", _("Highest delay score")),
    ("severity", _("Most severe")),
    ("end", _("Planned end, earliest first")),
    ("update", _("Oldest last update first")),
    ("partner", _("Partner")),
]
SEVERITY_CHOICES = [("", _("Any severity"))] + [(str(n), str(n)) for n in range(1, 6)]
QUEUE_STATUSES = [("", _("All"))] + list(FlagStatus.choices)


class NamedChoiceField(forms.ModelChoiceField):
    """A region, sector or partner by its name in the reader's language (its ``__str__``)."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class QueueFilterForm(forms.Form):
    """What the gap and delay queues share: region, municipality, status, sorting."""

    region = NamedChoiceField(label=_("Region"), queryset=Region.objects.order_by("pcode"), to_field_name="pcode",
                              required=False, empty_label=_("All regions"))
    municipality = forms.CharField(label=_("Municipality"), required=False, max_length=80,
                                   widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Status"), choices=QUEUE_STATUSES, required=False)

    def filters(self) -> dict[str, Any]:
        """The valid filters only (an invalid field is left out), as the selectors take them."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data[name] for name in self.fields if name in data and data[name] not in (None, "")}


class GapFilterForm(QueueFilterForm):
    sector = NamedChoiceField(label=_("Sector"), queryset=Sector.objects.order_by("order", "code"),
                              to_field_name="code", required=False, empty_label=_("All sectors"))
    severity = forms.ChoiceField(label=_("Severity at least"), choices=SEVERITY_CHOICES, required=False)
    sort = forms.ChoiceField(label=_("Sort by"), choices=GAP_SORTS, required=False)
    field_order = ["region", "sector", "status", "severity", "sort"]


class DelayFilterForm(QueueFilterForm):
    rule = forms.ChoiceField(label=_("Rule"), choices=[("", _("All rules"))] + list(DelayFlag.Rule.choices),
                             required=False)
    severity = forms.ChoiceField(label=_("Severity"), required=False,
                                 choices=[("", _("Any severity"))] + [(str(v), lbl) for v, lbl in
                                                                      DelayFlag.Severity.choices])
    partner = NamedChoiceField(label=_("Partner"), queryset=Partner.objects.order_by("acronym", "name_en"),
                               required=False, empty_label=_("All partners"))
    sort = forms.ChoiceField(label=_("Sort by"), choices=DELAY_SORTS, required=False)
    field_order = ["region", "partner", "rule", "severity", "status", "sort"]


class FlagReviewForm(forms.Form):
    """A gap or delay decision with its note (a dismissal needs one: the service says so)."""

    status = forms.ChoiceField(label=_("decision"), choices=[
        (FlagStatus.CONFIRMED, _("Confirm")),
        (FlagStatus.DISMISSED, _("Dismiss")),
        (FlagStatus.OPEN, _("Open again")),
    ])
    note = forms.CharField(label=_("note"), required=False, max_length=4000)
