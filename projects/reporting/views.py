"""HTML pages of project reporting: the reporting calendar, the files of an update, the partner scorecards.

Thin: reads through projects.selectors and projects.reporting, writes through the reporting services,
which check the permissions themselves. A record the user may not see answers 404, as in the API.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import SecurityEvent
from accounts.services import security_event_record
from projects.models import ProjectUpdate
from projects.models.reporting import UpdateAttachment
from projects.permissions import update_can_edit, user_oversees, user_partner_id
from projects.reporting.filetypes import ACCEPTED_EXTENSIONS
from projects.reporting.selectors.attachments import update_attachment_visible
from projects.reporting.selectors.reports import overdue_reports, partner_reports_due
from projects.reporting.selectors.scorecard import partner_scorecard, partner_scorecards
from projects.reporting.services.attachments import update_attachment_add, update_attachment_remove, update_attachments
from projects.selectors.projects import updates_visible_to

PAGE_SIZE = 25


class AttachmentForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"))
    description = forms.CharField(label=gettext_lazy("Description"), max_length=300, required=False)


def _visible_update(user, pk: int) -> ProjectUpdate:
    return get_object_or_404(updates_visible_to(user).select_related("project", "project__reporting_partner"), pk=pk)


@login_required
@require_GET
def reporting_calendar(request: HttpRequest) -> HttpResponse:
    """A focal point: their partner's upcoming and overdue reports. The ministry: overdue reports of all partners."""
    today = timezone.localdate()
    partner_id = user_partner_id(request.user)
    context = {"today": today}
    if user_oversees(request.user):
        context["overdue"] = (Paginator(overdue_reports(today=today), PAGE_SIZE).get_page(
            request.GET.get("page")))
        context["ministry"] = True
    elif partner_id is not None:
        due = partner_reports_due(partner_id=partner_id, today=today)
        context["overdue"] = (Paginator(due["overdue"], PAGE_SIZE).get_page(request.GET.get("page")))
        context["upcoming"] = (Paginator(due["upcoming"], PAGE_SIZE).get_page(
            request.GET.get("upcoming_page")))
        context["partner"] = request.user.focal_point.partner
    else:
        raise PermissionDenied
    return render(request, "projects/reporting/calendar.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def attachment_list(request: HttpRequest, pk: int) -> HttpResponse:
    """An update's files: list, download links, and (while the update is editable) upload and remove."""
    update = _visible_update(request.user, pk)
    can_edit = update_can_edit(request.user, update)
    form = AttachmentForm()
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        form = AttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                update_attachment_add(update=update, user=request.user, upload=form.cleaned_data["file"],
                                      description=form.cleaned_data["description"])
            except ValidationError as exc:
                for field_name, errors in exc.message_dict.items():
                    form.add_error(field_name if field_name in form.fields else None, errors)
            else:
                messages.success(request, _("The file is attached."))
                return redirect("update_attachments", pk=update.pk)
        status = 400
    return render(request, "projects/reporting/attachments.html", {
        "update": update, "attachments": update_attachments(update), "form": form, "can_edit": can_edit,
        "accepted": ", ".join(f".{ext}" for ext in ACCEPTED_EXTENSIONS),
    }, status=status)


@login_required
@require_POST
def attachment_remove(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    attachment = update_attachment_visible(request.user, update_id=pk, pk=attachment_pk)
    if attachment is None:
        raise Http404
    update_attachment_remove(attachment=attachment, user=request.user)
    messages.success(request, _("The file is removed."))
    return redirect("update_attachments", pk=pk)


def attachment_response(request, attachment: UpdateAttachment) -> FileResponse:
    """The file as a download that the browser neither renders nor sniffs (shared with the API); recorded in the
    security log, as attachments may be confidential."""
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404(_("The file is missing from the store.")) from None
    security_event_record(kind=SecurityEvent.Kind.CONFIDENTIAL_DOWNLOAD, request=request,
                          object_ref=f"{attachment._meta.label_lower}:{attachment.pk}", detail=attachment.original_name)
    response = FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    attachment = update_attachment_visible(request.user, update_id=pk, pk=attachment_pk)
    if attachment is None:
        raise Http404
    return attachment_response(request, attachment)


def _scorecard_scope(user) -> list[int] | None:
    """None: every partner (the ministry); a list: the focal point's own partner."""
    if user_oversees(user):
        return None
    partner_id = user_partner_id(user)
    if partner_id is None:
        raise PermissionDenied
    return [partner_id]


@login_required
@require_GET
def scorecard_list(request: HttpRequest) -> HttpResponse:
    scope = _scorecard_scope(request.user)
    cards = partner_scorecards(partner_ids=scope)
    page = Paginator(cards, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "projects/reporting/scorecard_list.html", {"page": page})


@login_required
@require_GET
def scorecard_detail(request: HttpRequest, partner_id: int) -> HttpResponse:
    scope = _scorecard_scope(request.user)
    if scope is not None and partner_id not in scope:
        raise Http404
    card = partner_scorecard(partner_id=partner_id)
    if card is None:
        raise Http404
    data = card.as_dict()
    return render(request, "projects/reporting/scorecard_detail.html", {
        "card": card, "data": data,
        "project_fields": _labelled(data["project_fields"], PROJECT_FIELD_LABELS),
        "update_fields": _labelled(data["update_fields"], UPDATE_FIELD_LABELS),
    })


PROJECT_FIELD_LABELS = {
    "titles": gettext_lazy("Titles in Arabic and English"), "sector": gettext_lazy("Sector"),
    "municipality": gettext_lazy("Municipality"), "budget": gettext_lazy("Budget"),
    "dates": gettext_lazy("Planned dates"), "iati_identifier": gettext_lazy("IATI identifier"),
    "beneficiaries_targeted": gettext_lazy("Beneficiaries targeted"),
}
UPDATE_FIELD_LABELS = {
    "narrative": gettext_lazy("Narrative"), "spend": gettext_lazy("Spend to date"),
    "beneficiaries": gettext_lazy("Beneficiaries reached"),
    "problems": gettext_lazy("Problems (when the work is suspended or cancelled)"),
}


def _labelled(values: dict, labels: dict) -> list[tuple[str, float | None]]:
    return [(labels[name], value) for name, value in values.items()]
