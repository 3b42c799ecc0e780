"""Writes a user makes to their own account: a focal point's e-mail language, API tokens."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import SecurityEvent
from accounts.origin import RequestOrigin
from accounts.services import security_event_record
from projects.models import FocalPoint


@transaction.atomic
def focal_point_set_language(*, user, language: str) -> FocalPoint:
    """The language of the e-mails a focal point receives, chosen by themselves."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the languages offered.")})
    focal_point = FocalPoint.objects.select_for_update().filter(user_id=getattr(user, "pk", None)).first()
    if focal_point is None or not user.is_active:
        raise PermissionDenied(_("Only a partner's focal point chooses the language of reminder e-mails."))
    if focal_point.language != language:
        focal_point.language = language
        focal_point.save(update_fields=["language"])
    return focal_point


@transaction.atomic
def api_token_renew(*, user, origin: RequestOrigin | None = None):
    """A new API token for ``user``, replacing the old one (a token shown once is not shown again). ``origin``: the
    request's address and path, for the security log."""
    from rest_framework.authtoken.models import Token

    if not (user and user.is_authenticated and user.is_active):
        raise PermissionDenied(_("Sign in first."))
    replaced, _rows = Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    security_event_record(kind=SecurityEvent.Kind.API_TOKEN_CREATED, origin=origin, user=user,
                          object_ref="authtoken.token", detail="replaced the previous token" if replaced else "")
    return token


@transaction.atomic
def api_token_revoke(*, user, origin: RequestOrigin | None = None) -> int:
    from rest_framework.authtoken.models import Token

    deleted, _rows = Token.objects.filter(user=user).delete()
    if deleted:
        security_event_record(kind=SecurityEvent.Kind.API_TOKEN_REVOKED, origin=origin, user=user,
                              object_ref="authtoken.token")
    return deleted
