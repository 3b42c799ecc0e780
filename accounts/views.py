"""Two-factor sign-in pages: confirm a sign-in, set up an authenticator app, manage it and the recovery codes.

Thin: the services in ``accounts.services.two_factor`` check the codes and write the devices; these views keep the
session's part (django-otp's mark that the session gave its second factor, the secret of an app being set up).
"""

from __future__ import annotations

from base64 import b32encode
from binascii import unhexlify

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.forms import TwoFactorCodeForm
from accounts.origin import request_origin
from accounts.selectors import (
    TWO_FACTOR_PENDING,
    recovery_codes_left,
    two_factor_device,
    two_factor_owed,
    two_factor_required,
)

SETUP_KEY = "tansiq_two_factor_setup_key"


def _next(request: HttpRequest) -> str:
    """Where to go afterwards: the ``next`` asked for, if it is on this site."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return wanted
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _go(request: HttpRequest, name: str) -> HttpResponse:
    """To another two-factor page, keeping ``next``."""
    return redirect_to_login(_next(request), login_url=reverse(name))


def _mark_verified(request: HttpRequest, device) -> None:
    django_otp.login(request, device)
    request.session.pop(TWO_FACTOR_PENDING, None)
    request.session.pop(SETUP_KEY, None)
    request.session.cycle_key()  # a new session id for the session that now holds both factors


def _owes_second_factor(request: HttpRequest) -> bool:
    return two_factor_device(request.user) is not None and not request.user.is_verified()


def _qr_svg(uri: str) -> str:
    """The otpauth address as an inline SVG QR code (its geometry only: no text of ours inside)."""
    svg = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathFillImage).to_string(encoding="unicode")
    label = escape(_("QR code to scan with the authenticator app"))
    return mark_safe(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" class="two-factor-qr" ', 1))


def _grouped(text: str, size: int = 4) -> str:
    return " ".join(text[i:i + size] for i in range(0, len(text), size))


@never_cache
@sensitive_post_parameters("code")
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """After the password: six digits from the authenticator app, or a recovery code."""
    if request.user.is_verified():
        return redirect(_next(request))
    if two_factor_device(request.user) is None:
        return _go(request, "two_factor_setup")
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            result = services.two_factor_verify(user=request.user, code=form.cleaned_data["code"],
                                                origin=request_origin(request))
            if result.device is not None:
                _mark_verified(request, result.device)
                if result.recovery_code:
                    messages.warning(request, ngettext(
                        "You signed in with a recovery code; %(count)d is left. Make new ones on your account page.",
                        "You signed in with a recovery code; %(count)d are left. Make new ones on your account page.",
                        result.recovery_codes_left) % {"count": result.recovery_codes_left})
                return redirect(_next(request))
            if result.wait_until is not None:
                form.add_error("code", _("Too many wrong codes. Wait a few seconds and try again."))
            else:
                form.add_error("code", _("That code is not right. Try again."))
        status = 400
    else:
        status = 200
    return render(request, "accounts/two_factor/verify.html", {
        "form": form, "next": _next(request), "two_factor_pending": True}, status=status)


@never_cache
@sensitive_post_parameters("code")
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app (or replace one): scan the code, enter the six digits it shows. A session that
    has not given the second factor of an app already set up must give it first."""
    if _owes_second_factor(request):
        return _go(request, "two_factor_verify")
    key = request.session.get(SETUP_KEY)
    if not key:
        key = request.session[SETUP_KEY] = services.two_factor_new_key()
    form = TwoFactorCodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                device, codes = services.two_factor_confirm(user=request.user, key=key, code=form.cleaned_data["code"],
                                                            origin=request_origin(request))
            except ValidationError as exc:
                for error in exc.message_dict.get("code", exc.messages):
                    form.add_error("code", error)
            else:
                _mark_verified(request, device)
                return render(request, "accounts/two_factor/recovery_codes.html",
                              {"codes": codes, "next": _next(request), "first": True})
        status = 400
    uri = TOTPDevice(user=request.user, key=key).config_url
    return render(request, "accounts/two_factor/setup.html", {
        "form": form, "next": _next(request), "qr": _qr_svg(uri), "uri": uri,
        "secret": _grouped(b32encode(unhexlify(key)).decode()),
        "required": two_factor_required(request.user), "replacing": two_factor_device(request.user) is not None,
        "two_factor_pending": two_factor_owed(request),
    }, status=status)


@never_cache
@login_required
def two_factor_manage(request: HttpRequest) -> HttpResponse:
    device = two_factor_device(request.user)
    return render(request, "accounts/two_factor/manage.html", {
        "device": device, "codes_left": recovery_codes_left(request.user) if device else 0,
        "required": two_factor_required(request.user),
    })


@never_cache
@login_required
@require_POST
def two_factor_recovery_codes(request: HttpRequest) -> HttpResponse:
    if _owes_second_factor(request):
        return _go(request, "two_factor_verify")
    try:
        codes = services.recovery_codes_renew(user=request.user, origin=request_origin(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("two_factor")
    return render(request, "accounts/two_factor/recovery_codes.html",
                  {"codes": codes, "next": reverse("two_factor"), "first": False})


@login_required
@require_POST
def two_factor_off(request: HttpRequest) -> HttpResponse:
    if _owes_second_factor(request):
        return _go(request, "two_factor_verify")
    services.two_factor_turn_off(user=request.user, origin=request_origin(request))
    messages.success(request, _("Two-factor sign-in is off. You sign in with your password alone."))
    return redirect("two_factor")
