"""Reads of the accounts app: who must use a second factor, and the devices one has."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

# A flag permission on accounts.SecurityEvent: roles_sync gives it to ministry_admin; superusers hold every
# permission. Asked through has_perm, it costs no query on pages, which load the user's permissions anyway.
TWO_FACTOR_REQUIRED = "accounts.two_factor_required"
VIEW_SECURITY_LOG = "accounts.view_securityevent"
# In the session: set at a password sign-in of a user who has an authenticator app (accounts.receivers), cleared
# when the second factor is given. Those who must use two factors owe it whatever the session says.
TWO_FACTOR_PENDING = "tansiq_two_factor_pending"


def two_factor_required(user: Any) -> bool:
    """Whether ``user`` must confirm each sign-in with a second factor (ministry administrators, superusers)."""
    return bool(settings.TANSIQ_2FA_REQUIRED_FOR_ADMINS and user is not None and user.is_authenticated
                and user.is_active and user.has_perm(TWO_FACTOR_REQUIRED))


def two_factor_device(user: Any) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if they set one up."""
    if user is None or not user.is_authenticated:
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def recovery_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def two_factor_owed(request: Any) -> bool:
    """Whether the request's signed-in session still has to give its second factor."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    is_verified = getattr(user, "is_verified", None)
    if is_verified is None:
        raise ImproperlyConfigured("django_otp.middleware.OTPMiddleware must come before the two-factor middleware.")
    if is_verified():
        return False
    return bool(request.session.get(TWO_FACTOR_PENDING)) or two_factor_required(user)
