"""Meetings and reports wired together: the meeting page asks for its report (PDF / Word, Arabic / English) through
the report job, says when the report will show live figures, and sends a finalised meeting's report once to each
recipient before marking it as sent; who may ask for a meeting's report follows the meetings' own rule; and a
decision recorded by the rapporteur resolves a flag (the committee decides)."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from coordination.models import FlagStatus, MeetingStatus, ReportDelivery, ReportJob
from coordination.selectors.reports import report_subject_visible
from coordination.services import meeting_actions as action_services
from coordination.services import meetings as svc
from coordination.services import reports as report_services
from tests.coordination.meeting_helpers import committee_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas, undp, unicef):
    world = committee_world(personas, undp, unicef)
    rapporteur, meeting = personas["rapporteur"], world["meeting"]
    svc.attendee_add(user=rapporteur, meeting=meeting, name="Salma", partner=undp, email="Salma@Example.org",
                     language="ar")
    svc.attendee_add(user=rapporteur, meeting=meeting, name="John", body="Ministry of Health",
                     email="john@example.org", language="en")
    svc.attendee_add(user=rapporteur, meeting=meeting, name="No address", body="Municipal council of Murzuq")
    svc.agenda_item_add(user=rapporteur, meeting=meeting, title_en="Murzuq water",
                        links=[("municipality", world["murzuq"].pk), ("duplicate", world["duplicate"].pk)])
    return world


def _ask(client, meeting_pk, fmt="pdf", language="ar"):
    return client.post(reverse("report_request"), {"kind": "meeting", "subject_id": meeting_pk, "format": fmt,
                                                   "language": language})


def _finalise(personas, world):
    svc.meeting_finalise(user=personas["rapporteur"], meeting=world["meeting"])
    world["meeting"].refresh_from_db()


def test_the_meeting_page_offers_the_report_and_says_when_it_shows_live_figures(client_for, personas, world):
    client, pk = client_for("rapporteur", "en"), world["meeting"].pk
    html = client.get(reverse("meeting_detail", args=[pk])).content.decode()
    assert 'name="kind" value="meeting"' in html and f'name="subject_id" value="{pk}"' in html
    assert 'value="pdf"' in html and 'value="docx"' in html and 'id="meeting-report-live"' in html
    assert 'id="send-report"' not in html  # not finalised: nothing to send
    _finalise(personas, world)
    html = client.get(reverse("meeting_detail", args=[pk])).content.decode()
    assert 'id="meeting-report-live"' not in html and 'id="send-report"' in html
    arabic = client_for("viewer", "ar").get(reverse("meeting_detail", args=[pk])).content.decode()
    assert 'name="kind" value="meeting"' in arabic and 'id="send-report"' not in arabic  # a viewer reads, not sends


def test_report_jobs_of_a_meeting_render_live_then_from_the_snapshot(client_for, personas, world,
                                                                     django_capture_on_commit_callbacks):
    client, pk = client_for("rapporteur", "ar"), world["meeting"].pk
    with django_capture_on_commit_callbacks(execute=True):
        assert _ask(client, pk, "pdf", "ar").status_code == 302
    live = ReportJob.objects.get()
    assert live.status == ReportJob.Status.DONE and live.live_figures and live.filename.endswith("-ar.pdf")
    job_page = client.get(reverse("report_job_detail", args=[live.pk])).content.decode()
    assert 'id="report-live"' in job_page and reverse("meeting_detail", args=[pk]) in job_page
    assert b"".join(client.get(reverse("report_job_download", args=[live.pk])).streaming_content)[:5] == b"%PDF-"
    _finalise(personas, world)
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, pk, "docx", "en")
    frozen = ReportJob.objects.exclude(pk=live.pk).get()
    assert frozen.status == ReportJob.Status.DONE and not frozen.live_figures
    data = b"".join(client.get(reverse("report_job_download", args=[frozen.pk])).streaming_content)
    assert "word/document.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()


def test_who_may_ask_for_a_meetings_report_follows_the_meetings_rule(client_for, personas, world, undp):
    pk = world["meeting"].pk
    focal, viewer = client_for("undp_focal_point", "en"), client_for("viewer", "en")
    assert _ask(focal, pk).status_code == 404 and _ask(viewer, pk).status_code == 404  # not finalised
    assert not ReportJob.objects.exists()
    _finalise(personas, world)
    assert _ask(viewer, pk).status_code == 302
    assert _ask(focal, pk).status_code == 302  # UNDP attended
    assert _ask(client_for("unicef_focal_point", "en"), pk).status_code == 404  # UNICEF did not
    assert _ask(focal, 999_999).status_code == 404
    assert ReportJob.objects.count() == 2


def test_a_meetings_report_visibility_is_one_query(personas, world, django_assert_num_queries):
    user = personas["viewer"]
    user.has_perm("coordination.record_meeting")  # the permission cache, filled once per request anyway
    with django_assert_num_queries(1):
        assert not report_subject_visible(user, "meeting", world["meeting"].pk)


def test_send_the_report_once_to_each_recipient_then_mark_it_sent(client_for, personas, world):
    client, pk = client_for("rapporteur", "en"), world["meeting"].pk
    _finalise(personas, world)
    response = client.post(reverse("meeting_report_send", args=[pk]))
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == ["john@example.org", "salma@example.org"]
    by_address = {m.to[0]: m for m in mail.outbox}
    assert by_address["salma@example.org"].attachments[0][0] == f"meeting-{pk}-ar.pdf"
    assert by_address["john@example.org"].attachments[0][0] == f"meeting-{pk}-en.pdf"
    assert by_address["john@example.org"].attachments[0][1][:5] == b"%PDF-"
    world["meeting"].refresh_from_db()
    assert world["meeting"].status == MeetingStatus.DISTRIBUTED and world["meeting"].distributed_at
    deliveries = ReportDelivery.objects.filter(meeting=world["meeting"])
    assert deliveries.count() == 2 and set(deliveries.values_list("sent_by", flat=True)) == {personas["rapporteur"].pk}
    client.post(reverse("meeting_report_send", args=[pk]))  # again: nobody gets it twice
    assert len(mail.outbox) == 2 and ReportDelivery.objects.count() == 2


def test_sending_needs_a_finalised_meeting_and_a_recorder(client_for, personas, world):
    pk = world["meeting"].pk
    client_for("rapporteur", "en").post(reverse("meeting_report_send", args=[pk]))
    world["meeting"].refresh_from_db()
    assert world["meeting"].status == MeetingStatus.PLANNED and not mail.outbox
    _finalise(personas, world)
    assert client_for("viewer", "en").post(reverse("meeting_report_send", args=[pk])).status_code == 403
    assert client_for("undp_focal_point", "en").post(reverse("meeting_report_send", args=[pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        report_services.meeting_report_send(meeting_id=pk, user=personas["viewer"])
    assert not mail.outbox and not ReportDelivery.objects.exists()


def test_a_failed_send_is_not_recorded_and_the_meeting_stays_finalised(client_for, personas, world, monkeypatch):
    monkeypatch.setattr(report_services, "_send", lambda *a: (_ for _ in ()).throw(OSError("smtp down")))
    _finalise(personas, world)
    client_for("rapporteur", "en").post(reverse("meeting_report_send", args=[world["meeting"].pk]))
    world["meeting"].refresh_from_db()
    assert world["meeting"].status == MeetingStatus.FINALISED and not ReportDelivery.objects.exists()


def test_a_decision_recorded_by_the_rapporteur_resolves_the_flag_but_direct_review_refuses(client_for, personas,
                                                                                             world):
    client, meeting, flag = client_for("rapporteur", "en"), world["meeting"], world["duplicate"]
    item = meeting.agenda_items.get()
    response = client.post(reverse("meeting_decision_add", args=[meeting.pk]), {
        "text_en": "UNDP and UNICEF will merge their Murzuq water projects.", "agenda_item": item.pk,
        "flag": f"duplicate:{flag.pk}", "flag_status": "confirmed"})
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.status == FlagStatus.CONFIRMED and flag.decided_by == personas["rapporteur"]
    assert "merge their Murzuq water projects" in flag.decision_note
    assert flag.history.first().history_change_reason == f"meeting:{meeting.pk}"
    refused = client.post(reverse("duplicate_review", args=[flag.pk]), {"status": "dismissed", "note": "no"})
    assert refused.status_code == 403
    flag.refresh_from_db()
    assert flag.status == FlagStatus.CONFIRMED


def test_the_agenda_proposes_murzuqs_open_alignment_flags_to_the_ministry_only(personas, world):
    from coordination.models import AlignmentFlag
    from coordination.selectors.meeting_data import agenda_proposals, agenda_proposals_for_meeting

    outside = AlignmentFlag.objects.create(kind=AlignmentFlag.Kind.OUTSIDE_PLANS, project=world["grid"], score=0.6,
                                           fingerprint="a-1")
    concentrated = AlignmentFlag.objects.create(kind=AlignmentFlag.Kind.CONCENTRATED, municipality=world["murzuq"],
                                                share_outside=0.8, score=0.7, fingerprint="a-2")
    elsewhere = AlignmentFlag.objects.create(kind=AlignmentFlag.Kind.CONCENTRATED, municipality=world["other"],
                                             score=0.9, fingerprint="a-3")
    user, meeting = personas["rapporteur"], world["meeting"]
    proposals = {p["key"]: p for p in agenda_proposals_for_meeting(
        user=user, meeting=meeting, filters={"municipalities": [world["murzuq"].pk]})}
    assert f"alignment:{outside.pk}" in proposals and f"alignment:{concentrated.pk}" in proposals
    assert f"alignment:{elsewhere.pk}" not in proposals
    assert proposals[f"alignment:{concentrated.pk}"]["source"] == "alignment"
    assert "مرزق" in proposals[f"alignment:{concentrated.pk}"]["title_ar"]
    item = svc.agenda_proposal_accept(user=user, meeting=meeting, key=f"alignment:{concentrated.pk}",
                                      filters={"municipalities": [world["murzuq"].pk]})
    assert item.source == "alignment" and {(lk.kind, lk.target_id) for lk in item.links.all()} == {
        ("municipality", world["murzuq"].pk)}
    concentrated.status = FlagStatus.CONFIRMED
    concentrated.save()
    outside.status = FlagStatus.DISMISSED
    outside.save()
    left = {p["key"] for p in agenda_proposals_for_meeting(user=user, meeting=meeting,
                                                          filters={"municipalities": [world["murzuq"].pk]})}
    assert not any(key.startswith("alignment:") for key in left)  # decided flags are not proposed
    focal = agenda_proposals(user=personas["undp_focal_point"], series=meeting.series,
                             municipalities=[world["murzuq"].pk])
    assert not any(p["source"] == "alignment" for p in focal)


def test_sending_with_no_address_says_so_and_does_not_mark_the_meeting_sent(client_for, personas, world):
    world["meeting"].attendees.update(email="")
    _finalise(personas, world)
    response = client_for("rapporteur", "en").post(reverse("meeting_report_send", args=[world["meeting"].pk]),
                                                   follow=True)
    assert "No attendee has an e-mail address" in response.content.decode()
    world["meeting"].refresh_from_db()
    assert world["meeting"].status == MeetingStatus.FINALISED and not mail.outbox


def test_action_owners_receive_the_report_a_partner_through_its_focal_points(client_for, personas, world, undp):
    """An action's owner gets the report: a ministry unit at the action's address, a partner through its active
    focal points (in each one's language); each address once."""
    rapporteur, meeting = personas["rapporteur"], world["meeting"]
    focal = personas["undp_focal_point"]
    focal.email = "focal@undp.example"
    focal.save()
    focal.focal_point.language = "en"
    focal.focal_point.save()
    action_services.action_record(user=rapporteur, meeting=meeting, text_en="Repair the pumps", owner_partner=undp)
    action_services.action_record(user=rapporteur, meeting=meeting, text_en="Survey the wells",
                                  owner_unit="Water department", owner_email="Water@Ministry.example")
    action_services.action_record(user=rapporteur, meeting=meeting, text_en="Again", owner_partner=undp,
                                  owner_email="john@example.org")  # an attendee already: once
    _finalise(personas, world)
    client_for("rapporteur", "en").post(reverse("meeting_report_send", args=[meeting.pk]))
    by_address = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_address) == ["focal@undp.example", "john@example.org", "salma@example.org",
                                  "water@ministry.example"]
    assert by_address["focal@undp.example"].attachments[0][0] == f"meeting-{meeting.pk}-en.pdf"
    assert ReportDelivery.objects.filter(meeting=meeting).count() == 4


def test_an_action_owner_address_must_be_an_address(client_for, personas, world):
    client = client_for("rapporteur", "en")
    client.post(reverse("meeting_action_add", args=[world["meeting"].pk]),
                {"text_en": "Survey", "owner_unit": "Water department", "owner_email": "not an address"})
    assert not world["meeting"].actions.filter(text_en="Survey").exists()
    client.post(reverse("meeting_action_add", args=[world["meeting"].pk]),
                {"text_en": "Survey", "owner_unit": "Water department", "owner_email": "w@ministry.example"})
    assert world["meeting"].actions.get(text_en="Survey").owner_email == "w@ministry.example"
