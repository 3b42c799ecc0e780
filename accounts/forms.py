from django import forms
from django.utils.translation import gettext_lazy as _


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40, strip=True,
                           error_messages={"required": _("Enter the code.")})
