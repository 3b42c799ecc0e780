"""HTML pages of projects, their updates and the ministry's review queue.

Thin: forms read the input, ``projects.services`` make every write (and check the permissions
again), ``projects.selectors`` make every read. A record the user may not see is a 404 (its
existence is not revealed); an action they may not take on a record they see is a 403.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import selectors, services
from .forms import (
    LanguageForm,
    LocationRows,
    ProjectFilterForm,
    ProjectForm,
    ReviewForm,
    SectorRows,
    UpdateForm,
    UpdateSiteRows,
    location_initial,
    municipality_choices,
    sector_choices,
    sector_initial,
    update_site_initial,
)
from .history import record_history
from .models import Project, ProjectUpdate
from .permissions import (
    project_can_create,
    project_can_edit,
    project_can_review,
    project_can_submit,
    update_can_create,
    update_can_edit,
    update_can_review,
    update_can_submit,
    user_partner_id,
)

PAGE_SIZE = 25


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _back(request: HttpRequest, default: str) -> str:
    """Where a POST returns to: the page it came from when that is on this site."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


def _service_errors(exc: ValidationError, form: Any) -> None:
    """Put a service's refusal next to the field it is about (or above the form)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


# --- projects ---------------------------------------------------------------------------------


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    focal_point = user_partner_id(user) is not None
    data: QueryDict = request.GET.copy()
    if focal_point and not data.get("scope"):
        data["scope"] = "mine"  # a focal point starts from their partner's records
    form = ProjectFilterForm(data, focal_point=focal_point)
    form.is_valid()  # the valid filters apply; a bad one is shown next to its field
    chosen = form.cleaned_data
    projects = selectors.project_filter(selectors.project_list_page(user), user=user, filters=chosen)
    page = Paginator(projects.order_by("-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    keep = data.copy()
    keep.pop("page", None)
    return render(request, "projects/project_list.html", {
        "form": form, "page": page, "query": keep.urlencode(),
        "can_create": project_can_create(user, user_partner_id(user)),
    })


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    project = get_object_or_404(selectors.project_detail_queryset(user), pk=pk)
    full = selectors.history_in_full(user, project)
    return render(request, "projects/project_detail.html", {
        "project": project,
        "updates": selectors.project_updates_visible(user, project),
        "can_edit": project_can_edit(user, project),
        "can_submit": project_can_submit(user, project),
        "can_review": project_can_review(user, project),
        "can_add_update": update_can_create(user, project),
        "review_form": ReviewForm(),
        "history": record_history(project, user=user, full=full),
        "show_review": full,
    })


def _project_form_page(request: HttpRequest, project: Project | None) -> HttpResponse:
    user = request.user
    data = request.POST if request.method == "POST" else None
    form = ProjectForm(data, instance=project, user=user)
    sectors = SectorRows(data, prefix="sectors", choices=sector_choices(),
                         initial=sector_initial(project) if project else None)
    places = LocationRows(data, prefix="places", choices=municipality_choices(),
                          initial=location_initial(project) if project else None)
    if data is not None and all([form.is_valid(), sectors.is_valid(), places.is_valid()]):
        related = {"sectors": sectors.service_rows(), "locations": places.service_rows()}
        try:
            if project is None:
                saved = services.project_create(user=user, fields=form.service_fields(), **related)
            else:
                saved = services.project_edit(project=project, user=user, fields=form.service_fields(), **related)
        except ValidationError as exc:
            _service_errors(exc, form)
        else:
            messages.success(request, _("The project was saved.") if project else _("The project was created."))
            return redirect("project_detail", pk=saved.pk)
    return render(request, "projects/project_form.html", {
        "form": form, "sectors": sectors, "places": places, "project": project,
    }, status=400 if data is not None else 200)


@login_required
def project_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require(project_can_create(user, user_partner_id(user)))  # the ministry's admin may create for anyone
    return _project_form_page(request, None)


@login_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(selectors.projects_visible_to(request.user), pk=pk)
    _require(project_can_edit(request.user, project))
    return _project_form_page(request, project)


@login_required
@require_POST
def project_submit(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(selectors.projects_visible_to(request.user), pk=pk)
    _require(project_can_submit(request.user, project))
    services.project_submit(project=project, user=request.user)
    messages.success(request, _("The project was sent to the ministry for review."))
    return redirect("project_detail", pk=project.pk)


# --- updates ----------------------------------------------------------------------------------


def _update_form_page(request: HttpRequest, project: Project, update: ProjectUpdate | None) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = UpdateForm(data, instance=update, project=project)
    # A post without the site rows (an older form, a script) leaves the update's new sites as they are.
    sites_posted = data is not None and "sites-TOTAL_FORMS" in data
    sites = UpdateSiteRows(data if sites_posted else None, prefix="sites", choices=municipality_choices(),
                           initial=update_site_initial(update) if update else None)
    if data is not None and all([form.is_valid(), not sites_posted or sites.is_valid()]):
        new_sites = sites.service_rows() if sites_posted else None
        try:
            if update is None:
                saved = services.project_update_create(project=project, user=request.user,
                                                       fields=form.service_fields(), new_sites=new_sites)
            else:
                saved = services.project_update_edit(update=update, user=request.user, fields=form.service_fields(),
                                                     new_sites=new_sites)
        except ValidationError as exc:
            _service_errors(exc, form)
        else:
            messages.success(request, _("The update was saved."))
            return redirect("update_detail", pk=saved.pk)
    return render(request, "projects/update_form.html", {
        "form": form, "sites": sites, "project": project, "update": update,
    }, status=400 if data is not None else 200)


@login_required
def update_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(selectors.projects_visible_to(request.user).select_related("reporting_partner"), pk=pk)
    _require(update_can_create(request.user, project))
    return _update_form_page(request, project, None)


def _visible_update(request: HttpRequest, pk: int) -> ProjectUpdate:
    return get_object_or_404(selectors.update_list(request.user), pk=pk)


@login_required
def update_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    update = _visible_update(request, pk)
    full = selectors.history_in_full(user, update.project)
    return render(request, "projects/update_detail.html", {
        "update": update, "project": update.project,
        "can_edit": update_can_edit(user, update),
        "can_submit": update_can_submit(user, update),
        "can_review": update_can_review(user, update),
        "review_form": ReviewForm(),
        "new_sites": update.new_sites.select_related("municipality").order_by("pk"),
        "history": record_history(update, user=user, full=full),
        "show_review": full,
    })


@login_required
def update_edit(request: HttpRequest, pk: int) -> HttpResponse:
    update = _visible_update(request, pk)
    _require(update_can_edit(request.user, update))
    return _update_form_page(request, update.project, update)


@login_required
@require_POST
def update_submit(request: HttpRequest, pk: int) -> HttpResponse:
    update = _visible_update(request, pk)
    _require(update_can_submit(request.user, update))
    services.project_update_submit(update=update, user=request.user)
    messages.success(request, _("The update was sent to the ministry for review."))
    return redirect("update_detail", pk=update.pk)


# --- review -----------------------------------------------------------------------------------


def _queue_row(row: dict[str, Any], partners: dict[int, str]) -> dict[str, Any]:
    first, second = row["item_title_ar"], row["item_title_en"]
    if not (get_language() or "ar").startswith("ar"):
        first, second = second, first
    return {**row, "title": first or second, "partner": partners.get(row["item_partner"], "")}


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    _require(selectors.user_reviews(request.user))
    page = Paginator(selectors.review_queue(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    partners = selectors.review_queue_partner_names(rows)
    return render(request, "projects/review_queue.html", {
        "page": page, "rows": [_queue_row(row, partners) for row in rows], "review_form": ReviewForm(),
    })


def _row_from_record(kind: str, record: Project | ProjectUpdate) -> dict[str, Any]:
    project = record if isinstance(record, Project) else record.project
    return {"kind": kind, "item_id": record.pk, "item_project": project.pk, "title": str(project),
            "partner": str(project.reporting_partner), "item_submitted_at": record.submitted_at,
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
            _service_errors(exc, form)
        else:
            outcome = record.get_state_display()
    if _is_htmx(request):
        # The queue swaps the row in place: the outcome, or the form again with its error.
        return render(request, "projects/_review_row.html", {
            "row": _row_from_record(kind, record), "form": form, "outcome": outcome,
            "next": _back(request, reverse("review_queue")),
        })
    if outcome:
        messages.success(request, _("Decision recorded: %(state)s.") % {"state": outcome})
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(_back(request, detail_url))


@login_required
@require_POST
def project_review(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(selectors.projects_visible_to(request.user), pk=pk)
    _require(project_can_review(request.user, project))
    return _review(request, kind="project", record=project, detail_url=reverse("project_detail", args=[pk]))


@login_required
@require_POST
def update_review(request: HttpRequest, pk: int) -> HttpResponse:
    update = _visible_update(request, pk)
    _require(update_can_review(request.user, update))
    return _review(request, kind="update", record=update, detail_url=reverse("update_detail", args=[pk]))


# --- API token --------------------------------------------------------------------------------


@never_cache
@login_required
def api_token(request: HttpRequest) -> HttpResponse:
    """Create or renew (the key is shown in this response only), or revoke, one's API token; a focal point also
    chooses here the language of the reminder e-mails they receive."""
    from rest_framework.authtoken.models import Token

    key = None
    focal_point = getattr(request.user, "focal_point", None)
    language_form = LanguageForm(initial={"language": focal_point.language or settings.LANGUAGE_CODE}) \
        if focal_point else None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "language" and focal_point is not None:
            language_form = LanguageForm(request.POST)
            if language_form.is_valid():
                services.focal_point_set_language(user=request.user, language=language_form.cleaned_data["language"])
                messages.success(request, _("Your e-mail language was saved."))
                return redirect("api_token")
            return render(request, "projects/api_token.html", {
                "key": None, "token": Token.objects.filter(user=request.user).only("created").first(),
                "language_form": language_form}, status=400)
        if action == "renew":
            key = services.api_token_renew(user=request.user).key
        elif action == "revoke":
            if services.api_token_revoke(user=request.user):
                messages.success(request, _("Your API token was revoked: scripts using it no longer get in."))
            return redirect("api_token")
        else:
            messages.error(request, _("Choose to create a new token or to revoke the current one."))
            return redirect("api_token")
    token = Token.objects.filter(user=request.user).only("created").first()
    return render(request, "projects/api_token.html", {"key": key, "token": token, "language_form": language_form})
