"""A project the ministry moves from one partner to another: what each partner wrote stays theirs.

The scene: UNICEF reports a project, an accepted update on it (accepted with a note to UNICEF) and a draft
update (narrative, problems, a new site, a file); the ministry returns (or accepts) the project with a note to
UNICEF; then the ministry moves the project to UNDP. UNDP now owns the project, sees accepted records like
anyone who sees the project, and none of UNICEF's unaccepted material or notes: not in the API, the pages, the
downloads or the history, and cannot change any of it. The ministry keeps seeing everything; UNICEF keeps
reading its own material only while it can still see the project (an accepted one), and can no longer
change it (the project is not theirs any more).

Every route is a row of a table; each row is checked for the new partner, the old partner and the ministry,
and before the move for the old partner (the negative controls: the markers are there to be found).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from projects import permissions as perm
from projects import services
from projects.models import ActivityStatus, ProjectUpdate, ReviewState
from projects.models.reporting import UpdateAttachment
from projects.reporting.services.attachments import update_attachment_add, update_attachment_remove
from projects.selectors.projects import updates_visible_to

pytestmark = pytest.mark.django_db

NARRATIVE, PROBLEMS, SITE = "UNICEF-SECRET-NARRATIVE", "UNICEF-SECRET-PROBLEMS", "UNICEF-SECRET-SITE"
FILE_NAME, FILE_BYTES = "UNICEF-SECRET-FILE.pdf", "UNICEF-SECRET-BYTES"
PROJECT_NOTE, UPDATE_NOTE = "UNICEF-SECRET-NOTE", "UNICEF-SECRET-UPDATE-NOTE"
ACCEPTED_NARRATIVE = "UNICEF-ACCEPTED-NARRATIVE"
SECRETS = (NARRATIVE, PROBLEMS, SITE, FILE_NAME, FILE_BYTES, PROJECT_NOTE, UPDATE_NOTE)
PDF = f"%PDF-1.7\n% {FILE_BYTES}\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".encode()


def _fields(start: dt.date, **extra: Any) -> dict[str, Any]:
    return {"period_start": start, "period_end": start + dt.timedelta(days=89), "progress_percent": Decimal("30"),
            "status": ActivityStatus.IMPLEMENTATION, "spend_to_date": Decimal("100"), **extra}


def _scene(personas, undp, state_at_move: str) -> SimpleNamespace:
    """UNICEF's project with its material, not moved yet; ``move()`` hands it to UNDP. The project is returned
    (UNICEF no longer sees it once moved) or accepted (UNICEF still does) when it moves."""
    unicef_fp, analyst, admin = personas["unicef_focal_point"], personas["ministry_analyst"], personas["ministry_admin"]
    project = services.project_create(user=unicef_fp, fields={"title_en": "Schools of Sabha",
                                                              "status": ActivityStatus.IMPLEMENTATION})
    accepted = services.project_update_create(project=project, user=unicef_fp,
                                              fields=_fields(dt.date(2025, 1, 1), narrative=ACCEPTED_NARRATIVE))
    services.project_update_submit(update=accepted, user=unicef_fp)
    services.project_update_review(update=accepted, user=analyst, decision="accept", comment=UPDATE_NOTE)
    draft = services.project_update_create(
        project=project, user=unicef_fp, fields=_fields(dt.date(2025, 4, 1), narrative="first words"),
        new_sites=[{"name_en": SITE, "lat": 27.04, "lon": 14.43}])
    draft = services.project_update_edit(update=draft, user=unicef_fp, fields={"narrative": NARRATIVE,
                                                                               "problems": PROBLEMS})
    attachment = update_attachment_add(update=draft, user=unicef_fp,
                                       upload=SimpleUploadedFile(FILE_NAME, PDF, content_type="application/pdf"))
    services.project_submit(project=project, user=unicef_fp)
    decision = "return" if state_at_move == "returned" else "accept"
    services.project_review(project=project, user=analyst, decision=decision, comment=PROJECT_NOTE)

    def move() -> None:
        services.project_edit(project=project, user=admin, fields={"reporting_partner": undp})
        project.refresh_from_db()

    return SimpleNamespace(project=project, draft=draft, accepted=accepted, attachment=attachment, move=move,
                           state_at_move=state_at_move)


@pytest.fixture(params=["returned", "accepted"])
def world(request, personas, undp, unicef):
    return _scene(personas, undp, request.param)


@pytest.fixture
def returned_world(personas, undp, unicef):
    return _scene(personas, undp, "returned")


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode(errors="replace")


# --- reads ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Read:
    """A route that shows some of the material: ``markers`` are what its owner finds there; ``part`` narrows the
    page to one section (the history); ``control`` is the ministry persona who reads it after the move; ``draft``
    says the route is the draft update's own (the new partner gets 404 there, not an emptied page); a ``listing``
    answers 200 to anyone, without what they may not see; a ``form`` opens only for those who may edit."""

    name: str
    api: bool
    url: Callable[[SimpleNamespace], str]
    markers: tuple[str, ...]
    draft: bool = False
    form: bool = False
    listing: bool = False
    part: str | None = None
    control: str = "ministry_analyst"


def _draft_link(w) -> str:
    return f"/projects/updates/{w.draft.pk}/"


READS = [
    Read("api project detail", True, lambda w: f"/api/v1/projects/{w.project.pk}/", (PROJECT_NOTE,)),
    Read("api project list", True, lambda w: "/api/v1/projects/", (PROJECT_NOTE,), listing=True),
    Read("api update list", True, lambda w: f"/api/v1/updates/?project={w.project.pk}",
         (NARRATIVE, PROBLEMS, SITE, UPDATE_NOTE), listing=True),
    Read("api update detail", True, lambda w: f"/api/v1/updates/{w.draft.pk}/", (NARRATIVE, PROBLEMS, SITE),
         draft=True),
    Read("api accepted update detail", True, lambda w: f"/api/v1/updates/{w.accepted.pk}/", (UPDATE_NOTE,)),
    Read("api attachment list", True, lambda w: f"/api/v1/updates/{w.draft.pk}/attachments/", (FILE_NAME,),
         draft=True),
    Read("api attachment download", True,
         lambda w: f"/api/v1/updates/{w.draft.pk}/attachments/{w.attachment.pk}/download/", (FILE_BYTES,), draft=True),
    Read("project page", False, lambda w: f"/projects/{w.project.pk}/", (PROJECT_NOTE, "DRAFT-LINK")),
    Read("project page history", False, lambda w: f"/projects/{w.project.pk}/", (PROJECT_NOTE,), part="history"),
    Read("update page", False, lambda w: f"/projects/updates/{w.draft.pk}/", (NARRATIVE, PROBLEMS, SITE, FILE_NAME),
         draft=True),
    Read("update page history", False, lambda w: f"/projects/updates/{w.draft.pk}/", (NARRATIVE,), draft=True,
         part="history"),
    Read("accepted update page", False, lambda w: f"/projects/updates/{w.accepted.pk}/", (UPDATE_NOTE,)),
    Read("update edit page", False, lambda w: f"/projects/updates/{w.draft.pk}/edit/", (NARRATIVE, PROBLEMS, SITE),
         draft=True, form=True, control="ministry_admin"),
    Read("attachment page", False, lambda w: f"/reporting/updates/{w.draft.pk}/attachments/", (FILE_NAME,),
         draft=True),
    Read("attachment page download", False,
         lambda w: f"/reporting/updates/{w.draft.pk}/attachments/{w.attachment.pk}/download/", (FILE_BYTES,),
         draft=True),
]
READ_IDS = [r.name for r in READS]


def _read(client_for, persona: str, route: Read, w) -> tuple[int, str]:
    response = client_for(persona, "en", api=route.api).get(route.url(w))
    text = _text(response)
    if route.part and response.status_code == 200:
        text = text.split(f'data-testid="{route.part}"', 1)[1]
    # The page's link to the draft update is part of what the draft's owner finds on the project page.
    return response.status_code, text.replace(f'href="{_draft_link(w)}"', "DRAFT-LINK")


@pytest.mark.parametrize("route", READS, ids=READ_IDS)
def test_before_the_move_the_partner_reads_its_material(client_for, world, route):
    status, text = _read(client_for, "unicef_focal_point", route, world)
    assert status == 200
    assert [m for m in route.markers if m not in text] == []


@pytest.mark.parametrize("route", READS, ids=READ_IDS)
def test_after_the_move_the_ministry_still_reads_it(client_for, world, route):
    world.move()
    status, text = _read(client_for, route.control, route, world)
    assert status == 200
    assert [m for m in route.markers if m not in text] == []


@pytest.mark.parametrize("route", READS, ids=READ_IDS)
def test_after_the_move_the_new_partner_reads_none_of_it(client_for, world, route):
    world.move()
    status, text = _read(client_for, "undp_focal_point", route, world)
    assert status == (404 if route.draft else 200)
    assert [m for m in (*SECRETS, "DRAFT-LINK") if m in text] == []


@pytest.mark.parametrize("route", READS, ids=READ_IDS)
def test_after_the_move_the_old_partner_reads_its_own_only_while_it_sees_the_project(client_for, world, route):
    world.move()
    status, text = _read(client_for, "unicef_focal_point", route, world)
    if world.state_at_move == "accepted" and route.form:  # read-only for UNICEF now: the project is UNDP's
        assert status == 403
        assert [m for m in SECRETS if m in text] == []
    elif world.state_at_move == "accepted":  # every focal point sees an accepted project: UNICEF keeps its own
        assert status == 200
        assert [m for m in route.markers if m not in text] == []
    else:
        assert status == (200 if route.listing else 404)
        assert [m for m in SECRETS if m in text] == []


def test_the_new_partner_sees_the_accepted_update_without_the_old_partners_note(client_for, world):
    world.move()
    body = client_for("undp_focal_point", "en", api=True).get(f"/api/v1/updates/{world.accepted.pk}/").json()
    assert body["narrative"] == ACCEPTED_NARRATIVE and body["review_comment"] == ""
    assert body["reviewed_by"] is None and body["submitted_by"] is None


# --- writes --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Write:
    name: str
    api: bool
    method: str
    url: Callable[[SimpleNamespace], str]
    data: Callable[[], dict] | None = None


def _form_data() -> dict:
    return {"period_start": "2025-04-01", "period_end": "2025-06-29", "progress_percent": "90",
            "status": str(ActivityStatus.IMPLEMENTATION), "spend_to_date": "1", "narrative": "OVERWRITTEN"}


def _file() -> dict:
    return {"file": SimpleUploadedFile("other.pdf", PDF + b"more", content_type="application/pdf")}


WRITES = [
    Write("api update patch", True, "patch", lambda w: f"/api/v1/updates/{w.draft.pk}/",
          lambda: {"narrative": "OVERWRITTEN"}),
    Write("api update put", True, "put", lambda w: f"/api/v1/updates/{w.draft.pk}/",
          lambda: {**_form_data(), "project": 0}),
    Write("api update submit", True, "post", lambda w: f"/api/v1/updates/{w.draft.pk}/submit/"),
    Write("api attachment upload", True, "post", lambda w: f"/api/v1/updates/{w.draft.pk}/attachments/", _file),
    Write("api attachment delete", True, "delete",
          lambda w: f"/api/v1/updates/{w.draft.pk}/attachments/{w.attachment.pk}/"),
    Write("update edit page", False, "post", lambda w: f"/projects/updates/{w.draft.pk}/edit/", _form_data),
    Write("update submit page", False, "post", lambda w: f"/projects/updates/{w.draft.pk}/submit/"),
    Write("attachment upload page", False, "post", lambda w: f"/reporting/updates/{w.draft.pk}/attachments/", _file),
    Write("attachment remove page", False, "post",
          lambda w: f"/reporting/updates/{w.draft.pk}/attachments/{w.attachment.pk}/remove/"),
]
WRITE_IDS = [r.name for r in WRITES]


def _snapshot(w) -> tuple:
    update = ProjectUpdate.objects.get(pk=w.draft.pk)
    files = tuple(UpdateAttachment.objects.filter(update=update).values_list("pk", "original_name"))
    sites = tuple(update.new_sites.values_list("name_en", flat=True))
    return (update.state, update.narrative, update.problems, update.progress_percent, files, sites,
            update.history.count())


def _write(client_for, persona: str, route: Write, w) -> int:
    client = client_for(persona, "en", api=route.api)
    data = route.data() if route.data else {}
    kwargs = {"format": "multipart" if "file" in data else "json"} if route.api else {}
    return getattr(client, route.method)(route.url(w), data, **kwargs).status_code


@pytest.mark.parametrize("route", WRITES, ids=WRITE_IDS)
def test_after_the_move_the_new_partner_changes_nothing(client_for, world, route):
    world.move()
    before = _snapshot(world)
    assert _write(client_for, "undp_focal_point", route, world) == 404
    assert _snapshot(world) == before


@pytest.mark.parametrize("route", WRITES, ids=WRITE_IDS)
def test_after_the_move_the_old_partner_changes_nothing(client_for, world, route):
    """UNICEF's draft is frozen once the project is UNDP's: read-only for UNICEF while it sees the project
    (403), not there at all otherwise (404); the ministry's administrator can still change it."""
    world.move()
    before = _snapshot(world)
    assert _write(client_for, "unicef_focal_point", route, world) == (
        403 if world.state_at_move == "accepted" else 404)
    assert _snapshot(world) == before


def test_before_the_move_the_partner_changes_its_draft(client_for, world):
    response = client_for("unicef_focal_point", "en", api=True).patch(f"/api/v1/updates/{world.draft.pk}/",
                                                                       {"problems": "fixed"}, format="json")
    assert response.status_code == 200 and ProjectUpdate.objects.get(pk=world.draft.pk).problems == "fixed"


def test_after_the_move_the_services_refuse_both_partners_and_serve_the_ministry(personas, world):
    world.move()
    for persona in ("undp_focal_point", "unicef_focal_point"):
        user = personas[persona]
        with pytest.raises(PermissionDenied):
            services.project_update_edit(update=world.draft, user=user, fields={"narrative": "OVERWRITTEN"})
        with pytest.raises(PermissionDenied):
            services.project_update_submit(update=world.draft, user=user)
        with pytest.raises(PermissionDenied):
            update_attachment_add(update=world.draft, user=user, upload=SimpleUploadedFile("x.pdf", PDF + b"x"))
        with pytest.raises(PermissionDenied):
            update_attachment_remove(attachment=world.attachment, user=user)
    edited = services.project_update_edit(update=world.draft, user=personas["ministry_admin"],
                                          fields={"problems": "the ministry's fix"})
    assert edited.problems == "the ministry's fix" and edited.partner.acronym == "UNICEF"


# --- the rules, as a table -----------------------------------------------------------------------

# After the move: (the draft update, the accepted update) × (view, edit, review notes), per persona, for a
# project returned | accepted when it moved. Y = allowed, - = refused. (Nobody edits an accepted update.)
MOVED_MATRIX = {
    "ministry_admin":     {"returned": "YYY Y-Y", "accepted": "YYY Y-Y"},
    "ministry_analyst":   {"returned": "Y-Y Y-Y", "accepted": "Y-Y Y-Y"},
    "viewer":             {"returned": "Y-Y Y-Y", "accepted": "Y-Y Y-Y"},
    "undp_focal_point":   {"returned": "--- Y--", "accepted": "--- Y--"},
    "unicef_focal_point": {"returned": "--- ---", "accepted": "Y-Y Y-Y"},
    "anonymous":          {"returned": "--- ---", "accepted": "--- ---"},
}
RULES = ("update_can_view", "update_can_edit", "update_review_notes_visible")  # in projects.permissions


@pytest.mark.parametrize("persona", list(MOVED_MATRIX))
def test_the_rules_after_a_move(personas, world, persona):
    from django.contrib.auth.models import AnonymousUser

    world.move()
    user = personas[persona] or AnonymousUser()
    draft, accepted = (ProjectUpdate.objects.select_related("project").get(pk=u.pk)
                       for u in (world.draft, world.accepted))
    expected = MOVED_MATRIX[persona][world.state_at_move].replace(" ", "")
    got = "".join("Y" if getattr(perm, rule)(user, update) else "-" for update in (draft, accepted) for rule in RULES)
    assert got == expected
    visible = set(updates_visible_to(user).filter(project=world.project).values_list("pk", flat=True))
    assert visible == {u.pk for u, flag in ((draft, expected[0]), (accepted, expected[3])) if flag == "Y"}


# --- the new owner's own review notes ------------------------------------------------------------


def test_the_new_partner_gets_its_own_review_notes_and_never_the_old_ones(client_for, personas, returned_world):
    w = returned_world
    w.move()
    undp_fp = personas["undp_focal_point"]
    services.project_submit(project=w.project, user=undp_fp)
    api = client_for("undp_focal_point", "en", api=True)
    submitted = api.get(f"/api/v1/projects/{w.project.pk}/").json()
    assert PROJECT_NOTE not in str(submitted) and submitted["submitted_at"] is not None
    services.project_review(project=w.project, user=personas["ministry_analyst"], decision="return",
                            comment="UNDP-OWN-NOTE")
    returned = api.get(f"/api/v1/projects/{w.project.pk}/").json()
    # The same reviewer as UNICEF's: the new notes are whole, only the old partner's are gone.
    assert returned["review_comment"] == "UNDP-OWN-NOTE" and returned["submitted_at"] and returned["reviewed_at"]
    project = type(w.project).objects.get(pk=w.project.pk)
    assert (project.reviewed_by, project.submitted_by) == (personas["ministry_analyst"], undp_fp)
    page = _text(client_for("undp_focal_point", "en").get(f"/projects/{w.project.pk}/"))
    card, history = page.split('data-testid="history"', 1)
    assert "UNDP-OWN-NOTE" in card and PROJECT_NOTE not in page
    assert "UNDP-OWN-NOTE" in history  # its own review, in its own history
    ministry = _text(client_for("ministry_analyst", "en").get(f"/projects/{w.project.pk}/"))
    assert PROJECT_NOTE in ministry and "UNDP-OWN-NOTE" in ministry


def test_an_update_the_new_partner_writes_is_its_own(personas, returned_world):
    w = returned_world
    w.move()
    undp_fp = personas["undp_focal_point"]
    mine = services.project_update_create(project=w.project, user=undp_fp, fields=_fields(dt.date(2025, 7, 1)))
    assert mine.partner.acronym == "UNDP"
    assert perm.update_can_edit(undp_fp, mine) and not perm.update_can_view(personas["unicef_focal_point"], mine)


# --- the data migration (0008) -------------------------------------------------------------------


def _migration():
    import importlib

    return importlib.import_module("projects.migrations.0008_fill_update_partner_review_notes_partner")


def test_the_migration_gives_each_update_and_note_the_partner_that_wrote_it(client_for, personas, undp,
                                                                           returned_world):
    from django.apps import apps
    from django.utils import timezone

    from projects.models import Project

    w = returned_world
    w.move()
    undp_fp = personas["undp_focal_point"]
    own = services.project_update_create(project=w.project, user=undp_fp, fields=_fields(dt.date(2025, 7, 1)))
    still = services.project_create(user=undp_fp, fields={"title_en": "Never moved"})
    services.project_submit(project=still, user=undp_fp)
    # The columns as the schema migration leaves them, then a submission written the old way: UNDP's
    # submission beside UNICEF's note on one row.
    ProjectUpdate.objects.update(partner=undp)
    Project.objects.update(review_notes_partner=None)
    Project.history.update(review_notes_partner=None)
    ProjectUpdate.history.update(partner=None)
    project = Project.objects.get(pk=w.project.pk)
    project.state, project.submitted_by, project.submitted_at = ReviewState.SUBMITTED, undp_fp, timezone.now()
    project.save()

    _migration().forwards(apps, None)

    authors = dict(ProjectUpdate.objects.values_list("pk", "partner__acronym"))
    assert authors == {w.accepted.pk: "UNICEF", w.draft.pk: "UNICEF", own.pk: "UNDP"}
    assert set(ProjectUpdate.history.filter(id=w.draft.pk).values_list("partner__acronym", flat=True)) == {"UNICEF"}
    versions = list(Project.history.filter(id=w.project.pk).order_by("history_date", "history_id")
                    .values_list("reporting_partner__acronym", "review_notes_partner__acronym"))
    assert versions[-3:] == [("UNICEF", "UNICEF"), ("UNDP", "UNICEF"), ("UNDP", None)]  # returned, moved, mixed
    assert Project.objects.get(pk=w.project.pk).review_notes_partner is None  # the ministry's eyes only
    assert Project.objects.get(pk=still.pk).review_notes_partner == undp
    body = _text(client_for("undp_focal_point", "en", api=True).get(f"/api/v1/projects/{w.project.pk}/"))
    assert PROJECT_NOTE not in body


def test_the_migration_reads_notes_written_for_one_partner_as_theirs():
    owners = _migration().notes_owners([
        {"reporting_partner_id": 1, "submitted_by_id": None, "submitted_at": None, "reviewed_by_id": None,
         "reviewed_at": None, "review_comment": ""},
        {"reporting_partner_id": 1, "submitted_by_id": 7, "submitted_at": 1, "reviewed_by_id": None,
         "reviewed_at": None, "review_comment": ""},
        {"reporting_partner_id": 1, "submitted_by_id": 7, "submitted_at": 1, "reviewed_by_id": 8,
         "reviewed_at": 2, "review_comment": "fix"},
        {"reporting_partner_id": 2, "submitted_by_id": 7, "submitted_at": 1, "reviewed_by_id": 8,
         "reviewed_at": 2, "review_comment": "fix"},
        {"reporting_partner_id": 2, "submitted_by_id": 9, "submitted_at": 3, "reviewed_by_id": 8,
         "reviewed_at": 2, "review_comment": "fix"},
        {"reporting_partner_id": 2, "submitted_by_id": 9, "submitted_at": 3, "reviewed_by_id": 8,
         "reviewed_at": 4, "review_comment": "fix"},
    ])
    # nothing yet; submitted; reviewed; moved (the notes stay 1's); 2 submits beside 1's review (mixed:
    # nobody's); the same reviewer reviews 2's submission with the same words (2's).
    assert owners == [1, 1, 1, 1, None, 2]


def test_an_update_added_in_the_admin_is_its_projects_partners(client_for, personas, unicef):
    from django.urls import reverse

    from tests import factories

    project = factories.ProjectFactory(reporting_partner=unicef)
    response = client_for("ministry_admin", "en").post(reverse("admin:projects_projectupdate_add"), {
        "project": project.pk, "period_start": "2025-01-01", "period_end": "2025-03-31", "progress_percent": "10",
        "status": str(ActivityStatus.IMPLEMENTATION), "spend_to_date": "0",
        "new_sites-TOTAL_FORMS": "0", "new_sites-INITIAL_FORMS": "0"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ProjectUpdate.objects.get(project=project).partner == unicef


def test_the_review_queue_names_the_partner_that_submitted_an_update(client_for, personas, unicef, returned_world):
    w = returned_world
    services.project_update_submit(update=w.draft, user=personas["unicef_focal_point"])
    w.move()
    rows = client_for("ministry_analyst", "en", api=True).get("/api/v1/review-queue/").json()["results"]
    assert [(r["kind"], r["id"], r["reporting_partner"]) for r in rows if r["kind"] == "update"] == [
        ("update", w.draft.pk, unicef.pk)]
    page = _text(client_for("ministry_analyst", "en").get("/projects/review/"))
    row = page.split(f'data-kind="update" data-id="{w.draft.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "UNICEF" in row and "UNDP" not in row
