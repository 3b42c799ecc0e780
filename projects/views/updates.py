"""HTML pages of project updates: a focal point's periodic report, written, shown and submitted."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects import services
from projects.forms import (
    ReviewForm,
    UpdateForm,
    UpdateSiteRows,
    municipality_choices,
    update_site_initial,
)
from projects.models import Project, ProjectUpdate
from projects.permissions import (
    update_can_create,
    update_can_edit,
    update_can_review,
    update_can_submit,
    update_review_notes_visible,
)
from projects.selectors import projects as selectors
from projects.selectors.history import update_history
from projects.views.pages import (
    form_add_service_errors,
    require_or_403,
    visible_update_or_404,
)

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
            form_add_service_errors(exc, form)
        else:
            messages.success(request, _("The update was saved."))
            return redirect("update_detail", pk=saved.pk)
    return render(request, "projects/updates/form.html", {
        "form": form, "sites": sites, "project": project, "update": update,
    }, status=400 if data is not None else 200)


@login_required
def update_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(selectors.projects_visible_to(request.user).select_related("reporting_partner"), pk=pk)
    require_or_403(update_can_create(request.user, project))
    return _update_form_page(request, project, None)


@login_required
def update_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    update = visible_update_or_404(request, pk)
    return render(request, "projects/updates/detail.html", {
        "update": update, "project": update.project,
        "can_edit": update_can_edit(user, update),
        "can_submit": update_can_submit(user, update),
        "can_review": update_can_review(user, update),
        "review_form": ReviewForm(),
        "new_sites": update.new_sites.select_related("municipality").order_by("pk"),
        "history": update_history(update, user=user),
        "show_review": update_review_notes_visible(user, update),
    })


@login_required
def update_edit(request: HttpRequest, pk: int) -> HttpResponse:
    update = visible_update_or_404(request, pk)
    require_or_403(update_can_edit(request.user, update))
    return _update_form_page(request, update.project, update)


@login_required
@require_POST
def update_submit(request: HttpRequest, pk: int) -> HttpResponse:
    update = visible_update_or_404(request, pk)
    require_or_403(update_can_submit(request.user, update))
    services.project_update_submit(update=update, user=request.user)
    messages.success(request, _("The update was sent to the ministry for review."))
    return redirect("update_detail", pk=update.pk)
