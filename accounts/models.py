"""The security log: who signed in, failed, was locked out, was refused, exported or downloaded what, from where.

Rows are written only by ``accounts.services.security_log.security_event_record`` and removed only by the daily
prune (``TANSIQ_SECURITY_LOG_DAYS``); nobody edits or deletes them by hand, not even in the admin.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SecurityEvent(models.Model):
    class Kind(models.TextChoices):
        SIGN_IN = "sign_in", _("Signed in (password)")
        SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
        LOCKED_OUT = "locked_out", _("Locked out after failed sign-ins")
        SIGN_OUT = "sign_out", _("Signed out")
        TWO_FACTOR_PASSED = "two_factor_passed", _("Second factor accepted")
        TWO_FACTOR_FAILED = "two_factor_failed", _("Second factor refused")
        RECOVERY_CODE_USED = "recovery_code_used", _("Recovery code used")
        TWO_FACTOR_SET_UP = "two_factor_set_up", _("Authenticator app set up")
        TWO_FACTOR_TURNED_OFF = "two_factor_turned_off", _("Two-factor sign-in turned off")
        RECOVERY_CODES_RENEWED = "recovery_codes_renewed", _("Recovery codes renewed")
        API_TOKEN_CREATED = "api_token_created", _("API token created")
        API_TOKEN_REVOKED = "api_token_revoked", _("API token revoked")
        PERMISSION_DENIED = "permission_denied", _("Refused (403)")
        EXPORT = "export", _("Export downloaded")
        CONFIDENTIAL_DOWNLOAD = "confidential_download", _("Confidential file downloaded")

    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    kind = models.CharField(_("event"), max_length=40, choices=Kind.choices)
    # The account, when there is one; kept as a name too, so the row still says who after the account is gone,
    # and a failed sign-in says which name was tried.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(_("username"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    method = models.CharField(_("method"), max_length=10, blank=True)
    path = models.CharField(_("path"), max_length=500, blank=True)
    object_ref = models.CharField(_("object"), max_length=200, blank=True,
                                  help_text=_("What the event was about, e.g. projects.updateattachment:12."))
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security log")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["kind", "created_at"], name="security_kind_created"),
            models.Index(fields=["user", "created_at"], name="security_user_created"),
        ]
        # The app's permissions: reading the log (view_securityevent), and a flag permission that makes the
        # holder confirm each sign-in with a second factor (given to ministry_admin by roles_sync; superusers
        # hold every permission, so they must too).
        permissions = [("two_factor_required", "Must confirm each sign-in with a second factor")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.kind} {self.username or '-'}"
