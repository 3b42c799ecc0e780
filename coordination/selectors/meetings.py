"""Reads of the committee's meetings, as ``user`` may see them (``coordination.meeting_rules``):

* ``meeting_content``: one meeting as plain data in one language (attendees, agenda, decisions, actions,
  figures), the meeting page's and the report's source; ``meeting_report_content`` is the report's contract
  (/work/prompts/meeting_report_contract.md): exactly that shape, nothing more;
* ``meeting_list`` / ``series_list``; ``action_list`` (across meetings, overdue first) and
  ``municipality_meetings`` (for the municipality file) live in ``meeting_lists``, below the places selectors.

A finalised meeting reads its figures, its links' labels and its actions' status from its snapshot, so its
report is the same whatever happened to the projects since; the page shows the live figures beside them.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from common.bilingual import bilingual_text
from coordination.meeting_rules import meeting_recorder, meetings_visible_to
from coordination.models import (
    ActionStatus,
    ActionStatusChange,
    FlagKind,
    FlagStatus,
    FollowUpAction,
    LinkKind,
    Meeting,
    MeetingLink,
    MeetingSeries,
    MeetingStatus,
)
from coordination.selectors.meeting_data import meeting_figures
from coordination.selectors.meeting_links import link_labels, meeting_links
from coordination.selectors.meeting_lists import action_is_overdue, action_list, municipality_meetings
from municipalities.models import Municipality

LIST_ROWS = 50


def meeting_list(user: Any, *, series: MeetingSeries | None = None) -> QuerySet[Meeting]:
    meetings = meetings_visible_to(user).select_related("series", "rapporteur")
    if series is not None:
        meetings = meetings.filter(series=series)
    return meetings.annotate(n_decisions=Count("decisions", distinct=True),
                             n_actions=Count("actions", distinct=True)).order_by("-date", "-pk")


def series_list(user: Any) -> list[dict[str, Any]]:
    """The series with how many meetings ``user`` may see in each: every series for the recorders, those with
    a meeting they may see for anyone else (two queries)."""
    counts = dict(meetings_visible_to(user).order_by().values("series_id").annotate(n=Count("pk"))
                  .values_list("series_id", "n"))
    everything = meeting_recorder(user)
    return [{"series": s, "title": str(s), "meetings": counts.get(s.pk, 0)}
            for s in MeetingSeries.objects.order_by("title_en", "title_ar", "pk") if everything or s.pk in counts]


def meeting_for(user: Any, pk: int) -> Meeting:
    """The meeting ``pk`` if ``user`` may see it, else PermissionDenied (the page answers 404 or 403)."""
    meeting = meetings_visible_to(user).select_related("series", "rapporteur").filter(pk=pk).first()
    if meeting is None:
        raise PermissionDenied
    return meeting


def _links_of(links: list[MeetingLink], labels: dict[str, dict[str, str]], language: str,
              owner: str, owner_id: int) -> list[dict[str, Any]]:
    out = []
    for link in links:
        if getattr(link, f"{owner}_id") != owner_id:
            continue
        label = labels.get(f"{link.kind}:{link.target_id}")
        out.append({"kind": link.kind, "id": link.target_id,
                    "label": label[language] if label else f"{LinkKind(link.kind).label} #{link.target_id}"})
    return out


def _flag_effect(decision: Any) -> str:
    if not decision.flag_kind:
        return ""
    kind = str(FlagKind(decision.flag_kind).label)
    if decision.flag_status == FlagStatus.CONFIRMED:
        return _("%(kind)s flag #%(id)s confirmed") % {"kind": kind, "id": decision.flag_id}
    return _("%(kind)s flag #%(id)s dismissed") % {"kind": kind, "id": decision.flag_id}


def _meeting_head(m: Meeting, language: str) -> dict[str, Any]:
    rapporteur = m.rapporteur
    return {"id": m.pk, "title": bilingual_text(m.title_ar, m.title_en, language) or bilingual_text(
        m.series.title_ar, m.series.title_en, language), "series": bilingual_text(m.series.title_ar,
                                                                                    m.series.title_en, language),
        "number": m.number, "date": m.date, "start_time": m.start_time, "end_time": m.end_time, "place": m.place,
        "online_link": m.online_link, "chair": m.chair,
        "rapporteur": (rapporteur.get_full_name() or rapporteur.get_username()) if rapporteur else "",
        "status": m.status, "status_label": str(MeetingStatus(m.status).label), "finalised_at": m.finalised_at}


def _figure_rows(figures: list[dict[str, Any]], language: str) -> list[dict[str, Any]]:
    return [{"kind": f["kind"], "label": f[f"label_{language}"], "projects": f["projects"], "usd": f["usd"],
             "reached": f["reached"], "gaps": f["gaps"], "open_flags": f["open_flags"]} for f in figures]


def meeting_content(*, meeting: Meeting, user: Any, language: str, with_ids: bool = False,
                    live_figures: bool = True) -> dict[str, Any]:
    """The meeting in ``language`` (the report contract's shape; ``with_ids`` adds the records' ids for the
    page). A frozen meeting's figures, labels and action statuses come from its snapshot."""
    language = "ar" if (language or "ar").startswith("ar") else "en"
    with translation.override(language):
        return _content(meeting, user, language, with_ids, live_figures)


def _content(m: Meeting, user: Any, language: str, with_ids: bool, live_figures: bool) -> dict[str, Any]:
    snapshot = m.snapshot if m.is_frozen and m.snapshot else {}
    as_of = parse_datetime(snapshot["as_of"]) if snapshot.get("as_of") else None
    today = timezone.localtime(as_of).date() if as_of else timezone.localdate()
    links = meeting_links(m)
    labels = snapshot.get("labels") or link_labels((link.kind, link.target_id) for link in links)
    statuses = snapshot.get("actions") or {}
    agenda = list(m.agenda_items.order_by("order", "pk"))
    agenda_number = {item.pk: n for n, item in enumerate(agenda, start=1)}

    def ids(row: dict[str, Any], pk: int) -> dict[str, Any]:
        return {"id": pk, **row} if with_ids else row

    def strip(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return rows if with_ids else [{"kind": r["kind"], "label": r["label"]} for r in rows]

    attendees = [ids({"name": a.name, "title": a.title, "organisation": (
        (a.partner.acronym or bilingual_text(a.partner.name_ar, a.partner.name_en, language)) if a.partner_id
        else a.body), "present": a.present, "presence_label": str(_("Present") if a.present else _("Excused")),
        "email": a.email, "language": a.language}, a.pk)
        for a in m.attendees.select_related("partner").order_by("pk")]
    agenda_rows = [ids({"number": n, "title": bilingual_text(i.title_ar, i.title_en, language),
                        "notes": bilingual_text(i.notes_ar, i.notes_en, language),
                        "links": strip(_links_of(links, labels, language, "agenda_item", i.pk))}, i.pk)
                   for n, i in enumerate(agenda, start=1)]
    decisions = [ids({"number": str(n), "text": bilingual_text(d.text_ar, d.text_en, language),
                      "agenda_number": agenda_number.get(d.agenda_item_id),
                      "links": strip(_links_of(links, labels, language, "decision", d.pk)),
                      "flag_effect": _flag_effect(d)}, d.pk)
                 for n, d in enumerate(m.decisions.order_by("order", "pk"), start=1)]
    actions = []
    for n, a in enumerate(m.actions.select_related("owner_partner").order_by("order", "pk"), start=1):
        status = statuses.get(str(a.pk), a.status)
        row = {"number": str(n), "text": bilingual_text(a.text_ar, a.text_en, language),
               "owner": (a.owner_partner.acronym or bilingual_text(a.owner_partner.name_ar, a.owner_partner.name_en,
                                                                   language)) if a.owner_partner_id else a.owner_unit,
               "owner_person": a.owner_person, "due": a.due, "status": status,
               "status_label": str(ActionStatus(status).label), "overdue": action_is_overdue(a.due, status, today)}
        if with_ids:
            row.update(id=a.pk, live_status=a.status, live_status_label=str(ActionStatus(a.status).label),
                       carried_over_from=a.carried_over_from_id,
                       links=_links_of(links, labels, language, "action", a.pk))
        actions.append(row)
    if snapshot:
        figures = _figure_rows(snapshot.get("figures", []), language)
    elif live_figures:
        figures = _figure_rows(meeting_figures(user=user, meeting=m), language)
    else:
        figures = []
    municipality_ids = {link.municipality_id for link in links if link.kind == LinkKind.MUNICIPALITY}
    pcodes = sorted(Municipality.objects.filter(pk__in=municipality_ids).values_list("pcode", flat=True))
    return {"language": language, "meeting": _meeting_head(m, language), "as_of": as_of, "is_live": not snapshot,
            "attendees": attendees, "agenda": agenda_rows, "decisions": decisions, "actions": actions,
            "figures": figures, "municipality_pcodes": pcodes}


def meeting_report_content(*, meeting_id: int, user: Any, language: str) -> dict:
    """The meeting report's content, per the contract with the reports engineer (plain data in ``language``).
    PermissionDenied when ``user`` may not see the meeting."""
    meeting = meeting_for(user, meeting_id)
    return meeting_content(meeting=meeting, user=user, language=language)


def meeting_live_figures(*, meeting: Meeting, user: Any, language: str) -> list[dict[str, Any]]:
    """Today's figures of what a meeting discussed (beside a finalised meeting's frozen ones)."""
    with translation.override(language):
        return _figure_rows(meeting_figures(user=user, meeting=meeting), language)


def action_history(action: FollowUpAction) -> list[Any]:
    """Every status change of an action and of those it continues (carried over), oldest first."""
    chain, current = [], action
    while current is not None and len(chain) < 50:
        chain.append(current.pk)
        current = current.carried_over_from
    return list(ActionStatusChange.objects.filter(action_id__in=chain).select_related("changed_by", "action__meeting")
                .order_by("changed_at", "pk"))


__all__ = ["action_history", "action_list", "meeting_content", "meeting_for", "meeting_list",
           "meeting_live_figures", "meeting_report_content", "municipality_meetings", "series_list"]
