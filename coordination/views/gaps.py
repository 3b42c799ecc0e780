"""The gap queue (municipality × sector with no active project) and its review (htmx, without a reload)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from coordination.models import GapFlag
from coordination.queue_forms import FlagReviewForm, GapFilterForm
from coordination.reasons import gap_reason_words
from coordination.selectors.flags import gap_flags_stored_for
from coordination.selectors.queues import gap_page_rows, gap_queue
from coordination.services.gaps import gap_flag_review
from coordination.views.flag_pages import decide, decision_answer, queue_page, with_decisions

REVIEW_PERMISSION = "coordination.change_gapflag"


def _rows(request: HttpRequest, items, *, stored: bool) -> list[dict]:
    rows = with_decisions(request.user, gap_page_rows(request.user, items, stored=stored))
    for row in rows:
        row["reason_texts"] = [gap_reason_words(r) for r in row["reasons"] or []]
    return rows


@login_required
@require_GET
def gap_list(request: HttpRequest) -> HttpResponse:
    form = GapFilterForm(request.GET or None)
    stored, items = gap_queue(request.user, form.filters())
    page, query = queue_page(request, items)
    return render(request, "coordination/gap_list.html", {
        "form": form, "page": page, "query": query, "rows": _rows(request, page.object_list, stored=stored),
        "stored": stored, "can_review": stored and request.user.has_perm(REVIEW_PERMISSION),
        "review_form": FlagReviewForm(), "next": request.get_full_path(),
    })


@login_required
@require_POST
def gap_review(request: HttpRequest, pk: int) -> HttpResponse:
    if not gap_flags_stored_for(request.user):
        raise Http404  # a reader who is not served the stored flags is not told they exist
    flag = get_object_or_404(GapFlag.objects.select_related("municipality__district__region", "sector"), pk=pk)
    form = FlagReviewForm(request.POST)
    done = decide(request, form, lambda data: gap_flag_review(flag=flag, user=request.user, status=data["status"],
                                                               note=data["note"]))

    def row() -> HttpResponse:
        fresh = GapFlag.objects.select_related("municipality__district__region", "sector", "decided_by").get(pk=pk)
        return render(request, "coordination/partials/gap_row.html", {
            "row": _rows(request, [fresh], stored=True)[0], "can_review": True,
            "review_form": form if not done else FlagReviewForm(), "done": done,
            "next": request.POST.get("next", ""),
        })

    return decision_answer(request, done=done, form=form, default_back=reverse("gap_list"), partial=row)
