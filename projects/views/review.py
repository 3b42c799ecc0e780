"""The ministry's review: the queue of submitted projects and updates, and the accept / return decision."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.bilingual import bilingual_text
from projects import services
from projects.forms import (
    ReviewForm,
    ReviewSearchForm,
)
from projects.models import Project, ProjectUpdate
from projects.permissions import (
    project_can_review,
    update_can_review,
)
from projects.selectors import projects as selectors
from projects.views.pages import (
    PAGE_SIZE,
    form_add_service_errors,
    is_htmx,
    require_or_403,
    safe_back_url,
    visible_update_or_404,
)

# --- review -----------------------------------------------------------------------------------


def _queue_row(row: dict[str, Any], partners: dict[int, str]) -> dict[str, Any]:
    return {**row, "title": bilingual_text(row["item_title_ar"], row["item_title_en"]), "partner": partners.get(row["item_partner"], "")}


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    require_or_403(selectors.user_reviews(request.user))
    search = ReviewSearchForm(request.GET)
    text = search.cleaned_data["q"] if search.is_valid() else ""
    queue = selectors.ReviewQueueRows(request.user, search=text, newest_first=True)
    page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    partners = selectors.review_queue_partner_names(rows)
    return render(request, "projects/review/queue.html", {
        "page": page, "rows": [_queue_row(row, partners) for row in rows], "review_form": ReviewForm(),
        "search": search, "query": urlencode({"q": text}) if text else "",
    })


def _row_from_record(kind: str, record: Project | ProjectUpdate) -> dict[str, Any]:
    project = record if isinstance(record, Project) else record.project
    partner = project.reporting_partner if isinstance(record, Project) else record.partner
    return {"kind": kind, "item_id": record.pk, "item_project": project.pk, "title": str(project),
            "partner": str(partner), "item_submitted_at": record.submitted_at,
            "item_submitted_by": record.submitted_by.get_username() if record.submitted_by else ""}


def _review(request: HttpRequest, *, kind: str, record: Project | ProjectUpdate, detail_url: str) -> HttpResponse:
    form = ReviewForm(request.POST)
    outcome = None
    if form.is_valid():
        decide = services.project_review if kind == "project" else services.project_update_review
        try:
            record = decide(**{kind: record}, user=request.user, decision=form.cleaned_data["decision"],
                            comment=form.cleaned_data["comment"])
        except ValidationError as exc:
            form_add_service_errors(exc, form)
        else:
            outcome = record.get_state_display()
    if is_htmx(request):
        # The queue swaps the row in place: the outcome, or the form again with its error.
        return render(request, "projects/review/_row.html", {
            "row": _row_from_record(kind, record), "form": form, "outcome": outcome,
            "next": safe_back_url(request, reverse("review_queue")),
        })
    if outcome:
        messages.success(request, _("Decision recorded: %(state)s.") % {"state": outcome})
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(safe_back_url(request, detail_url))


@login_required
@require_POST
def project_review(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(selectors.projects_visible_to(request.user), pk=pk)
    require_or_403(project_can_review(request.user, project))
    return _review(request, kind="project", record=project, detail_url=reverse("project_detail", args=[pk]))


@login_required
@require_POST
def update_review(request: HttpRequest, pk: int) -> HttpResponse:
    update = visible_update_or_404(request, pk)
    require_or_403(update_can_review(request.user, update))
    return _review(request, kind="update", record=update, detail_url=reverse("update_detail", args=[pk]))
