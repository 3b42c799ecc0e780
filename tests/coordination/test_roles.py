import pytest

from coordination import roles as r

# The expected model-permission matrix, as data: role -> permissions it must have / must not have.
MUST_HAVE = {
    r.MINISTRY_ADMIN: {"projects.delete_project", "municipalities.change_municipality", "projects.change_exchangerate",
                       "projects.manage_project", "projects.review_project", "projects.review_projectupdate",
                       "accounts.view_securityevent", "accounts.two_factor_required", "otp_totp.delete_totpdevice"},
    r.MINISTRY_ANALYST: {"projects.change_projectupdate", "municipalities.add_need", "projects.view_project",
                         "projects.oversee_project", "projects.review_project", "projects.review_projectupdate",
                         "coordination.record_meeting", "coordination.change_meeting",
                         "municipalities.add_developmentplan", "coordination.change_alignmentflag",
                         "municipalities.add_developmentallocation", "municipalities.change_developmentallocation",
                         "coordination.change_objectivelink", "municipalities.change_unresolvedplace",
                         "municipalities.add_placename"},
    r.RAPPORTEUR: {"projects.view_project", "municipalities.view_municipality", "projects.oversee_project",
                   "coordination.record_meeting", "coordination.add_meeting", "coordination.change_decision",
                   "coordination.change_followupaction"},
    r.FOCAL_POINT: {"projects.add_project", "projects.change_project", "projects.add_projectupdate", "projects.add_site",
                    "coordination.change_objectivelink", "municipalities.view_developmentplan"},
    r.VIEWER: {"projects.view_project", "municipalities.view_need", "projects.oversee_project"},
    r.MUNICIPALITY_ACCOUNT: {"projects.add_project", "projects.change_project", "projects.add_projectupdate",
                             "projects.add_participation"},
}
# The object-level rules of projects.permissions read these: who sees everything, edits anything, reviews.
_SCOPE = {"projects.oversee_project", "projects.manage_project", "projects.review_project",
          "projects.review_projectupdate"}
# Only the ministry administrators read the security log, must use two factors, and remove lost authenticator apps.
# Recording the committee's meetings: the rapporteur, analysts and administrators only.
_MEETINGS = {"coordination.record_meeting", "coordination.add_meeting", "coordination.change_meeting",
             "coordination.change_followupaction"}
_ADMIN_ONLY = {"accounts.view_securityevent", "accounts.two_factor_required", "otp_totp.view_totpdevice",
               "otp_totp.delete_totpdevice"}
MUST_NOT_HAVE = {
    r.MINISTRY_ANALYST: {"projects.delete_project", "municipalities.change_municipality",
                         "projects.manage_project"} | _ADMIN_ONLY,
    r.RAPPORTEUR: {"municipalities.change_unresolvedplace", "municipalities.add_placename",
                   "projects.change_project", "projects.add_project", "projects.manage_project",
                   "projects.review_project", "projects.review_projectupdate", "coordination.change_duplicateflag",
                   "coordination.change_gapflag", "coordination.change_delayflag"} | _ADMIN_ONLY,
    r.FOCAL_POINT: {"projects.delete_project", "projects.change_partner", "projects.change_exchangerate",
                    "municipalities.change_municipality", "municipalities.add_need",
                    "municipalities.add_developmentplan", "coordination.change_alignmentflag",
                    "municipalities.change_unresolvedplace", "municipalities.add_placename"} | _SCOPE | _ADMIN_ONLY
                   | _MEETINGS,
    r.MUNICIPALITY_ACCOUNT: {"projects.delete_project", "projects.change_partner",
                             "municipalities.add_developmentallocation",
                             "municipalities.change_developmentallocation"} | _SCOPE | _ADMIN_ONLY,
    r.VIEWER: {"projects.add_project", "projects.change_project", "projects.change_projectupdate",
               "projects.manage_project", "projects.review_project", "projects.review_projectupdate",
               "coordination.change_objectivelink", "coordination.change_alignmentflag",
               "municipalities.change_unresolvedplace"} | _ADMIN_ONLY
              | _MEETINGS,
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(r.ROLE_LABELS))
def test_each_role_has_exactly_the_permissions_of_the_matrix(personas, role):
    from django.contrib.auth.models import Group

    group = Group.objects.get(name=role)
    perms = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
    assert MUST_HAVE[role] <= perms
    assert not (MUST_NOT_HAVE.get(role, set()) & perms)


@pytest.mark.django_db
def test_roles_sync_is_idempotent_and_restores_tampered_groups(roles):
    from django.contrib.auth.models import Group, Permission

    viewer = Group.objects.get(name=r.VIEWER)
    viewer.permissions.add(Permission.objects.get(codename="delete_project"))
    first = r.roles_sync()
    assert r.roles_sync() == first
    assert not viewer.permissions.filter(codename="delete_project").exists()
    assert Group.objects.filter(name__in=list(r.ROLE_LABELS)).count() == 6


@pytest.mark.django_db
def test_personas_hold_their_roles(personas):
    assert personas["undp_focal_point"].focal_point.partner.acronym == "UNDP"
    assert personas["viewer"].has_perm("projects.view_project")
    assert not personas["viewer"].has_perm("projects.change_project")
    assert personas["ministry_admin"].has_perm("projects.delete_project")
