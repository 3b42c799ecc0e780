"""Sign-ins, failed sign-ins, lock-outs and sign-outs into the security log; and, at a sign-in, whether the session
owes a second factor. Connected in ``AccountsConfig.ready``."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from accounts.models import SecurityEvent
from accounts.selectors import TWO_FACTOR_PENDING, two_factor_device
from accounts.services.security_log import security_event_record

Kind = SecurityEvent.Kind


def signed_in(sender, request, user, **kwargs) -> None:
    security_event_record(kind=Kind.SIGN_IN, request=request, user=user)
    if request is not None and hasattr(request, "session") and two_factor_device(user) is not None:
        request.session[TWO_FACTOR_PENDING] = True


def sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str((credentials or {}).get("username") or "")
    security_event_record(kind=Kind.SIGN_IN_FAILED, request=request, username=username)


def locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    security_event_record(kind=Kind.LOCKED_OUT, request=request, username=str(username or ""))


def signed_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        security_event_record(kind=Kind.SIGN_OUT, request=request, user=user)


def connect() -> None:
    user_logged_in.connect(signed_in, dispatch_uid="accounts.security.signed_in")
    user_login_failed.connect(sign_in_failed, dispatch_uid="accounts.security.sign_in_failed")
    user_locked_out.connect(locked_out, dispatch_uid="accounts.security.locked_out")
    user_logged_out.connect(signed_out, dispatch_uid="accounts.security.signed_out")
