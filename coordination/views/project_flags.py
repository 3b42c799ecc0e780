"""The flags about one project, as a fragment of the project's page (loaded by htmx, or opened alone).

Thin: the project must be one the reader may see (else 404), and what of its flags they may see is
decided by ``coordination.selectors.project_flags``. It lives here, not in ``projects``, because the
flags are the committee's: ``projects`` sits below ``coordination`` and does not import it."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from coordination.selectors.alignment import project_alignment as project_alignment_rows
from coordination.selectors.project_flags import project_flags as project_flag_rows
from projects.selectors.projects import projects_visible_to


@login_required
@require_GET
def project_flags(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(projects_visible_to(request.user), pk=pk)
    return render(request, "projects/includes/project_flags.html", {
        "project": project, "flags": project_flag_rows(request.user, project),
    })


@login_required
@require_GET
def project_alignment(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan objectives the project serves (confirmed and suggested), a fragment of its page."""
    project = get_object_or_404(projects_visible_to(request.user), pk=pk)
    return render(request, "projects/includes/project_alignment.html", {
        "project": project, "objectives": project_alignment_rows(request.user, project),
    })
