"""The probe's world, seeded through the services into the probe's own database (run by ``test_probe`` in a
subprocess with the production settings): two partners' focal points, the ministry, and for each partner
records in every review state, whose private texts carry unique markers naming their owner and kind.

``python -m tests.security.probe_world`` prints one JSON object: users and passwords, ids by kind and
owner, the markers (text, who must never see it, who should), and the municipalities of the gap check.

Markers: ``PROBE-<OWNER>-<KIND>-<run>``. A marker's ``forbidden`` actors must never receive it; its
``control`` actors are those expected to see it where a route shows the record (the negative control).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import sys
from decimal import Decimal
from typing import Any

PARTNERS = {"UNDP": "XM-DAC-41114", "UNICEF": "XM-DAC-41122"}
FOCAL = {"UNDP": "undp_fp", "UNICEF": "unicef_fp"}
OTHER = {"UNDP": "UNICEF", "UNICEF": "UNDP"}
ANON = "anonymous"
ANALYST = "ministry_analyst"
# Municipalities of the world (reference slugs): where each partner's unaccepted projects are the only active
# ones (hidden), the twin where nothing is (empty), the duplicate pairs, the moved project, a decided gap flag.
PLACES = {"hidden_UNDP": "al-qubbah", "hidden_UNICEF": "tukrah", "empty": "suluq", "dup_UNDP": "derna",
          "dup_UNICEF": "al-marj", "moved": "al-abyar", "note": "assahel", "import": "umm-al-rizam"}
PDF = b"%PDF-1.4\n% BODY\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


class World:
    def __init__(self, run: str) -> None:
        self.run = run
        self.markers: dict[str, dict[str, Any]] = {}
        self.ids: dict[str, Any] = {"UNDP": {}, "UNICEF": {}, "ministry": {}}
        self.moved = "moved"  # or why the ministry's move was refused

    def marker(self, name: str, *, forbidden: list[str], control: list[str], public: bool = False) -> str:
        text = f"PROBE-{name}-{self.run}"
        assert name not in self.markers, name
        self.markers[name] = {"text": text, "forbidden": sorted(forbidden), "control": sorted(control),
                              "public": public}
        return text

    def private(self, owner: str, kind: str) -> str:
        """Text only ``owner``'s focal point and the ministry may read."""
        return self.marker(f"{owner}-{kind}", forbidden=[FOCAL[OTHER[owner]], ANON], control=[FOCAL[owner], ANALYST])

    def public(self, owner: str, kind: str) -> str:
        """Text of an accepted record: every signed-in role may read it, nobody anonymous."""
        return self.marker(f"{owner}-{kind}", forbidden=[ANON], control=[FOCAL[owner], FOCAL[OTHER[owner]], ANALYST],
                           public=True)


def _upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def _users(world: World) -> tuple[dict[str, Any], dict[str, Any]]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from coordination import roles
    from projects.models import FocalPoint, Partner

    roles.roles_sync()
    User = get_user_model()
    accounts: dict[str, Any] = {}
    people: dict[str, Any] = {}
    for username, role, partner, staff in (
            ("ministry_admin", roles.MINISTRY_ADMIN, None, True), (ANALYST, roles.MINISTRY_ANALYST, None, False),
            ("undp_fp", roles.FOCAL_POINT, "UNDP", False), ("unicef_fp", roles.FOCAL_POINT, "UNICEF", False)):
        password = "Probe-" + secrets.token_urlsafe(18)
        user = User.objects.create_user(username=f"probe_{username}", password=password, is_staff=staff,
                                        email=f"{username}@probe.invalid")
        user.groups.add(Group.objects.get(name=role))
        if partner:
            FocalPoint.objects.create(user=user, partner=Partner.objects.get(iati_ref=PARTNERS[partner]))
        accounts[username] = {"username": user.username, "password": password, "id": user.pk, "partner": partner}
        people[username] = user
    return accounts, people


def _project(user, *, title: str, place, sector, description: str = "", also=(), status: int = 2,
             start=dt.date(2025, 1, 1), end=dt.date(2026, 6, 30), budget: str = "250000"):
    from projects import services

    # The reporting partner implements it: IATI exports need a participating organisation.
    partner = user.focal_point.partner
    fields = {"title_ar": f"مشروع {title}", "title_en": title, "description_en": description, "status": status,
              "planned_start": start, "planned_end": end, "budget": Decimal(budget), "currency": "USD"}
    return services.project_create(user=user, fields=fields, sectors=[{"sector": sector, "percentage": 100}],
                                   locations=[{"municipality": m} for m in (place, *also)],
                                   participations=[{"partner": partner, "role": 4}])


def _update(project, user, *, period: tuple[dt.date, dt.date], narrative: str, problems: str = "", status: int = 2):
    from projects import services

    return services.project_update_create(project=project, user=user, fields={
        "period_start": period[0], "period_end": period[1], "progress_percent": Decimal("40"), "status": status,
        "spend_to_date": Decimal("1000"), "beneficiaries_reached": 120, "narrative": narrative, "problems": problems})


def _attach(update, user, *, name: str, body: str, description: str = ""):
    from projects.reporting.services.attachments import update_attachment_add

    return update_attachment_add(update=update, user=user, upload=_upload(name, PDF.replace(b"BODY", body.encode())),
                                 description=description)


def _sheet(partner_acronym: str, title: str, *, pcode: str, start: str = "2025-01-01") -> bytes:
    import csv
    import io

    from tests.projects.exchange.support import LEGACY_COLUMNS as COLUMNS  # the older columns its rows name

    row = {"#org+reporting": partner_acronym, "#org+impl": partner_acronym, "#activity+name+i_en": title,
           "#activity+name+i_ar": f"مشروع {title}", "#status": "Implementation", "#date+start": start,
           "#date+end": "2026-06-30", "#adm3+code": pcode, "#value+usd": "50000"}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c[0] for c in COLUMNS])
    writer.writerow([c[2] for c in COLUMNS])
    writer.writerow([row.get(c[2], "") for c in COLUMNS])
    return out.getvalue().encode("utf-8")


def _partner_records(world: World, owner: str, users: dict[str, Any], places: dict[str, Any], water, health) -> None:
    from projects import services
    from projects.exchange.services.jobs import import_job_create
    from projects.models import ImportJob

    fp, analyst = users[FOCAL[owner]], users[ANALYST]
    ids = world.ids[owner]
    # Accepted: its first version (description) and the review notes stay private; the title is public.
    accepted = _project(fp, title=f"Rehabilitation of the water supply network in the old town "
                                  f"{world.public(owner, 'ACCEPTED-PROJECT-TITLE')}",
                        place=places[f"dup_{owner}"], sector=water, end=dt.date(2027, 12, 31),
                        description=world.private(owner, "ACCEPTED-PROJECT-FIRST-DESCRIPTION"))
    services.project_submit(project=accepted, user=fp)
    services.project_review(project=accepted, user=analyst, decision="return",
                            comment=world.private(owner, "ACCEPTED-PROJECT-RETURN-COMMENT"))
    services.project_edit(project=accepted, user=fp, fields={"description_en": "Networks and house connections."})
    services.project_submit(project=accepted, user=fp)
    services.project_review(project=accepted, user=analyst, decision="accept",
                            comment=world.private(owner, "ACCEPTED-PROJECT-ACCEPT-COMMENT"))
    ids["project_accepted"] = accepted.pk

    # Its updates: one accepted (public, with a public file), one draft with a file, one submitted, one returned.
    q = [(dt.date(2025, m, 1), dt.date(2025, m + 2, 28)) for m in (1, 4, 7, 10)]
    shown = _update(accepted, fp, period=q[0], narrative=world.public(owner, "ACCEPTED-UPDATE-NARRATIVE"))
    public_file = _attach(shown, fp, name=f"{world.public(owner, 'PUBLIC-ATTACHMENT-NAME')}.pdf",
                          body=world.public(owner, "PUBLIC-ATTACHMENT-BYTES"))
    services.project_update_submit(update=shown, user=fp)
    services.project_update_review(update=shown, user=analyst, decision="accept",
                                   comment=world.private(owner, "ACCEPTED-UPDATE-REVIEW-COMMENT"))
    draft_update = _update(accepted, fp, period=q[3], narrative=world.private(owner, "DRAFT-UPDATE-NARRATIVE"),
                           problems=world.private(owner, "DRAFT-UPDATE-PROBLEMS"))
    draft_file = _attach(draft_update, fp, name=f"{world.private(owner, 'DRAFT-ATTACHMENT-NAME')}.pdf",
                         body=world.private(owner, "DRAFT-ATTACHMENT-BYTES"),
                         description=world.private(owner, "DRAFT-ATTACHMENT-DESCRIPTION"))
    submitted_update = _update(accepted, fp, period=q[2], narrative=world.private(owner, "SUBMITTED-UPDATE-NARRATIVE"))
    services.project_update_submit(update=submitted_update, user=fp)
    returned_update = _update(accepted, fp, period=q[1], narrative=world.private(owner, "RETURNED-UPDATE-NARRATIVE"))
    services.project_update_submit(update=returned_update, user=fp)
    services.project_update_review(update=returned_update, user=analyst, decision="return",
                                   comment=world.private(owner, "RETURNED-UPDATE-REVIEW-COMMENT"))
    ids.update(update_accepted=shown.pk, update_draft=draft_update.pk, update_submitted=submitted_update.pk,
               update_returned=returned_update.pk,
               attachment_public={"update": shown.pk, "attachment": public_file.pk},
               attachment_draft={"update": draft_update.pk, "attachment": draft_file.pk})

    # Unaccepted projects, active in the partner's "hidden" municipality (and the draft beside the other
    # partner's accepted project, as a duplicate of it; its planned end has passed: a delay).
    other_dup = places[f"dup_{OTHER[owner]}"]
    draft = _project(fp, title=f"Rehabilitation of the water supply network in the old town "
                               f"{world.private(owner, 'DRAFT-PROJECT-TITLE')}",
                     place=places[f"hidden_{owner}"], also=[other_dup], sector=water,
                     description=world.private(owner, "DRAFT-PROJECT-DESCRIPTION"))
    submitted = _project(fp, title=f"School furniture supply {world.private(owner, 'SUBMITTED-PROJECT-TITLE')}",
                         place=places[f"hidden_{owner}"], sector=health, start=dt.date(2025, 2, 1))
    services.project_submit(project=submitted, user=fp)
    returned = _project(fp, title=f"Clinic solar power {world.private(owner, 'RETURNED-PROJECT-TITLE')}",
                        place=places[f"hidden_{owner}"], sector=health, start=dt.date(2025, 3, 1))
    services.project_submit(project=returned, user=fp)
    services.project_review(project=returned, user=analyst, decision="return",
                            comment=world.private(owner, "RETURNED-PROJECT-REVIEW-COMMENT"))
    ids.update(project_draft=draft.pk, project_submitted=submitted.pk, project_returned=returned.pk)

    # Import jobs: a checked one (its file's name and content private) and an invalid one.
    pcode = places["import"].pcode
    good = import_job_create(user=fp, kind=ImportJob.Kind.SPREADSHEET, language="en", upload=_upload(
        f"{world.private(owner, 'IMPORT-FILE-NAME')}.csv",
        _sheet(owner, f"Water kiosks {world.private(owner, 'IMPORT-SHEET-TITLE')}", pcode=pcode)))
    bad = import_job_create(user=fp, kind=ImportJob.Kind.SPREADSHEET, language="en", upload=_upload(
        f"{world.private(owner, 'IMPORT-INVALID-FILE-NAME')}.csv",
        _sheet(owner, f"Water kiosks {world.private(owner, 'IMPORT-INVALID-SHEET-TITLE')}", pcode="LY999999",
               start="someday")))
    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.status == ImportJob.Status.CHECKED, (good.status, good.error, good.preview)
    assert bad.status == ImportJob.Status.INVALID, (bad.status, bad.error)
    ids.update(import_job_checked=good.pk, import_job_invalid=bad.pk)

    # A report job: the focal point's own report of the municipality where its unaccepted projects are.
    from coordination.services.reports import report_job_request, report_job_run

    report = report_job_request(user=fp, kind="municipality", subject_id=places[f"hidden_{owner}"].pk,
                                language="en", fmt="docx")
    report_job_run(report.pk)
    ids.update(report_job=report.pk)

    # An export job: the focal point's own 3W sheet, drafts and all (its file is theirs alone).
    from projects.exchange.selectors.downloads import ExportRequest
    from projects.exchange.services.exports import export_job_request, export_job_run

    export = export_job_request(user=fp, request=ExportRequest(format="csv"), language="en")
    export_job_run(export.pk)
    ids.update(export_job=export.pk)


def _moved_project(world: World, users: dict[str, Any], places: dict[str, Any], health) -> None:
    """UNICEF's project, with UNICEF's draft update and file and the ministry's return comment, moved by the
    ministry to UNDP: what UNICEF wrote before the move is UNICEF's (never UNDP's to read); the project itself
    is now UNDP's, unaccepted (never UNICEF's any more)."""
    from django.core.exceptions import PermissionDenied, ValidationError

    from projects import services
    from projects.models import Partner

    unicef, analyst, admin = users["unicef_fp"], users[ANALYST], users["ministry_admin"]
    before = [FOCAL["UNDP"], ANON]
    title = world.marker("UNDP-MOVED-PROJECT-TITLE", forbidden=[FOCAL["UNICEF"], ANON], control=[FOCAL["UNDP"], ANALYST])
    project = _project(unicef, title=f"Primary health care equipment {title}", place=places["moved"], sector=health)
    update = _update(project, unicef, period=(dt.date(2025, 1, 1), dt.date(2025, 3, 31)),
                     narrative=world.marker("UNICEF-MOVED-UPDATE-NARRATIVE", forbidden=before, control=[ANALYST]),
                     problems=world.marker("UNICEF-MOVED-UPDATE-PROBLEMS", forbidden=before, control=[ANALYST]))
    attachment = _attach(
        update, unicef, name=world.marker("UNICEF-MOVED-ATTACHMENT-NAME", forbidden=before, control=[ANALYST]) + ".pdf",
        body=world.marker("UNICEF-MOVED-ATTACHMENT-BYTES", forbidden=before, control=[ANALYST]),
        description=world.marker("UNICEF-MOVED-ATTACHMENT-DESCRIPTION", forbidden=before, control=[ANALYST]))
    services.project_submit(project=project, user=unicef)
    services.project_review(project=project, user=analyst, decision="return", comment=world.marker(
        "UNICEF-MOVED-PROJECT-REVIEW-COMMENT", forbidden=before, control=[ANALYST]))
    owner = "UNDP"
    try:
        services.project_edit(project=project, user=admin,
                              fields={"reporting_partner": Partner.objects.get(iati_ref=PARTNERS["UNDP"])})
    except (ValidationError, PermissionDenied) as exc:
        # A fix may refuse such a move: then the project stays UNICEF's, and so does its title.
        owner, world.moved = "UNICEF", f"refused: {exc}"
        world.markers["UNDP-MOVED-PROJECT-TITLE"].update(forbidden=sorted([FOCAL["UNDP"], ANON]),
                                                         control=sorted([FOCAL["UNICEF"], ANALYST]))
    # After the move the project, its update and the file are UNDP's records.
    world.ids[owner].update(project_moved=project.pk, update_moved=update.pk,
                            attachment_moved={"update": update.pk, "attachment": attachment.pk})


def _flags(world: World, users: dict[str, Any], places: dict[str, Any]) -> dict[str, Any]:
    from django.db.models import Q

    from coordination.models import DelayFlag, DuplicateFlag, GapFlag
    from coordination.services.delays import delay_flag_review, delays_full_scan
    from coordination.services.duplicates import duplicate_flag_review, duplicates_full_scan
    from coordination.services.gaps import gap_flag_review, gaps_full_run

    analyst = users[ANALYST]
    duplicates_full_scan()
    delays_full_scan()
    gaps_full_run()
    ministry = [FOCAL["UNDP"], FOCAL["UNICEF"], ANON]
    counts: dict[str, Any] = {}
    for owner in PARTNERS:
        ids = world.ids[owner]
        mine = [ids[k] for k in ids if k.startswith("project_")]
        unaccepted = [ids[k] for k in ids if k.startswith("project_") and k != "project_accepted"]
        # The pairs that involve one of its unaccepted projects: the other partner must not see them.
        ids["duplicate_flags"] = sorted({pk for a, b, pk in DuplicateFlag.objects.values_list(
            "project_a_id", "project_b_id", "pk") if a in unaccepted or b in unaccepted})
        # One delay flag per project (the accepted one's first: it carries the ministry's note below).
        ids["delay_flags"] = [flag for flag in (DelayFlag.objects.filter(project_id=pk).order_by("pk")
                                                .values_list("pk", flat=True).first() for pk in mine) if flag]
        ids["gap_flags"] = sorted(GapFlag.objects.filter(municipality=places[f"hidden_{owner}"])
                                  .values_list("pk", flat=True))
        draft = ids["project_draft"]
        counts[owner] = {
            "duplicates_with_draft": DuplicateFlag.objects.filter(Q(project_a_id=draft) | Q(project_b_id=draft)).count(),
            "delays_of_draft": DelayFlag.objects.filter(project_id=draft).count(),
            "gap_flags_hidden": len(ids["gap_flags"]),
            "gap_flags_hidden_open": GapFlag.objects.filter(municipality=places[f"hidden_{owner}"],
                                                            resolved_at__isnull=True).count()}
        assert counts[owner]["duplicates_with_draft"], f"no duplicate flag involves {owner}'s draft"
        assert counts[owner]["delays_of_draft"], f"no delay flag on {owner}'s draft"
        assert ids["gap_flags"], f"no gap flag (open or resolved) in {owner}'s hidden municipality"
    # The committee's notes (ministry only): on a duplicate pair, on the delay of an accepted project, on a gap.
    draft = world.ids["UNICEF"]["project_draft"]
    pair = DuplicateFlag.objects.filter(Q(project_a_id=draft) | Q(project_b_id=draft)).order_by("pk").first()
    duplicate_flag_review(flag=pair, user=analyst, decision="related",
                          note=world.marker("MINISTRY-DUPLICATE-NOTE", forbidden=ministry, control=[ANALYST]))
    late = DelayFlag.objects.filter(project_id=world.ids["UNDP"]["project_accepted"]).order_by("pk").first()
    assert late is not None, "no delay flag on UNDP's accepted project"
    delay_flag_review(flag=late, user=analyst, status="confirmed",
                      note=world.marker("MINISTRY-DELAY-NOTE", forbidden=ministry, control=[ANALYST]))
    gap = GapFlag.objects.get(municipality=places["note"], sector__isnull=True)
    gap_flag_review(flag=gap, user=analyst, status="confirmed",
                    note=world.marker("MINISTRY-GAP-NOTE", forbidden=ministry, control=[ANALYST]))
    world.ids["ministry"].update(duplicate_flag_noted=pair.pk, delay_flag_noted=late.pk, gap_flag_noted=gap.pk,
                                 gap_flags_empty=sorted(GapFlag.objects.filter(municipality=places["empty"])
                                                        .values_list("pk", flat=True)))
    return counts


def _meetings(world: World, users: dict[str, Any]) -> None:
    """For each partner, a committee series with a finalised meeting only it attended (its title, agenda, decision
    and action private to it and the ministry) and a planned one (the ministry's alone until finalised)."""
    from coordination.services import meeting_actions as acts
    from coordination.services import meetings as svc
    from projects.models import Partner

    analyst = users[ANALYST]
    for owner, ref in PARTNERS.items():
        partner, ids = Partner.objects.get(iati_ref=ref), world.ids[owner]
        series = svc.series_create(user=analyst, title_en=f"Committee with {owner}")
        held = svc.meeting_create(user=analyst, series=series, date=dt.date(2026, 1, 15),
                                  title_en=world.private(owner, "MEETING-TITLE"))
        attendee = svc.attendee_add(user=analyst, meeting=held, name=world.private(owner, "MEETING-ATTENDEE"),
                                    partner=partner)
        item = svc.agenda_item_add(user=analyst, meeting=held, title_en=world.private(owner, "MEETING-AGENDA"))
        decision = acts.decision_record(user=analyst, meeting=held, text_en=world.private(owner, "MEETING-DECISION"),
                                        agenda_item=item)
        action = acts.action_record(user=analyst, meeting=held, text_en=world.private(owner, "MEETING-ACTION"),
                                    owner_partner=partner)
        svc.meeting_finalise(user=analyst, meeting=held)
        planned = svc.meeting_create(user=analyst, series=series, date=dt.date(2026, 3, 15), title_en=world.marker(
            f"{owner}-PLANNED-MEETING-TITLE", forbidden=[FOCAL[owner], FOCAL[OTHER[owner]], ANON], control=[ANALYST]))
        svc.attendee_add(user=analyst, meeting=planned, name="Planned attendee", partner=partner)
        ids.update(meeting_finalised=held.pk, meeting_planned=planned.pk, meeting_attendee=attendee.pk,
                   meeting_agenda_item=item.pk, meeting_decision=decision.pk, meeting_action=action.pk)


def build() -> dict[str, Any]:
    from municipalities.models import Municipality, Sector
    from projects.models import Partner

    world = World(run=os.environ.get("PROBE_RUN") or secrets.token_hex(3))
    accounts, users = _users(world)
    places = {key: Municipality.objects.get(slug=slug) for key, slug in PLACES.items()}
    water, health = Sector.objects.get(code="water-sanitation"), Sector.objects.get(code="health")
    from coordination.services.gaps import gaps_full_run

    gaps_full_run()  # before any project: every municipality is unreached, each with an open flag
    for owner in PARTNERS:
        _partner_records(world, owner, users, places, water, health)
    _moved_project(world, users, places, health)
    counts = _flags(world, users, places)
    _meetings(world, users)
    partners = {owner: Partner.objects.get(iati_ref=ref) for owner, ref in PARTNERS.items()}
    for owner, partner in partners.items():
        world.ids[owner].update(partner=partner.pk, partner_ref=partner.iati_ref, partner_acronym=partner.acronym,
                                hidden_municipality={"id": places[f"hidden_{owner}"].pk,
                                                     "slug": places[f"hidden_{owner}"].slug})
    world.ids["ministry"].update(empty_municipality={"id": places["empty"].pk, "slug": places["empty"].slug},
                                 sector=water.pk)
    return {"run": world.run, "users": accounts, "ids": world.ids, "markers": world.markers, "flag_counts": counts,
            "moved": world.moved}


def main() -> None:
    import django

    django.setup()
    result = build()
    sys.stdout.write("PROBE-WORLD " + json.dumps(result, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
