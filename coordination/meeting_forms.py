"""The forms of the meeting pages: they read and check the input; the services decide and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from coordination.models import ActionStatus, Attendee, FlagKind, FlagStatus, LinkKind, MeetingStatus
from municipalities.models import Municipality, Sector
from projects.models import Partner

_TEXT = {"rows": 2, "class": "form-control"}


class Styled(forms.Form):
    """Bootstrap's classes on every widget (the templates print fields as they come)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple)):
                css = "form-check-input" if isinstance(widget, forms.CheckboxInput) else ""
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                css = "form-select form-select-sm"
            else:
                css = "form-control form-control-sm"
            if css:
                widget.attrs["class"] = css


def _partners():
    return Partner.objects.order_by("acronym", "name_en")


class SeriesForm(Styled):
    title_ar = forms.CharField(label=_("title (Arabic)"), max_length=300, required=False)
    title_en = forms.CharField(label=_("title (English)"), max_length=300, required=False)


class MeetingForm(Styled):
    title_ar = forms.CharField(label=_("title (Arabic)"), max_length=300, required=False)
    title_en = forms.CharField(label=_("title (English)"), max_length=300, required=False)
    date = forms.DateField(label=_("date"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label=_("start time"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label=_("end time"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    place = forms.CharField(label=_("place"), max_length=300, required=False)
    online_link = forms.URLField(label=_("online link"), max_length=500, required=False, assume_scheme="https")
    chair = forms.CharField(label=_("chair"), max_length=200, required=False)
    notes_ar = forms.CharField(label=_("discussion (Arabic)"), required=False, widget=forms.Textarea(attrs=_TEXT))
    notes_en = forms.CharField(label=_("discussion (English)"), required=False, widget=forms.Textarea(attrs=_TEXT))


class AttendeeForm(Styled):
    name = forms.CharField(label=_("name"), max_length=200)
    title = forms.CharField(label=_("title"), max_length=200, required=False)
    partner = forms.ModelChoiceField(label=_("partner"), queryset=Partner.objects.none(), required=False)
    body = forms.CharField(label=_("government body"), max_length=200, required=False)
    present = forms.BooleanField(label=_("present"), required=False, initial=True)
    language = forms.ChoiceField(label=_("language"), choices=[("", "—"), *Attendee.Language.choices],
                                 required=False)
    email = forms.EmailField(label=_("e-mail"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = _partners()


class AgendaItemForm(Styled):
    title_ar = forms.CharField(label=_("title (Arabic)"), max_length=500, required=False)
    title_en = forms.CharField(label=_("title (English)"), max_length=500, required=False)
    notes_ar = forms.CharField(label=_("notes (Arabic)"), required=False, widget=forms.Textarea(attrs=_TEXT))
    notes_en = forms.CharField(label=_("notes (English)"), required=False, widget=forms.Textarea(attrs=_TEXT))
    municipalities = forms.ModelMultipleChoiceField(label=_("Municipalities"), queryset=Municipality.objects.none(),
                                                    required=False)
    sectors = forms.ModelMultipleChoiceField(label=_("Sectors"), queryset=Sector.objects.none(), required=False)
    partners = forms.ModelMultipleChoiceField(label=_("Partners"), queryset=Partner.objects.none(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipalities"].queryset = Municipality.objects.order_by("name_en")
        self.fields["sectors"].queryset = Sector.objects.order_by("order", "code")
        self.fields["partners"].queryset = _partners()

    def links(self) -> list[tuple[str, int]]:
        data = self.cleaned_data
        return ([(LinkKind.MUNICIPALITY, m.pk) for m in data["municipalities"]]
                + [(LinkKind.SECTOR, s.pk) for s in data["sectors"]]
                + [(LinkKind.PARTNER, p.pk) for p in data["partners"]])


class ProposalFilterForm(AgendaItemForm):
    """The municipalities, sectors or partners the agenda's proposals are about (GET)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("title_ar", "title_en", "notes_ar", "notes_en"):
            del self.fields[name]

    def filters(self) -> dict[str, list[int]]:
        if not self.is_valid():
            return {}
        return {name: [r.pk for r in self.cleaned_data[name]] for name in ("municipalities", "sectors", "partners")}


def _link_choices(links: list[dict]) -> list[tuple[str, str]]:
    return [(f"{link['kind']}:{link['id']}", link["label"]) for link in links]


def link_pairs(values: list[str]) -> list[tuple[str, int]]:
    pairs = []
    for value in values:
        kind, _sep, pk = value.partition(":")
        if pk.isdigit():
            pairs.append((kind, int(pk)))
    return pairs


class DecisionForm(Styled):
    """A decision: its text, the agenda item, links among the agenda's, and the flag it resolves."""

    text_ar = forms.CharField(label=_("text (Arabic)"), required=False, widget=forms.Textarea(attrs=_TEXT))
    text_en = forms.CharField(label=_("text (English)"), required=False, widget=forms.Textarea(attrs=_TEXT))
    agenda_item = forms.TypedChoiceField(label=_("agenda item"), required=False, coerce=int, empty_value=None)
    links = forms.MultipleChoiceField(label=_("About"), required=False, widget=forms.CheckboxSelectMultiple)
    flag = forms.ChoiceField(label=_("Flag it resolves"), required=False)
    flag_status = forms.ChoiceField(label=_("flag decision"), required=False, choices=[
        ("", "—"), (FlagStatus.CONFIRMED, FlagStatus.CONFIRMED.label), (FlagStatus.DISMISSED, FlagStatus.DISMISSED.label)])

    def __init__(self, *args, agenda: list[dict] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].choices = [("", "—")] + [(a["id"], f"{a['number']}. {a['title']}") for a in agenda]
        links = {c: label for a in agenda for c, label in _link_choices(a["links"])}
        self.fields["links"].choices = sorted(links.items(), key=lambda c: c[1])
        self.fields["flag"].choices = [("", "—")] + [(c, label) for c, label in links.items()
                                                     if c.split(":")[0] in FlagKind.values]

    def clean(self):
        data = super().clean()
        if bool(data.get("flag")) != bool(data.get("flag_status")):
            raise forms.ValidationError(_("Choose both the flag and whether it is confirmed or dismissed."))
        return data

    def flag_effect(self) -> dict | None:
        if not self.cleaned_data.get("flag"):
            return None
        kind, pk = link_pairs([self.cleaned_data["flag"]])[0]
        return {"kind": kind, "id": pk, "status": self.cleaned_data["flag_status"]}


class ActionForm(Styled):
    text_ar = forms.CharField(label=_("text (Arabic)"), required=False, widget=forms.Textarea(attrs=_TEXT))
    text_en = forms.CharField(label=_("text (English)"), required=False, widget=forms.Textarea(attrs=_TEXT))
    owner_partner = forms.ModelChoiceField(label=_("owner (partner)"), queryset=Partner.objects.none(),
                                           required=False)
    owner_unit = forms.CharField(label=_("owner (ministry unit)"), max_length=200, required=False)
    owner_person = forms.CharField(label=_("person"), max_length=200, required=False)
    owner_email = forms.EmailField(label=_("owner's e-mail"), required=False, help_text=_(
        "Where the meeting's report goes for this action's owner. A partner's focal points receive it anyway."))
    due = forms.DateField(label=_("due date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    links = forms.MultipleChoiceField(label=_("About"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, agenda: list[dict] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_partner"].queryset = _partners()
        links = {c: label for a in agenda for c, label in _link_choices(a["links"])}
        self.fields["links"].choices = sorted(links.items(), key=lambda c: c[1])


class ActionStatusForm(Styled):
    status = forms.ChoiceField(label=_("status"), choices=ActionStatus.choices)
    note = forms.CharField(label=_("note"), required=False, max_length=2000)


class TransitionForm(Styled):
    step = forms.ChoiceField(choices=[("held", MeetingStatus.HELD.label), ("finalise", MeetingStatus.FINALISED.label),
                                      ("reopen", _("Reopen")), ("distributed", MeetingStatus.DISTRIBUTED.label)])
    reason = forms.CharField(required=False, max_length=90)


class ActionFilterForm(Styled):
    owner_partner = forms.ModelChoiceField(label=_("owner (partner)"), queryset=Partner.objects.none(),
                                           required=False)
    owner_unit = forms.CharField(label=_("owner (ministry unit)"), max_length=200, required=False)
    series = forms.TypedChoiceField(label=_("series"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("status"), required=False, choices=[("", "—"), *ActionStatus.choices])
    municipality = forms.ModelChoiceField(label=_("Municipality"), queryset=Municipality.objects.none(),
                                          required=False)
    due_from = forms.DateField(label=_("Due from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    due_to = forms.DateField(label=_("Due until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, series_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_partner"].queryset = _partners()
        self.fields["municipality"].queryset = Municipality.objects.order_by("name_en")
        self.fields["series"].choices = [("", "—"), *series_choices]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {"owner_partner": data["owner_partner"].pk if data["owner_partner"] else None,
                "owner_unit": data["owner_unit"], "series": data["series"], "status": data["status"],
                "municipality": data["municipality"].pk if data["municipality"] else None,
                "due_from": data["due_from"], "due_to": data["due_to"]}
