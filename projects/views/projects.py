"""HTML pages of projects: list, file, create, edit, submit.

Thin: forms read the input, ``projects.services`` make every write (and check the permissions
again), ``projects.selectors`` make every read.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects import services
from projects.forms import (
    LocationRows,
    ProjectFilterForm,
    ProjectForm,
    ReviewForm,
    SectorRows,
    location_initial,
    municipality_choices,
    sector_choices,
    sector_initial,
)
from projects.models import Project
from projects.permissions import (
    project_can_create,
    project_can_edit,
    project_can_review,
    project_can_submit,
    project_review_notes_visible,
    update_can_create,
    user_partner_id,
)
from projects.project_rows import (
    ObjectivesForm,
    ParticipationRows,
    SiteRows,
    municipality_ids_posted,
    participation_initial,
    partner_choices,
    rows_posted,
    site_initial,
)
from projects.selectors import projects as selectors
from projects.selectors.history import project_history
from projects.selectors.money import exchange_rate_table
from projects.selectors.project_pages import (
    PROJECT_SORT_DEFAULT,
    PROJECT_SORTS,
    project_amount_usd,
    project_budget_usd,
    project_map_data,
    project_page,
    project_sort,
)
from projects.views.pages import (
    PAGE_SIZE,
    form_add_service_errors,
    require_or_403,
)

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
    rates = exchange_rate_table()
    projects = selectors.project_filter(selectors.project_list_rows(user), user=user, filters=chosen)
    projects = project_sort(projects, chosen.get("sort"), rates=rates)
    page = project_page(projects, request.GET.get("page"), per_page=PAGE_SIZE)
    for project in page:
        project.budget_usd = project_budget_usd(project, rates)
        project.began = project.actual_start or project.planned_start
        project.ended = project.actual_end or project.planned_end
    keep = data.copy()
    keep.pop("page", None)
    return render(request, "projects/project_list.html", {
        "form": form, "page": page, "query": keep.urlencode(),
        "can_create": project_can_create(user, user_partner_id(user)),
        "active_from": chosen.get("active_from"), "active_to": chosen.get("active_to"),
        "sort": chosen.get("sort") or PROJECT_SORT_DEFAULT, "sort_links": _sort_links(keep, chosen.get("sort")),
    })


def _sort_links(query: QueryDict, current: str | None) -> dict[str, dict[str, str]]:
    """For each sortable column: the list's URL query sorted by it (the other way round when it is the
    current order) and the arrow showing the current direction."""
    current = current or PROJECT_SORT_DEFAULT
    links = {}
    for key in PROJECT_SORTS:
        wanted = f"-{key}" if current == key else key
        if key in ("updated", "budget") and current not in (key, f"-{key}"):
            wanted = f"-{key}"  # the newest change and the largest budget first, as one expects
        params = query.copy()
        params["sort"] = wanted
        arrow = "▲" if current == key else "▼" if current == f"-{key}" else ""
        links[key] = {"query": params.urlencode(), "arrow": arrow}
    return links


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    project = get_object_or_404(selectors.project_detail_queryset(user), pk=pk)
    rates = exchange_rate_table()
    return render(request, "projects/project_detail.html", {
        "project": project,
        "budget_usd": project_budget_usd(project, rates),
        "spend_usd": project_amount_usd(project, project.spend_to_date, rates),
        "map_data": project_map_data(project), "tiles": settings.LEAFLET_CONFIG.get("TILES", []),
        "updates": selectors.project_updates_visible(user, project),
        "can_edit": project_can_edit(user, project),
        "can_submit": project_can_submit(user, project),
        "can_review": project_can_review(user, project),
        "can_add_update": update_can_create(user, project),
        "review_form": ReviewForm(),
        "history": project_history(project, user=user),
        "show_review": project_review_notes_visible(user, project),
    })


def _project_form_parts(request: HttpRequest, project: Project | None) -> dict[str, Any]:
    """The form and its repeated parts, bound to the POST when there is one. The partners, sites and objectives
    whose rows the request does not carry (``rows_posted``) are shown unbound and left as they are by the save."""
    data = request.POST if request.method == "POST" else None

    def rows(kind: Any, prefix: str, initial: Any, choices: list, *, optional: bool = True) -> Any:
        # The sectors and places are always read: a project is refused without its sector rows.
        bound = data if data is None or not optional or rows_posted(data, prefix) else None
        formset = kind(bound, prefix=prefix, choices=choices, initial=initial(project) if project else None)
        formset.skipped = data is not None and bound is None
        return formset

    places_choices = municipality_choices()
    parts = {
        "form": ProjectForm(data, instance=project, user=request.user),
        "sectors": rows(SectorRows, "sectors", sector_initial, sector_choices(), optional=False),
        "places": rows(LocationRows, "places", location_initial, places_choices, optional=False),
        "partners": rows(ParticipationRows, "partners", participation_initial, partner_choices()),
        "sites": rows(SiteRows, "sites", site_initial, places_choices),
    }
    posted_objectives = data is not None and "objectives-shown" in data
    ids = municipality_ids_posted(parts["places"], project)  # a skipped part is unbound: the project's own
    parts["objectives"] = ObjectivesForm(data if posted_objectives else None, prefix="objectives",
                                         municipality_ids=ids, initial={"plan_objectives": [
                                             str(pk) for pk in project.plan_objectives.values_list("pk", flat=True)]
                                         } if project else None)
    parts["objectives"].skipped = data is not None and not posted_objectives
    return parts


def _part_valid(part: Any) -> bool:
    return getattr(part, "skipped", False) or part.is_valid()


def _project_form_page(request: HttpRequest, project: Project | None) -> HttpResponse:
    user = request.user
    parts = _project_form_parts(request, project)
    form = parts["form"]
    if request.method == "POST" and all([_part_valid(part) for part in parts.values()]):
        def given(name: str) -> Any:
            part = parts[name]
            return None if getattr(part, "skipped", False) else part.service_rows()

        related = {"sectors": given("sectors"), "locations": given("places"), "participations": given("partners"),
                   "sites": given("sites"), "plan_objectives": given("objectives")}
        try:
            if project is None:
                saved = services.project_create(user=user, fields=form.service_fields(), **related)
            else:
                saved = services.project_edit(project=project, user=user, fields=form.service_fields(), **related)
        except ValidationError as exc:
            form_add_service_errors(exc, form)
        else:
            messages.success(request, _("The project was saved.") if project else _("The project was created."))
            return redirect("project_detail", pk=saved.pk)
    return render(request, "projects/project_form.html", {
        **parts, "project": project, "tiles": settings.LEAFLET_CONFIG.get("TILES", []),
        "has_errors": request.method == "POST",
    }, status=400 if request.method == "POST" else 200)


@login_required
def project_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_or_403(project_can_create(user, user_partner_id(user)))  # the ministry's admin may create for anyone
    return _project_form_page(request, None)


@login_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(selectors.projects_visible_to(request.user), pk=pk)
    require_or_403(project_can_edit(request.user, project))
    return _project_form_page(request, project)


@login_required
@require_POST
def project_submit(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(selectors.projects_visible_to(request.user), pk=pk)
    require_or_403(project_can_submit(request.user, project))
    services.project_submit(project=project, user=request.user)
    messages.success(request, _("The project was sent to the ministry for review."))
    return redirect("project_detail", pk=project.pk)
