"""The meeting report (محضر الاجتماع), built from ``meeting_report_content``'s plain dict (the contract in
the meetings selector): header, attendees, agenda, discussion, decisions, actions, the figures (frozen with
the finalised meeting, or live), and a map of the municipalities discussed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from common.formatting import EMPTY, datetime_format
from coordination.reports.common import day, links_text, new_document, num, places_map, time_text, usd, yes_no
from coordination.reports.document import Document, Heading, KeyFigures, Paragraph, Table


def _header(doc: Document, meeting: dict[str, Any], language: str) -> None:
    where = " · ".join(x for x in (meeting.get("place"), meeting.get("online_link")) if x)
    rows = [
        (pgettext("report", "Series"), meeting.get("series") or EMPTY),
        (pgettext("report", "Meeting number"), num(meeting.get("number"), language)),
        (pgettext("report", "Date"), day(meeting.get("date"), language)),
        (pgettext("report", "Time"), time_text(meeting.get("start_time"), meeting.get("end_time"), language) or EMPTY),
        (pgettext("report", "Place"), where or EMPTY),
        (pgettext("report", "Chair"), meeting.get("chair") or EMPTY),
        (pgettext("report", "Rapporteur"), meeting.get("rapporteur") or EMPTY),
        (pgettext("report", "Status"), meeting.get("status_label") or meeting.get("status") or EMPTY),
    ]
    doc.add(Table(columns=[pgettext("report", "Meeting"), ""], rows=rows))


def _figures_notice(content: dict[str, Any], language: str, generated_at: dt.datetime) -> Paragraph:
    if content.get("is_live") or not content.get("as_of"):
        return Paragraph(_("Live figures: this meeting is not finalised, so the figures below are those of "
                           "%(moment)s and will change with the data.") % {
            "moment": datetime_format(generated_at, language)}, style="notice")
    return Paragraph(_("Figures as of %(moment)s, frozen when the meeting was finalised.") % {
        "moment": datetime_format(content["as_of"], language)}, style="muted")


def _agenda(doc: Document, agenda: Sequence[dict[str, Any]], language: str) -> None:
    doc.add(Heading(pgettext("report", "Agenda")))
    doc.add(Table(columns=[pgettext("report", "No."), pgettext("report", "Item"), pgettext("report", "Concerns")], numeric=frozenset({0}),
                  rows=[(num(a.get("number"), language), a.get("title") or "", links_text(a.get("links"), language))
                        for a in agenda], empty_text=pgettext("report", "No agenda items.")))
    doc.add(Heading(pgettext("report", "Discussion")))
    noted = [a for a in agenda if a.get("notes")]
    if not noted:
        doc.add(Paragraph(pgettext("report", "No discussion was recorded."), style="muted"))
    for item in noted:
        doc.add(Heading(f"{num(item.get('number'), language)}. {item.get('title') or ''}", level=3),
                Paragraph(item["notes"]))


def _decisions(doc: Document, decisions: Sequence[dict[str, Any]], language: str) -> None:
    doc.add(Heading(pgettext("report", "Decisions")))
    if not decisions:
        doc.add(Paragraph(pgettext("report", "No decisions were recorded."), style="muted"))
    for decision in decisions:
        doc.add(Paragraph(_("Decision %(number)s: %(text)s") % {"number": decision.get("number") or "",
                                                                "text": decision.get("text") or ""}))
        notes = []
        if decision.get("agenda_number") is not None:
            notes.append(_("Agenda item %(number)s") % {"number": num(decision["agenda_number"], language)})
        if decision.get("links"):
            notes.append(links_text(decision["links"], language))
        if decision.get("flag_effect"):
            notes.append(decision["flag_effect"])
        if notes:
            doc.add(Paragraph(" · ".join(notes), style="muted"))


def _actions(doc: Document, actions: Sequence[dict[str, Any]], language: str) -> None:
    doc.add(Heading(pgettext("report", "Follow-up actions")))
    rows, overdue = [], set()
    for index, action in enumerate(actions):
        owner = " — ".join(x for x in (action.get("owner"), action.get("owner_person")) if x)
        status = action.get("status_label") or action.get("status") or ""
        if action.get("overdue"):
            overdue.add(index)
            status = _("%(status)s (overdue)") % {"status": status}
        rows.append((action.get("number") or "", action.get("text") or "", owner or EMPTY,
                     day(action.get("due"), language), status))
    doc.add(Table(columns=[pgettext("report", "No."), pgettext("report", "Action"), pgettext("report", "Owner"), pgettext("report", "Due"), pgettext("report", "Status")], rows=rows,
                  marked=frozenset(overdue), empty_text=pgettext("report", "No follow-up actions.")))


def _figures(doc: Document, content: dict[str, Any], language: str, generated_at: dt.datetime) -> None:
    doc.add(Heading(pgettext("report", "Figures discussed")), _figures_notice(content, language, generated_at))
    kinds = {"municipality": pgettext("report", "Municipality"), "partner": pgettext("report", "Partner"), "project": pgettext("report", "Project")}
    rows = [(kinds.get(f.get("kind"), f.get("kind") or ""), f.get("label") or "", num(f.get("projects"), language),
             usd(f.get("usd"), language), yes_no(f.get("reached")), num(f.get("gaps"), language),
             num(f.get("open_flags"), language)) for f in content.get("figures") or ()]
    doc.add(Table(columns=[pgettext("report", "Kind"), pgettext("report", "Name"), pgettext("report", "Projects"), pgettext("report", "Budget (USD)"), pgettext("report", "Reached"), pgettext("report", "Gaps"),
                           pgettext("report", "Open flags")], rows=rows, numeric=frozenset({2, 3, 5, 6}),
                  empty_text=pgettext("report", "No figures were linked to this meeting.")))


def meeting_report_document(content: dict[str, Any], *, places: Sequence[dict[str, Any]] = (),
                            outlines: Sequence[dict[str, Any]] = (),
                            context_points: Sequence[tuple[float, float]] = (),
                            generated_at: dt.datetime | None = None) -> Document:
    """The document for one meeting. ``places``: the municipalities of ``municipality_pcodes`` for the map
    (``report_map_places``), ``outlines`` / ``context_points`` the country around them."""
    from django.utils import timezone

    language = content.get("language") or "ar"
    generated_at = generated_at or timezone.now()
    meeting = content.get("meeting") or {}
    with translation.override(language):
        doc = new_document(language, meeting.get("title") or pgettext("report", "Meeting report"),
                           _("Report of the meeting of %(date)s") % {"date": day(meeting.get("date"), language)},
                           generated_at=generated_at)
        _header(doc, meeting, language)
        attendees = content.get("attendees") or ()
        present = sum(1 for a in attendees if a.get("present"))
        doc.add(KeyFigures([(pgettext("report", "Attendees present"), num(present, language)),
                            (pgettext("report", "Agenda items"), num(len(content.get("agenda") or ()), language)),
                            (pgettext("report", "Decisions"), num(len(content.get("decisions") or ()), language)),
                            (pgettext("report", "Follow-up actions"), num(len(content.get("actions") or ()), language)),
                            (pgettext("report", "Overdue actions"), num(sum(1 for a in content.get("actions") or () if a.get("overdue")),
                                                       language))]))
        doc.add(Heading(pgettext("report", "Attendees")))
        doc.add(Table(columns=[pgettext("report", "Name"), pgettext("report", "Title"), pgettext("report", "Organisation"), pgettext("report", "Presence")],
                      rows=[(a.get("name") or "", a.get("title") or "", a.get("organisation") or "",
                             a.get("presence_label") or "") for a in attendees],
                      empty_text=pgettext("report", "No attendees were recorded.")))
        _agenda(doc, content.get("agenda") or (), language)
        _decisions(doc, content.get("decisions") or (), language)
        _actions(doc, content.get("actions") or (), language)
        _figures(doc, content, language, generated_at)
        if content.get("municipality_pcodes"):
            approximate = any(p.get("geometry") and not p.get("official") for p in places)
            doc.add(Heading(pgettext("report", "Municipalities discussed")),
                    places_map(places, language=language, outlines=outlines, context_points=context_points,
                               caption=pgettext("report", "Approximate area (derived, not official)")
                               if approximate else ""))
    return doc
