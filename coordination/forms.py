from django import forms
from django.utils.translation import gettext_lazy as _

from coordination.models import DuplicateFlag, FlagStatus


class DuplicateFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), required=False,
                               choices=[("", _("All"))] + list(FlagStatus.choices))
    kind = forms.ChoiceField(label=_("kind"), required=False,
                             choices=[("", _("All"))] + list(DuplicateFlag.Kind.choices))


class DuplicateReviewForm(forms.Form):
    status = forms.ChoiceField(label=_("decision"), choices=[
        (FlagStatus.CONFIRMED, _("Confirm: the same project")),
        (FlagStatus.RELATED, _("Related or co-funded")),
        (FlagStatus.DISMISSED, _("Distinct projects")),
        (FlagStatus.OPEN, _("Open again")),
    ])
    counted_project = forms.IntegerField(label=_("record that counts"), required=False)
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
