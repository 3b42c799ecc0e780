"""The duplicate queue, one pair side by side, and the pair's decision (htmx on the pair's page)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from coordination.forms import DuplicateFilterForm, DuplicateReviewForm
from coordination.models import DuplicateFlag
from coordination.reasons import pair_titles, reason_text
from coordination.selectors.duplicates import duplicate_flag_list
from coordination.selectors.flags import flag_decision_for, flag_decision_visible
from coordination.selectors.queues import duplicate_pair, duplicate_queue_flags
from coordination.services.duplicates import REVIEW_PERMISSION, duplicate_flag_review
from projects.models import ProjectLocation
from projects.selectors.history import histories_for
from projects.views.pages import form_add_service_errors, is_htmx, safe_back_url


def _in_municipality(value: str) -> Q:
    """Pairs with a project in the municipality (its slug or p-code): the municipality file links here."""
    here = ProjectLocation.objects.filter(Q(municipality__slug=value) | Q(municipality__pcode=value.upper()))
    return Q(Exists(here.filter(project_id=OuterRef("project_a_id")))) | Q(
        Exists(here.filter(project_id=OuterRef("project_b_id"))))


@login_required
@require_GET
def duplicate_list(request: HttpRequest) -> HttpResponse:
    """The review queue of duplicate flags: open ones first, highest score first, paginated."""
    form = DuplicateFilterForm(request.GET or None)
    flags = duplicate_queue_flags(request.user, duplicate_flag_list()).filter(
        resolved_at__isnull=True).order_by("-score", "pk")
    if form.is_valid():
        if form.cleaned_data["status"]:
            flags = flags.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["kind"]:
            flags = flags.filter(kind=form.cleaned_data["kind"])
    if request.GET.get("municipality"):
        flags = flags.filter(_in_municipality(request.GET["municipality"][:80]))
    page = Paginator(flags, 25).get_page(request.GET.get("page"))
    # Every flag's audit trail in one read for the whole page, not one per row. The trail carries the
    # committee's notes and deciders, so it follows the same rule as the decision itself (and the API).
    decision_visible = flag_decision_visible(request.user)
    histories = histories_for(list(page), user=request.user, full=True) if decision_visible else {}
    for flag in page:
        flag.reason_texts = [reason_text(r, titles=pair_titles(flag)) for r in flag.reasons]
        flag.history_entries = histories.get(flag.pk, [])
        # The template prints only this: what it may show was decided here, not in the template.
        flag.decision = flag_decision_for(request.user, flag)
    return render(request, "coordination/duplicate_list.html", {
        "form": form, "page": page, "review_form": DuplicateReviewForm(),
        "can_review": request.user.has_perm(REVIEW_PERMISSION),
        "query": request.GET.urlencode(),
    })


def _visible_flag(request: HttpRequest, pk: int) -> DuplicateFlag:
    return get_object_or_404(duplicate_queue_flags(request.user, duplicate_flag_list()), pk=pk)


def _decision_context(request: HttpRequest, flag: DuplicateFlag, form: DuplicateReviewForm | None = None,
                      done: bool = False) -> dict:
    histories = histories_for([flag], user=request.user, full=True) if flag_decision_visible(request.user) else {}
    return {"flag": flag, "decision": flag_decision_for(request.user, flag), "done": done,
            "review_form": form or DuplicateReviewForm(initial={"status": "confirmed"}),
            "can_review": request.user.has_perm(REVIEW_PERMISSION), "history": histories.get(flag.pk, [])}


@login_required
@require_GET
def duplicate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The two projects of a pair side by side, what differs, their sites on a map, why the engine paired
    them, and the decision."""
    flag = _visible_flag(request, pk)
    return render(request, "coordination/duplicate_detail.html", {
        **_decision_context(request, flag), "pair": duplicate_pair(flag),
        "reason_texts": [reason_text(r, titles=pair_titles(flag)) for r in flag.reasons],
        "tiles": settings.LEAFLET_CONFIG.get("TILES", []),
    })


def _back_to_queue(request: HttpRequest) -> str:
    """Back to the same filtered page of the queue (only valid filter values are carried)."""
    back = DuplicateFilterForm({"status": request.POST.get("status_filter", ""),
                                "kind": request.POST.get("kind_filter", "")})
    keep = {k: v for k, v in back.cleaned_data.items() if v} if back.is_valid() else {}
    if request.POST.get("page", "").isdigit():
        keep["page"] = request.POST["page"]
    return reverse("duplicate_list") + ("?" + urlencode(keep) if keep else "")


@login_required
@require_POST
def duplicate_review(request: HttpRequest, pk: int) -> HttpResponse:
    flag = get_object_or_404(duplicate_queue_flags(request.user, DuplicateFlag.objects.all()), pk=pk)
    form = DuplicateReviewForm(request.POST)
    done = False
    if form.is_valid():
        try:
            duplicate_flag_review(flag=flag, user=request.user, decision=form.cleaned_data["status"],
                                  note=form.cleaned_data["note"],
                                  counted_project_id=form.cleaned_data["counted_project"])
        except ValidationError as exc:
            form_add_service_errors(exc, form)
        else:
            done = True
    if is_htmx(request):
        # The pair's page swaps its decision panel in place: the new status, or the form with its error.
        fresh = _visible_flag(request, pk)
        return render(request, "coordination/partials/duplicate_decision.html",
                      _decision_context(request, fresh, None if done else form, done))
    if done:
        messages.success(request, _("Decision recorded."))
    elif form.errors:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    else:
        messages.error(request, _("The decision could not be read. Try again."))
    return redirect(safe_back_url(request, _back_to_queue(request)))
