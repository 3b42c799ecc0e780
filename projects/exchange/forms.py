"""Forms of the exchange pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from projects.models import ImportJob


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of file"), choices=ImportJob.Kind.choices,
                             initial=ImportJob.Kind.SPREADSHEET)
    file = forms.FileField(label=_("File"), help_text=_("A 3W sheet (CSV UTF-8 or XLSX, with its HXL hashtag row) "
                                                        "or an IATI 2.0x activities file (XML)."))


class ExportFormatForm(forms.Form):
    format = forms.ChoiceField(choices=[("csv", "CSV"), ("xlsx", "XLSX")], required=False)
    partner = forms.CharField(max_length=100, required=False)


class GovernmentUploadForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("A sheet (CSV UTF-8 or XLSX) with its HXL hashtag row and a "
                                                        "#meta+record column: allocation or project."))
    dry_run = forms.BooleanField(label=_("Check only, save nothing"), required=False)
