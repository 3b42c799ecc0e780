"""The delay queue (a project behind its dates, its progress, or silent) and its review (htmx)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from coordination.queue_forms import DelayFilterForm, FlagReviewForm
from coordination.reasons import delay_reason_words
from coordination.selectors.queues import delay_queue
from coordination.services.delays import delay_flag_review
from coordination.views.flag_pages import decide, decision_answer, queue_page, with_decisions

REVIEW_PERMISSION = "coordination.change_delayflag"


def _rows(request: HttpRequest, flags) -> list[dict]:
    today = timezone.localdate()
    rows = [{"flag": f, "project": f.project,
             "reason_texts": [delay_reason_words(r, today) for r in f.reasons or []]} for f in flags]
    return with_decisions(request.user, rows)


@login_required
@require_GET
def delay_list(request: HttpRequest) -> HttpResponse:
    form = DelayFilterForm(request.GET or None)
    page, query = queue_page(request, delay_queue(request.user, form.filters()))
    return render(request, "coordination/delay_list.html", {
        "form": form, "page": page, "query": query, "rows": _rows(request, page.object_list),
        "can_review": request.user.has_perm(REVIEW_PERMISSION), "review_form": FlagReviewForm(),
        "next": request.get_full_path(),
    })


@login_required
@require_POST
def delay_review(request: HttpRequest, pk: int) -> HttpResponse:
    flag = get_object_or_404(delay_queue(request.user, {}), pk=pk)
    form = FlagReviewForm(request.POST)
    done = decide(request, form, lambda data: delay_flag_review(flag=flag, user=request.user, status=data["status"],
                                                                note=data["note"]))

    def row() -> HttpResponse:
        fresh = delay_queue(request.user, {}).filter(pk=pk).first() or flag
        return render(request, "coordination/partials/delay_row.html", {
            "row": _rows(request, [fresh])[0], "can_review": True,
            "review_form": form if not done else FlagReviewForm(), "done": done,
            "next": request.POST.get("next", ""),
        })

    return decision_answer(request, done=done, form=form, default_back=reverse("delay_list"), partial=row)
