"""The object-level permission matrix, as a table: role × action × partner × review state.

Every cell is checked against the rule functions (projects.permissions) and, for reading, against the
selectors too (projects_visible_to, updates_visible_to), so a list can never show what a detail refuses.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from projects import permissions as perm
from projects.models import ActivityStatus, ProjectUpdate, ReviewState
from projects.selectors.projects import projects_visible_to, updates_visible_to
from tests import factories

STATES = [ReviewState.DRAFT, ReviewState.SUBMITTED, ReviewState.ACCEPTED, ReviewState.RETURNED]
PARTNERS = ["undp", "unicef"]

# Projects. Columns: UNDP's project in draft, submitted, accepted, returned | UNICEF's, same order.
# Y = allowed, - = refused.
PROJECT_MATRIX: dict[str, dict[str, str]] = {
    #                      view         edit         submit       review
    "ministry_admin":     {"view": "YYYY YYYY", "edit": "YYYY YYYY", "submit": "Y--Y Y--Y", "review": "-Y-- -Y--"},
    "ministry_analyst":   {"view": "YYYY YYYY", "edit": "---- ----", "submit": "---- ----", "review": "-Y-- -Y--"},
    "rapporteur":         {"view": "YYYY YYYY", "edit": "---- ----", "submit": "---- ----", "review": "---- ----"},
    "viewer":             {"view": "YYYY YYYY", "edit": "---- ----", "submit": "---- ----", "review": "---- ----"},
    "undp_focal_point":   {"view": "YYYY --Y-", "edit": "YYYY ----", "submit": "Y--Y ----", "review": "---- ----"},
    "unicef_focal_point": {"view": "--Y- YYYY", "edit": "---- YYYY", "submit": "---- Y--Y", "review": "---- ----"},
    "anonymous":          {"view": "---- ----", "edit": "---- ----", "submit": "---- ----", "review": "---- ----"},
}
# Creating a project reported by UNDP | by UNICEF; reporting an update on an (accepted) project of UNDP | UNICEF.
CREATE_MATRIX: dict[str, dict[str, str]] = {
    "ministry_admin":     {"create_project": "YY", "create_update": "YY"},
    "ministry_analyst":   {"create_project": "--", "create_update": "--"},
    "rapporteur":         {"create_project": "--", "create_update": "--"},
    "viewer":             {"create_project": "--", "create_update": "--"},
    "undp_focal_point":   {"create_project": "Y-", "create_update": "Y-"},
    "unicef_focal_point": {"create_project": "-Y", "create_update": "-Y"},
    "anonymous":          {"create_project": "--", "create_update": "--"},
}
# Updates. Columns per partner: an update in draft, submitted, accepted, returned on an accepted project,
# then (x) an accepted update on a project still in draft | UNICEF's, same order.
UPDATE_KINDS = [(s, ReviewState.ACCEPTED) for s in STATES] + [(ReviewState.ACCEPTED, ReviewState.DRAFT)]
UPDATE_MATRIX: dict[str, dict[str, str]] = {
    #                      view           edit           submit         review
    "ministry_admin":     {"view": "YYYYY YYYYY", "edit": "Y--Y- Y--Y-", "submit": "Y--Y- Y--Y-", "review": "-Y--- -Y---"},
    "ministry_analyst":   {"view": "YYYYY YYYYY", "edit": "----- -----", "submit": "----- -----", "review": "-Y--- -Y---"},
    "rapporteur":         {"view": "YYYYY YYYYY", "edit": "----- -----", "submit": "----- -----", "review": "----- -----"},
    "viewer":             {"view": "YYYYY YYYYY", "edit": "----- -----", "submit": "----- -----", "review": "----- -----"},
    "undp_focal_point":   {"view": "YYYYY --Y--", "edit": "Y--Y- -----", "submit": "Y--Y- -----", "review": "----- -----"},
    "unicef_focal_point": {"view": "--Y-- YYYYY", "edit": "----- Y--Y-", "submit": "----- Y--Y-", "review": "----- -----"},
    "anonymous":          {"view": "----- -----", "edit": "----- -----", "submit": "----- -----", "review": "----- -----"},
}

PROJECT_RULES = {"view": perm.project_can_view, "edit": perm.project_can_edit, "submit": perm.project_can_submit,
                 "review": perm.project_can_review}
UPDATE_RULES = {"view": perm.update_can_view, "edit": perm.update_can_edit, "submit": perm.update_can_submit,
                "review": perm.update_can_review}


def _cells(row: str, columns: list) -> list:
    flags = row.replace(" ", "")
    assert len(flags) == len(columns), row
    return [(column, flag == "Y") for column, flag in zip(columns, flags, strict=True)]


def _rows(matrix: dict[str, dict[str, str]], columns: list) -> list:
    return [
        pytest.param(persona, action, column, allowed, id=f"{persona}-{action}-{'-'.join(map(str, column))}")
        for persona, actions in matrix.items()
        for action, row in actions.items()
        for column, allowed in _cells(row, columns)
    ]


PROJECT_ROWS = _rows(PROJECT_MATRIX, [(p, s.value) for p in PARTNERS for s in STATES])
CREATE_ROWS = _rows({persona: {"create_project": r["create_project"]} for persona, r in CREATE_MATRIX.items()},
                    PARTNERS) + _rows({persona: {"create_update": r["create_update"]}
                                       for persona, r in CREATE_MATRIX.items()}, PARTNERS)
UPDATE_ROWS = _rows(UPDATE_MATRIX, [(p, u.value, pr.value) for p in PARTNERS for u, pr in UPDATE_KINDS])


@pytest.fixture
def world(personas, undp, unicef):
    """A project of each partner in each review state, and updates of each kind on them."""
    from django.contrib.auth.models import AnonymousUser

    partners = {"undp": undp, "unicef": unicef}
    projects = {
        (p, s.value): factories.ProjectFactory(reporting_partner=partners[p], state=s) for p in PARTNERS for s in STATES
    }
    updates = {}
    for p in PARTNERS:
        for u_state, p_state in UPDATE_KINDS:
            updates[(p, u_state.value, p_state.value)] = ProjectUpdate.objects.create(
                project=projects[(p, p_state.value)], partner=partners[p],
                period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 3, 31),
                progress_percent=Decimal("20"), status=ActivityStatus.IMPLEMENTATION, state=u_state,
                review_comment="Fix the spend." if u_state == ReviewState.RETURNED else "",
            )
    users = {name: (user if user is not None else AnonymousUser()) for name, user in personas.items()}
    return {"partners": partners, "projects": projects, "updates": updates, "users": users}


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "action", "column", "allowed"), PROJECT_ROWS)
def test_project_matrix(world, persona, action, column, allowed):
    user, project = world["users"][persona], world["projects"][column]
    assert PROJECT_RULES[action](user, project) is allowed
    if action == "view":
        assert projects_visible_to(user).filter(pk=project.pk).exists() is allowed


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "action", "column", "allowed"), CREATE_ROWS)
def test_create_matrix(world, persona, action, column, allowed):
    user = world["users"][persona]
    if action == "create_project":
        assert perm.project_can_create(user, world["partners"][column]) is allowed
    else:
        assert perm.update_can_create(user, world["projects"][(column, "accepted")]) is allowed


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "action", "column", "allowed"), UPDATE_ROWS)
def test_update_matrix(world, persona, action, column, allowed):
    user, update = world["users"][persona], world["updates"][column]
    assert UPDATE_RULES[action](user, update) is allowed
    if action == "view":
        assert updates_visible_to(user).filter(pk=update.pk).exists() is allowed


@pytest.mark.django_db
@pytest.mark.parametrize("persona", list(PROJECT_MATRIX))
def test_lists_show_exactly_what_the_matrix_allows(world, persona):
    """No leak in bulk: the visible querysets hold exactly the allowed cells, nothing more."""
    user = world["users"][persona]
    expected_projects = {world["projects"][c].pk for c, ok in
                         _cells(PROJECT_MATRIX[persona]["view"], [(p, s.value) for p in PARTNERS for s in STATES]) if ok}
    assert set(projects_visible_to(user).values_list("pk", flat=True)) == expected_projects
    columns = [(p, u.value, pr.value) for p in PARTNERS for u, pr in UPDATE_KINDS]
    expected_updates = {world["updates"][c].pk for c, ok in _cells(UPDATE_MATRIX[persona]["view"], columns) if ok}
    assert set(updates_visible_to(user).values_list("pk", flat=True)) == expected_updates


@pytest.mark.django_db
def test_an_inactive_user_and_a_focal_point_without_a_partner_see_no_drafts(world):
    from django.contrib.auth.models import Group

    from coordination.roles import FOCAL_POINT

    lost = factories.UserFactory(username="no_partner")
    lost.groups.add(Group.objects.get(name=FOCAL_POINT))
    assert set(projects_visible_to(lost).values_list("state", flat=True)) == {ReviewState.ACCEPTED}
    assert not perm.project_can_create(lost, world["partners"]["undp"])
    analyst = world["users"]["ministry_analyst"]
    analyst.is_active = False
    assert not projects_visible_to(analyst).exists()
    assert not perm.project_can_view(analyst, world["projects"][("undp", "draft")])
