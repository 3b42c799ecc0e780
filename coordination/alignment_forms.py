from django import forms
from django.utils.translation import gettext_lazy as _

from coordination.models import AlignmentFlag, FlagStatus, ObjectiveLink
from municipalities.models import DevelopmentPlan


class PlanFilterForm(forms.Form):
    level = forms.ChoiceField(label=_("level"), required=False,
                              choices=[("", _("All"))] + list(DevelopmentPlan.Level.choices))
    status = forms.ChoiceField(label=_("status"), required=False,
                               choices=[("", _("All"))] + list(DevelopmentPlan.Status.choices))


class PlanUploadForm(forms.Form):
    file = forms.FileField(label=_("plans file (CSV, XLSX or JSON)"))
    dry_run = forms.BooleanField(label=_("check only, write nothing"), required=False)


class AlignmentFlagFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), required=False,
                               choices=[("", _("All"))] + [(s, FlagStatus(s).label) for s in
                                                           (FlagStatus.OPEN, FlagStatus.CONFIRMED, FlagStatus.DISMISSED)])
    kind = forms.ChoiceField(label=_("kind"), required=False,
                             choices=[("", _("All"))] + list(AlignmentFlag.Kind.choices))


class AlignmentFlagReviewForm(forms.Form):
    status = forms.ChoiceField(label=_("decision"), choices=[
        (FlagStatus.CONFIRMED, _("Confirm")), (FlagStatus.DISMISSED, _("Dismiss")), (FlagStatus.OPEN, _("Open again")),
    ])
    note = forms.CharField(label=_("note"), required=False, max_length=2000)


class ObjectiveLinkDecisionForm(forms.Form):
    objective = forms.IntegerField(label=_("objective"), min_value=1)
    status = forms.ChoiceField(label=_("decision"), choices=ObjectiveLink.Status.choices)
