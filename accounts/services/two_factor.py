"""Two-factor sign-in with django-otp: an authenticator app (TOTP) and single-use recovery codes (static tokens).

A user has at most one confirmed authenticator app and one set of recovery codes. Setting up an app replaces the
old one and its codes, and needs a code from the new app, so a typo in the secret cannot lock anyone out. The
codes are shown once, when they are made; django-otp deletes each one as it is used.
"""

from __future__ import annotations

from binascii import unhexlify
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import django_otp
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from accounts.models import SecurityEvent
from accounts.origin import RequestOrigin
from accounts.selectors import two_factor_device, two_factor_required
from accounts.services.security_log import security_event_record

RECOVERY_CODE_COUNT = 10
KEY_BYTES = 20
APP_DEVICE_NAME = "authenticator app"
RECOVERY_DEVICE_NAME = "recovery codes"
Kind = SecurityEvent.Kind


@dataclass(frozen=True)
class VerifyResult:
    device: Any = None  # the device that accepted the code, or None
    recovery_code: bool = False  # the code was a recovery code (now used up)
    recovery_codes_left: int = 0
    wait_until: datetime | None = None  # refused without checking: too many wrong codes, wait until then


def _active(user: Any) -> None:
    if not (user is not None and user.is_authenticated and user.is_active):
        raise PermissionDenied(_("Sign in first."))


def _normalise(code: str) -> str:
    """Codes as people type them: spaces and dashes between groups, any case."""
    return "".join(ch for ch in str(code or "") if ch not in " -\t").lower()


def _is_app_code(code: str) -> bool:
    return len(code) == 6 and code.isascii() and code.isdigit()


def two_factor_new_key() -> str:
    """A new random secret (hex) for an authenticator app that is being set up."""
    return random_hex(KEY_BYTES)


def _recovery_codes_replace(user: Any) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def two_factor_confirm(*, user: Any, key: str, code: str, origin: RequestOrigin | None = None,
                       ) -> tuple[TOTPDevice, list[str]]:
    """Finish setting up the authenticator app whose secret is ``key``, given a ``code`` it shows: it replaces any
    earlier app and recovery codes. Returns the device and the new recovery codes (to show once)."""
    _active(user)
    try:
        binary = unhexlify(key.encode())
    except (ValueError, AttributeError):
        binary = b""
    if len(binary) != KEY_BYTES:
        raise ValidationError({"code": _("The set-up has expired. Start again.")})
    code = _normalise(code)
    totp = TOTP(binary)
    if not (_is_app_code(code) and totp.verify(int(code), tolerance=1)):
        security_event_record(kind=Kind.TWO_FACTOR_FAILED, origin=origin, user=user, detail="set-up")
        raise ValidationError({"code": _("That code is not right. Enter the six digits the app shows now.")})
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        # last_t: the code just used cannot be used again to sign in.
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, key=key, confirmed=True,
                                           last_t=totp.t(), drift=totp.drift)
        codes = _recovery_codes_replace(user)
        security_event_record(kind=Kind.TWO_FACTOR_SET_UP, origin=origin, user=user,
                              object_ref=device.persistent_id)
    return device, codes


def two_factor_verify(*, user: Any, code: str, origin: RequestOrigin | None = None) -> VerifyResult:
    """Check the second factor of a user who signed in with their password: six digits from the app, or one of the
    recovery codes (which is then used up). Wrong codes are throttled by django-otp (1, 2, 4, 8 … seconds)."""
    _active(user)
    code = _normalise(code)
    model = TOTPDevice if _is_app_code(code) else StaticDevice
    wait_until = None
    for device in model.objects.filter(user=user, confirmed=True):
        allowed, why = device.verify_is_allowed()
        if not allowed:
            wait_until = (why or {}).get("locked_until")
            continue
        accepted = django_otp.verify_token(user, device.persistent_id, code)
        if accepted is not None:
            if model is StaticDevice:
                left = StaticToken.objects.filter(device=accepted).count()
                security_event_record(kind=Kind.RECOVERY_CODE_USED, origin=origin, user=user,
                                      object_ref=accepted.persistent_id, detail=f"{left} left")
                return VerifyResult(device=accepted, recovery_code=True, recovery_codes_left=left)
            security_event_record(kind=Kind.TWO_FACTOR_PASSED, origin=origin, user=user,
                                  object_ref=accepted.persistent_id)
            return VerifyResult(device=accepted)
    detail = "throttled" if wait_until else ("wrong app code" if model is TOTPDevice else "wrong recovery code")
    security_event_record(kind=Kind.TWO_FACTOR_FAILED, origin=origin, user=user, detail=detail)
    return VerifyResult(wait_until=wait_until)


def recovery_codes_renew(*, user: Any, origin: RequestOrigin | None = None) -> list[str]:
    """A new set of recovery codes, replacing the old ones (all of them stop working)."""
    _active(user)
    if two_factor_device(user) is None:
        raise ValidationError(_("Set up an authenticator app first."))
    with transaction.atomic():
        codes = _recovery_codes_replace(user)
        security_event_record(kind=Kind.RECOVERY_CODES_RENEWED, origin=origin, user=user)
    return codes


def two_factor_turn_off(*, user: Any, origin: RequestOrigin | None = None) -> None:
    """Remove one's authenticator app and recovery codes (not for those who must sign in with them)."""
    _active(user)
    if two_factor_required(user):
        raise PermissionDenied(_("Ministry administrators must keep two-factor sign-in."))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        security_event_record(kind=Kind.TWO_FACTOR_TURNED_OFF, origin=origin, user=user)
