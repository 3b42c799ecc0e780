"""The demo's committee work (``seed_demo``): the series "the committee with the UN agencies in Libya" with one
finalised meeting about Murzuq (attendees, agenda, discussion, decisions, two follow-up actions, one of them
overdue, its figures frozen) and the next meeting, planned, to which the open actions carry over.

Marked as demo data: the series' and meetings' notes say so (``DEMO_NOTE``), and a second run replaces them.
Written through the ORM like the rest of the demo (no user: the history rows have none), after the portfolio.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from coordination.models import (
    ActionStatus,
    AgendaItem,
    Attendee,
    Decision,
    FollowUpAction,
    Meeting,
    MeetingLink,
    MeetingSeries,
    MeetingStatus,
    ReportDelivery,
)
from municipalities.models import Municipality
from projects.models import Partner, Project

SERIES_AR = "اللجنة مع وكالات الأمم المتحدة في ليبيا"
SERIES_EN = "The committee with the UN agencies in Libya"
DEMO_NOTE = "Tansiq demo"
DEMO_NOTE_AR = "بيانات تجريبية (Tansiq demo)."


def meetings_demo_clear() -> int:
    """Remove the demo series with its meetings (and what they hold); returns the meetings removed."""
    meetings = Meeting.objects.filter(series__title_en=SERIES_EN, notes_en__contains=DEMO_NOTE)
    ReportDelivery.objects.filter(meeting__in=meetings).delete()
    FollowUpAction.objects.filter(meeting__in=meetings).update(carried_over_from=None)
    count = meetings.count()
    meetings.delete()
    MeetingSeries.objects.filter(title_en=SERIES_EN, meetings__isnull=True).delete()
    return count


def _figures(meeting: Meeting) -> list[dict[str, Any]]:
    """The figures as the ministry sees them (a stand-in superuser: nothing is scoped away)."""
    from coordination.selectors.meeting_data import meeting_figures

    reader = get_user_model()(username="demo-seed", is_active=True, is_superuser=True)
    try:
        return meeting_figures(user=reader, meeting=meeting)
    except Exception:  # the figures are a courtesy of the demo; the meeting stands without them
        return []


def _murzuq_projects(murzuq: Municipality) -> list[Project]:
    return list(Project.objects.filter(locations__municipality=murzuq).order_by("pk")[:2])


@transaction.atomic
def meetings_demo_write(*, today: dt.date) -> dict[str, Any] | None:
    """Write the demo series and its two meetings; None when Murzuq is not in the reference data."""
    meetings_demo_clear()
    murzuq = Municipality.objects.filter(slug="murzuq").first()
    if murzuq is None:
        return None
    undp = Partner.objects.filter(acronym="UNDP").first()
    unicef = Partner.objects.filter(acronym="UNICEF").first()
    series = MeetingSeries.objects.create(title_ar=SERIES_AR, title_en=SERIES_EN)
    held = Meeting.objects.create(
        series=series, number=1, date=today - dt.timedelta(days=30), start_time=dt.time(10), end_time=dt.time(12),
        place="طرابلس — وزارة الحكم المحلي", chair="وزير الحكم المحلي", title_ar="مرزق: المياه والكهرباء",
        title_en="Murzuq: water and electricity", notes_ar=f"ناقشت اللجنة مشروعات المياه في مرزق. {DEMO_NOTE_AR}",
        notes_en=f"The committee discussed the water projects in Murzuq. ({DEMO_NOTE})")
    for name, partner, body in (("ممثل برنامج الأمم المتحدة الإنمائي", undp, ""),
                                ("ممثلة اليونيسف", unicef, ""), ("عميد بلدية مرزق", None, "المجلس البلدي مرزق")):
        if partner is None and not body:
            continue
        Attendee.objects.create(meeting=held, name=name, partner=partner, body=body if partner is None else "",
                                present=True, language="ar")
    item = AgendaItem.objects.create(meeting=held, order=1, title_ar="مشروعات المياه في مرزق",
                                     title_en="Water projects in Murzuq")
    projects = _murzuq_projects(murzuq)
    links = [MeetingLink(meeting=held, agenda_item=item, kind="municipality", municipality=murzuq)]
    links += [MeetingLink(meeting=held, agenda_item=item, kind="project", project=p) for p in projects]
    decisions = [
        Decision.objects.create(meeting=held, agenda_item=item, order=1,
                                text_ar="يدمج برنامج الأمم المتحدة الإنمائي واليونيسف مشروعي المياه في مرزق.",
                                text_en="UNDP and UNICEF will merge their Murzuq water projects."),
        Decision.objects.create(meeting=held, agenda_item=item, order=2,
                                text_ar="تُقدَّم تقارير المشروعات المتأخرة قبل الاجتماع القادم.",
                                text_en="The late project reports are submitted before the next meeting."),
    ]
    links += [MeetingLink(meeting=held, decision=decisions[0], kind="municipality", municipality=murzuq)]
    actions = [
        FollowUpAction.objects.create(meeting=held, decision=decisions[0], order=1, owner_partner=undp,
                                      owner_unit="" if undp else "إدارة التعاون الدولي", owner_person="",
                                      text_ar="خطة مشتركة لمشروعي المياه في مرزق",
                                      text_en="A joint plan for the two Murzuq water projects",
                                      due=today - dt.timedelta(days=10), status=ActionStatus.OPEN),
        FollowUpAction.objects.create(meeting=held, decision=decisions[1], order=2, owner_unit="إدارة التعاون الدولي",
                                      text_ar="متابعة التقارير المتأخرة مع الشركاء",
                                      text_en="Follow up the late reports with the partners",
                                      due=today + dt.timedelta(days=20), status=ActionStatus.IN_PROGRESS),
    ]
    links += [MeetingLink(meeting=held, action=actions[0], kind="municipality", municipality=murzuq)]
    MeetingLink.objects.bulk_create(links)
    _finalise(held)
    planned = Meeting.objects.create(
        series=series, number=2, date=today + dt.timedelta(days=14), start_time=dt.time(10),
        place="طرابلس — وزارة الحكم المحلي", title_ar="متابعة قرارات مرزق", title_en="Follow-up of the Murzuq decisions",
        notes_ar=DEMO_NOTE_AR, notes_en=f"({DEMO_NOTE})")
    from coordination.services.meeting_actions import actions_carry_over

    carried = actions_carry_over(meeting=planned, user=None)
    return {"series": series.pk, "meetings": [held.pk, planned.pk], "actions": len(actions),
            "carried_over": len(carried)}


def _finalise(meeting: Meeting) -> None:
    from coordination.selectors.meeting_links import meeting_link_labels

    now = timezone.now()
    meeting.snapshot = {"as_of": now.isoformat(), "figures": _figures(meeting), "labels": meeting_link_labels(meeting),
                        "actions": {str(pk): status for pk, status in meeting.actions.values_list("pk", "status")}}
    meeting.status, meeting.finalised_at = MeetingStatus.FINALISED, now
    meeting.save()
