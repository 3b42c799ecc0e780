"""The committee's meeting pages: series and meetings, a meeting (agenda, decisions, actions, attendees, its
figures as of finalisation beside today's), the agenda builder, the actions across meetings, the .ics invitation.

Thin: what the reader may see comes from ``coordination.selectors.meetings`` (``coordination.meeting_rules``);
every write is a service call, whose refusals are shown as messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from common import formatting
from common.bilingual import bilingual_text
from coordination import meeting_forms as forms
from coordination.meeting_ics import meeting_ics as ics_text
from coordination.meeting_rules import (
    action_can_change_status,
    actions_visible_to,
    meeting_can_edit,
    meeting_recorder,
    meetings_visible_to,
)
from coordination.models import AgendaItem, Attendee, MeetingSeries, MeetingStatus
from coordination.selectors.meeting_data import agenda_proposals_for_meeting
from coordination.selectors.meetings import (
    action_list,
    meeting_content,
    meeting_for,
    meeting_list,
    meeting_live_figures,
    series_list,
)
from coordination.services import meeting_actions as action_services
from coordination.services import meetings as services
from coordination.services import reports as report_services

ROWS = 25


def _meeting(request: HttpRequest, pk: int):
    try:
        return meeting_for(request.user, pk)
    except PermissionDenied:
        raise Http404 from None


def _write(request: HttpRequest, call: Callable[[], Any], done: str) -> bool:
    """Run a service call; say what happened. PermissionDenied goes up (403)."""
    try:
        call()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False
    messages.success(request, done)
    return True


def _form_errors(request: HttpRequest, form) -> None:
    messages.error(request, " ".join(f"{form.fields[k].label if k in form.fields else ''}: {' '.join(v)}".strip(": ")
                                     for k, v in form.errors.items()))


# --- lists --------------------------------------------------------------------------------------------


@login_required
@require_GET
def meeting_index(request: HttpRequest) -> HttpResponse:
    series_pk = request.GET.get("series", "")
    series = MeetingSeries.objects.filter(pk=int(series_pk)).first() if series_pk.isdigit() else None
    page = Paginator(meeting_list(request.user, series=series), ROWS).get_page(request.GET.get("page"))
    return render(request, "coordination/meetings/index.html", {
        "series_rows": series_list(request.user), "series": series, "page": page,
        "can_record": meeting_recorder(request.user), "series_form": forms.SeriesForm(),
    })


@login_required
@require_POST
def series_create(request: HttpRequest) -> HttpResponse:
    form = forms.SeriesForm(request.POST)
    if form.is_valid():
        _write(request, lambda: services.series_create(user=request.user, **form.cleaned_data), _("Series created."))
    else:
        _form_errors(request, form)
    return redirect("meeting_index")


@login_required
def meeting_create(request: HttpRequest) -> HttpResponse:
    if not meeting_recorder(request.user):
        raise PermissionDenied
    series = get_object_or_404(MeetingSeries, pk=request.GET.get("series") or request.POST.get("series") or 0)
    form = forms.MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        made = {}
        if _write(request, lambda: made.setdefault("m", services.meeting_create(
                user=request.user, series=series, **form.cleaned_data)), _("Meeting created.")):
            return redirect("meeting_detail", pk=made["m"].pk)
    return render(request, "coordination/meetings/form.html", {"form": form, "series": series, "meeting": None})


@login_required
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    if not meeting_can_edit(request.user, meeting):
        raise PermissionDenied
    initial = {name: getattr(meeting, name) for name in forms.MeetingForm.base_fields}
    form = forms.MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if _write(request, lambda: services.meeting_edit(user=request.user, meeting=meeting, **form.cleaned_data),
                  _("Meeting saved.")):
            return redirect("meeting_detail", pk=meeting.pk)
    return render(request, "coordination/meetings/form.html", {"form": form, "series": meeting.series,
                                                               "meeting": meeting})


# --- the meeting page -----------------------------------------------------------------------------------


@login_required
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    language = get_language() or "ar"
    content = meeting_content(meeting=meeting, user=request.user, language=language, with_ids=True)
    editable = meeting_can_edit(request.user, meeting)
    changeable = {a.pk for a in meeting.actions.all() if action_can_change_status(request.user, a)}
    content["actions"] = [dict(a, can_change=a["id"] in changeable) for a in content["actions"]]
    return render(request, "coordination/meetings/detail.html", {
        "meeting": meeting, "content": content, "editable": editable,
        "discussion": bilingual_text(meeting.notes_ar, meeting.notes_en, language),
        "recorder": meeting_recorder(request.user),
        "can_send": meeting.is_frozen and meeting_recorder(request.user)
        and request.user.has_perm(report_services.SEND_PERMISSION),
        "live_figures": meeting_live_figures(meeting=meeting, user=request.user, language=language)
        if not content["is_live"] else None,
        "attendee_form": forms.AttendeeForm(), "decision_form": forms.DecisionForm(agenda=content["agenda"]),
        "action_form": forms.ActionForm(agenda=content["agenda"]), "status_form": forms.ActionStatusForm(),
    })


@login_required
@require_POST
def meeting_transition(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    form = forms.TransitionForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("meeting_detail", pk=pk)
    step, user = form.cleaned_data["step"], request.user
    calls = {
        "held": (lambda: services.meeting_mark_held(user=user, meeting=meeting), _("Meeting marked as held.")),
        "finalise": (lambda: services.meeting_finalise(user=user, meeting=meeting),
                     _("Meeting finalised: its figures are kept as of today.")),
        "reopen": (lambda: services.meeting_reopen(user=user, meeting=meeting, reason=form.cleaned_data["reason"]),
                   _("Meeting reopened for correction.")),
        "distributed": (lambda: services.meeting_mark_distributed(user=user, meeting=meeting),
                        _("Meeting marked as sent.")),
    }
    _write(request, *calls[step])
    return redirect("meeting_detail", pk=pk)


@login_required
@require_POST
def meeting_report_send(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a finalised meeting's report (each recipient once), then mark the meeting as sent."""
    meeting = _meeting(request, pk)
    if not meeting_recorder(request.user):
        raise PermissionDenied
    try:
        result = report_services.meeting_report_send(meeting_id=meeting.pk, user=request.user)
        if meeting.status == MeetingStatus.FINALISED and (result["sent"] or result["skipped"]):
            services.meeting_mark_distributed(user=request.user, meeting=meeting)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("meeting_detail", pk=pk)
    if not (result["sent"] or result["skipped"] or result["failed"]):
        messages.warning(request, _("No attendee has an e-mail address: nothing was sent."))
        return redirect("meeting_detail", pk=pk)
    counts = {"sent": len(result["sent"]), "skipped": len(result["skipped"]), "failed": len(result["failed"])}
    text = _("Report sent to %(sent)s recipients (%(skipped)s already had it, %(failed)s failed).") % {
        k: formatting.number_format(v) for k, v in counts.items()}
    (messages.warning if counts["failed"] else messages.success)(request, text)
    return redirect("meeting_detail", pk=pk)


@login_required
@require_POST
def attendee_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    form = forms.AttendeeForm(request.POST)
    if form.is_valid():
        _write(request, lambda: services.attendee_add(user=request.user, meeting=meeting, **form.cleaned_data),
               _("Attendee added."))
    else:
        _form_errors(request, form)
    return redirect(reverse("meeting_detail", args=[pk]) + "#attendees")


@login_required
@require_POST
def attendee_remove(request: HttpRequest, pk: int, attendee_pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    attendee = get_object_or_404(Attendee, pk=attendee_pk, meeting=meeting)
    _write(request, lambda: services.attendee_remove(user=request.user, attendee=attendee), _("Attendee removed."))
    return redirect(reverse("meeting_detail", args=[pk]) + "#attendees")


@login_required
@require_POST
def decision_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    agenda = meeting_content(meeting=meeting, user=request.user, language=get_language() or "ar", with_ids=True,
                             live_figures=False)["agenda"]
    form = forms.DecisionForm(request.POST, agenda=agenda)
    if form.is_valid():
        data = form.cleaned_data
        item = AgendaItem.objects.filter(meeting=meeting, pk=data["agenda_item"]).first() if data["agenda_item"] \
            else None
        _write(request, lambda: action_services.decision_record(
            user=request.user, meeting=meeting, text_ar=data["text_ar"], text_en=data["text_en"], agenda_item=item,
            links=forms.link_pairs(data["links"]), flag=form.flag_effect()), _("Decision recorded."))
    else:
        _form_errors(request, form)
    return redirect(reverse("meeting_detail", args=[pk]) + "#decisions")


@login_required
@require_POST
def action_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    agenda = meeting_content(meeting=meeting, user=request.user, language=get_language() or "ar", with_ids=True,
                             live_figures=False)["agenda"]
    form = forms.ActionForm(request.POST, agenda=agenda)
    if form.is_valid():
        data = dict(form.cleaned_data)
        links = forms.link_pairs(data.pop("links"))
        _write(request, lambda: action_services.action_record(user=request.user, meeting=meeting, links=links,
                                                              **data), _("Action recorded."))
    else:
        _form_errors(request, form)
    return redirect(reverse("meeting_detail", args=[pk]) + "#actions")


@login_required
@require_POST
def action_status(request: HttpRequest, action_pk: int) -> HttpResponse:
    action = get_object_or_404(actions_visible_to(request.user), pk=action_pk)
    form = forms.ActionStatusForm(request.POST)
    if form.is_valid():
        _write(request, lambda: action_services.action_status_change(
            user=request.user, action=action, status=form.cleaned_data["status"], note=form.cleaned_data["note"]),
            _("Action status changed."))
    else:
        _form_errors(request, form)
    back = request.POST.get("next", "")
    if back == "actions":
        return redirect("action_index")
    return redirect(reverse("meeting_detail", args=[action.meeting_id]) + "#actions")


# --- the agenda builder ---------------------------------------------------------------------------------


@login_required
def agenda_builder(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    if not meeting_can_edit(request.user, meeting):
        raise PermissionDenied
    filter_form = forms.ProposalFilterForm(request.GET or None)
    filters = filter_form.filters()
    item_form = forms.AgendaItemForm(request.POST or None)
    if request.method == "POST" and item_form.is_valid():
        data = dict(item_form.cleaned_data)
        links = item_form.links()
        for name in ("municipalities", "sectors", "partners"):
            data.pop(name)
        if _write(request, lambda: services.agenda_item_add(user=request.user, meeting=meeting, links=links, **data),
                  _("Agenda item added.")):
            return redirect(request.get_full_path())
    language = get_language() or "ar"
    proposals = agenda_proposals_for_meeting(user=request.user, meeting=meeting, filters=filters)
    for p in proposals:
        p["title"] = p[f"title_{'ar' if language.startswith('ar') else 'en'}"]
        p["source_label"] = AgendaItem.Source(p["source"]).label
    content = meeting_content(meeting=meeting, user=request.user, language=language, with_ids=True,
                              live_figures=False)
    return render(request, "coordination/meetings/agenda.html", {
        "meeting": meeting, "content": content, "proposals": proposals, "filter_form": filter_form,
        "item_form": item_form, "query": request.GET.urlencode(),
    })


def _back_to_builder(request: HttpRequest, pk: int) -> HttpResponse:
    query = request.POST.get("query", "")
    return redirect(reverse("meeting_agenda", args=[pk]) + (f"?{query}" if query and "\n" not in query else ""))


@login_required
@require_POST
def agenda_accept(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    filters = forms.ProposalFilterForm(_query_dict(request.POST.get("query", ""))).filters()
    key = request.POST.get("key", "")
    _write(request, lambda: services.agenda_proposal_accept(user=request.user, meeting=meeting, key=key,
                                                            filters=filters), _("Put on the agenda."))
    return _back_to_builder(request, pk)


def _query_dict(query: str) -> QueryDict:
    return QueryDict(query)


@login_required
@require_POST
def agenda_drop(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    key = request.POST.get("key", "")
    _write(request, lambda: services.agenda_proposal_drop(user=request.user, meeting=meeting, key=key),
           _("Proposal dropped."))
    return _back_to_builder(request, pk)


@login_required
@require_POST
def agenda_move(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """Move an agenda item one place up or down (or remove it)."""
    meeting = _meeting(request, pk)
    item = get_object_or_404(AgendaItem, pk=item_pk, meeting=meeting)
    direction = request.POST.get("direction", "")
    if direction == "remove":
        _write(request, lambda: services.agenda_item_remove(user=request.user, item=item), _("Agenda item removed."))
        return _back_to_builder(request, pk)
    ids = list(meeting.agenda_items.order_by("order", "pk").values_list("pk", flat=True))
    at = ids.index(item.pk)
    other = at - 1 if direction == "up" else at + 1
    if 0 <= other < len(ids):
        ids[at], ids[other] = ids[other], ids[at]
        _write(request, lambda: services.agenda_reorder(user=request.user, meeting=meeting, item_ids=ids),
               _("Agenda reordered."))
    return _back_to_builder(request, pk)


# --- actions across meetings, and the invitation -------------------------------------------------------------


@login_required
@require_GET
def action_index(request: HttpRequest) -> HttpResponse:
    choices = [(row["series"].pk, row["title"]) for row in series_list(request.user)]
    form = forms.ActionFilterForm(request.GET or None, series_choices=choices)
    today = timezone.localdate()
    page = Paginator(action_list(request.user, filters=form.filters(), today=today), ROWS).get_page(
        request.GET.get("page"))
    # An action owned by a partner may be followed in a meeting the partner may not see yet (a planned one it
    # was carried over to): the row then names the series and the date, not the meeting.
    shown = set(meetings_visible_to(request.user).filter(pk__in={a.meeting_id for a in page})
                .values_list("pk", flat=True))
    for action in page:
        action.can_change = action_can_change_status(request.user, action)
        action.meeting_shown = action.meeting_id in shown
    return render(request, "coordination/meetings/actions.html", {
        "form": form, "page": page, "status_form": forms.ActionStatusForm(), "today": today,
        "query": request.GET.urlencode(),
    })


@login_required
@require_GET
def meeting_invitation(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    title = bilingual_text(meeting.title_ar, meeting.title_en) or str(meeting.series)
    if meeting.number:
        title = f"{title} #{meeting.number}"
    body = ics_text(uid=f"meeting-{meeting.pk}@tansiq", title=title, day=meeting.date, start=meeting.start_time,
                    end=meeting.end_time, place=meeting.place, url=meeting.online_link,
                    description=bilingual_text(meeting.notes_ar, meeting.notes_en)[:2000],
                    zone=settings.TIME_ZONE, stamp=meeting.updated_at, sequence=meeting.reopened_count)
    response = HttpResponse(body.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response
