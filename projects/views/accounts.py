"""A user's own account page: API token, two-factor sign-in (a link to its page) and, for a focal point, the
language of reminder e-mails."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.origin import request_origin
from accounts.selectors import two_factor_device
from projects import services
from projects.forms import (
    LanguageForm,
)

# --- API token --------------------------------------------------------------------------------


@never_cache
@login_required
def api_token(request: HttpRequest) -> HttpResponse:
    """Create or renew (the key is shown in this response only), or revoke, one's API token; a focal point also
    chooses here the language of the reminder e-mails they receive."""
    from rest_framework.authtoken.models import Token

    key = None
    focal_point = getattr(request.user, "focal_point", None)
    language_form = LanguageForm(initial={"language": focal_point.language or settings.LANGUAGE_CODE}) \
        if focal_point else None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "language" and focal_point is not None:
            language_form = LanguageForm(request.POST)
            if language_form.is_valid():
                services.focal_point_set_language(user=request.user, language=language_form.cleaned_data["language"])
                messages.success(request, _("Your e-mail language was saved."))
                return redirect("api_token")
            return render(request, "projects/accounts/api_token.html", {
                "key": None, "token": Token.objects.filter(user=request.user).only("created").first(),
                "language_form": language_form, "two_factor_on": two_factor_device(request.user) is not None},
                status=400)
        if action == "renew":
            key = services.api_token_renew(user=request.user, origin=request_origin(request)).key
        elif action == "revoke":
            if services.api_token_revoke(user=request.user, origin=request_origin(request)):
                messages.success(request, _("Your API token was revoked: scripts using it no longer get in."))
            return redirect("api_token")
        else:
            messages.error(request, _("Choose to create a new token or to revoke the current one."))
            return redirect("api_token")
    token = Token.objects.filter(user=request.user).only("created").first()
    return render(request, "projects/accounts/api_token.html", {
        "key": key, "token": token, "language_form": language_form,
        "two_factor_on": two_factor_device(request.user) is not None})
