"""The user roles, as Django groups with model permissions.

Object-level rules (a focal point sees only their own partner's drafts) sit on top of
these in the services and selectors; the groups say what kind of thing a role may do.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext_lazy as _

MINISTRY_ADMIN = "ministry_admin"
MINISTRY_ANALYST = "ministry_analyst"
RAPPORTEUR = "rapporteur"
FOCAL_POINT = "focal_point"
# A user who enters the projects of one municipality's council: a focal point of the council (a partner of
# type local government linked to its municipality), scoped by that FocalPoint row like any focal point.
MUNICIPALITY_ACCOUNT = "municipality_account"
VIEWER = "viewer"

ROLE_LABELS = {
    MINISTRY_ADMIN: _("Ministry administrator"),
    MINISTRY_ANALYST: _("Ministry analyst"),
    RAPPORTEUR: _("Committee rapporteur"),
    FOCAL_POINT: _("Partner focal point"),
    MUNICIPALITY_ACCOUNT: _("Municipality account"),
    VIEWER: _("Read-only viewer"),
}

DOMAIN_APPS = ("municipalities", "projects", "coordination")
# Outside the domain apps, and only for the ministry administrators: reading the security log; having to confirm
# each sign-in with a second factor; and removing someone's lost authenticator app so they can set up a new one
# (the admin never shows its secret: OTP_ADMIN_HIDE_SENSITIVE_DATA).
ADMIN_ONLY_PERMISSIONS = (
    ("accounts", "view_securityevent"), ("accounts", "two_factor_required"),
    ("otp_totp", "view_totpdevice"), ("otp_totp", "delete_totpdevice"),
)

# (app_label, model) -> actions, per role; "view" everywhere is added for every role.
_EDIT = ("add", "change", "delete")
# The committee's meetings: who records them (the rapporteur; analysts and administrators may edit too). Who reads
# which meeting and action on top of this is coordination.meeting_rules.
MEETING_RECORDING: dict[tuple[str, str], tuple[str, ...]] = {
    ("coordination", "meeting"): (*_EDIT, "record"),
    **{("coordination", model): _EDIT for model in (
        "meetingseries", "attendee", "agendaitem", "decision", "followupaction", "meetinglink")},
}
ROLE_PERMISSIONS: dict[str, dict[tuple[str, str], tuple[str, ...]]] = {
    MINISTRY_ANALYST: {
        ("projects", "project"): ("change", "oversee", "review"),
        ("projects", "projectupdate"): ("change", "review"),
        ("municipalities", "need"): _EDIT,
        ("municipalities", "developmentplan"): _EDIT,
        ("municipalities", "planobjective"): _EDIT,
        ("municipalities", "developmentallocation"): _EDIT,
        ("projects", "exchangerate"): ("add", "change"),
        # Review of the analyses' flags (confirm / dismiss): the flags themselves are written by runs.
        ("coordination", "gapflag"): ("change",),
        ("coordination", "delayflag"): ("change",),
        ("coordination", "duplicateflag"): ("change",),
        **MEETING_RECORDING,
        ("coordination", "reportdelivery"): ("add",),  # send a meeting's report
        ("coordination", "alignmentflag"): ("change",),
        # People decide which objectives a project serves; the engine only suggests.
        ("coordination", "objectivelink"): ("change",),
        # The gazetteer: resolve a name imports could not place (it becomes a staff place name).
        ("municipalities", "unresolvedplace"): ("change",),
        ("municipalities", "placename"): _EDIT,
    },
    RAPPORTEUR: {("projects", "project"): ("oversee",), **MEETING_RECORDING, ("coordination", "reportdelivery"): ("add",)},
    FOCAL_POINT: {
        ("projects", "project"): ("add", "change"),
        ("projects", "projectupdate"): ("add", "change"),
        ("projects", "participation"): _EDIT,
        ("projects", "projectsector"): _EDIT,
        ("projects", "projectlocation"): _EDIT,
        ("projects", "site"): _EDIT,
        ("projects", "transaction"): _EDIT,
        ("projects", "relatedactivity"): _EDIT,
        ("projects", "programme"): ("add", "change"),
        ("coordination", "objectivelink"): ("change",),  # on their own partner's projects
    },
    VIEWER: {("projects", "project"): ("oversee",)},
}
# A municipality account does what a focal point does, for its council's projects.
ROLE_PERMISSIONS[MUNICIPALITY_ACCOUNT] = dict(ROLE_PERMISSIONS[FOCAL_POINT])


@transaction.atomic
def roles_sync() -> dict[str, int]:
    """Create the groups of ROLE_LABELS and set their permissions exactly (safe to run again)."""
    domain = Permission.objects.filter(content_type__app_label__in=DOMAIN_APPS).select_related("content_type")
    view_all = [p for p in domain if p.codename.startswith("view_")]
    admin_only = [p for app, codename in ADMIN_ONLY_PERMISSIONS
                  for p in Permission.objects.filter(content_type__app_label=app, codename=codename)]
    counts: dict[str, int] = {}
    for role in ROLE_LABELS:
        group, _created = Group.objects.get_or_create(name=role)
        if role == MINISTRY_ADMIN:
            perms = list(domain) + admin_only
        else:
            wanted = {
                f"{action}_{model}"
                for (app, model), actions in ROLE_PERMISSIONS[role].items()
                for action in actions
            }
            perms = view_all + [p for p in domain if p.codename in wanted]
        group.permissions.set(perms)
        counts[role] = len(perms)
    return counts
