"""Pages of alignment with the development plans: plans, a plan, the plans upload, the alignment flag
queue, and a project's objectives to confirm or reject. Thin: forms in, services and selectors out."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coordination.alignment_forms import (
    AlignmentFlagFilterForm,
    AlignmentFlagReviewForm,
    ObjectiveLinkDecisionForm,
    PlanFilterForm,
    PlanUploadForm,
)
from coordination.models import ObjectiveLink
from coordination.selectors import alignment as selectors
from coordination.selectors.flags import flag_decision_for

PLAN_UPLOAD_PERMISSION = "municipalities.add_developmentplan"


def _reason_texts(reasons: list[dict], language: str) -> list[str]:
    key = "ar" if language.startswith("ar") else "en"
    return [r.get(key) or r.get("en") or r.get("code", "") for r in reasons]


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    form = PlanFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(selectors.plan_list(request.user, filters), 50).get_page(request.GET.get("page"))
    return render(request, "coordination/plan_list.html", {
        "form": form, "page": page, "can_upload": request.user.has_perm(PLAN_UPLOAD_PERMISSION)})


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(selectors.plans_visible_to(request.user).select_related("municipality", "sector"), pk=pk)
    return render(request, "coordination/plan_detail.html", selectors.plan_detail(request.user, plan))


@login_required
def plan_upload(request: HttpRequest) -> HttpResponse:
    from municipalities.plans_import import MAX_BYTES, PlansImportError, plans_import

    if not request.user.has_perm(PLAN_UPLOAD_PERMISSION):
        raise PermissionDenied
    form = PlanUploadForm(request.POST or None, request.FILES or None)
    report, errors = None, []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            errors = [_("The file is larger than 10 MB.")]
        else:
            try:
                report = plans_import(data=upload.read(), name=upload.name, dry_run=form.cleaned_data["dry_run"],
                                      user=request.user)
            except PlansImportError as exc:
                errors = [str(e) for e in exc.errors[:200]]
    return render(request, "coordination/plan_upload.html", {"form": form, "report": report, "errors": errors})


@login_required
def alignment_flag_list(request: HttpRequest) -> HttpResponse:
    if not selectors.alignment_flags_stored_for(request.user):
        raise PermissionDenied
    form = AlignmentFlagFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(selectors.alignment_flag_list(request.user, filters), 25).get_page(request.GET.get("page"))
    for flag in page:
        flag.reason_texts = _reason_texts(flag.reasons, request.LANGUAGE_CODE)
        flag.decision = flag_decision_for(request.user, flag)
    return render(request, "coordination/alignment_flag_list.html", {
        "form": form, "page": page, "review_form": AlignmentFlagReviewForm(),
        "can_review": request.user.has_perm("coordination.change_alignmentflag")})


@login_required
@require_POST
def alignment_flag_review(request: HttpRequest, pk: int) -> HttpResponse:
    from coordination.services.alignment import alignment_flag_review as review

    flag = get_object_or_404(selectors.alignment_flag_list(request.user, {"resolved": None}), pk=pk)
    form = AlignmentFlagReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The decision could not be read. Try again."))
    else:
        try:
            review(flag=flag, user=request.user, status=form.cleaned_data["status"], note=form.cleaned_data["note"])
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Decision recorded."))
    return redirect(reverse("alignment_flag_list"))


@login_required
def project_objectives(request: HttpRequest, pk: int) -> HttpResponse:
    """A project's suggested objectives, to confirm or reject (GET), and the decision (POST)."""
    from coordination.services.alignment import link_decision_allowed, objective_link_decide
    from municipalities.models import PlanObjective
    from projects.selectors.projects import projects_visible_to

    project = get_object_or_404(projects_visible_to(request.user), pk=pk)
    if request.method == "POST":
        if not link_decision_allowed(request.user, project):  # another partner's project, or a reader only
            raise PermissionDenied
        form = ObjectiveLinkDecisionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("The decision could not be read. Try again."))
        else:
            objective = get_object_or_404(PlanObjective, pk=form.cleaned_data["objective"])
            try:
                objective_link_decide(user=request.user, project=project, objective=objective,
                                      status=form.cleaned_data["status"])
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("Decision recorded."))
        return redirect(reverse("project_objectives", args=[project.pk]))
    links = selectors.project_objective_links(request.user, project)
    for link in links:
        link.reason_texts = _reason_texts(link.reasons, request.LANGUAGE_CODE)
    return render(request, "coordination/project_objectives.html", {
        "project": project, "links": links, "statuses": ObjectiveLink.Status.choices,
        "can_decide": link_decision_allowed(request.user, project)})
