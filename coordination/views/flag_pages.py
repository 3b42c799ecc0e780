"""What the review queues' pages share: pagination with the filters kept, the decision's answer (the row or
panel again for htmx, a message and a redirect otherwise), and the decision as the reader may see it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from coordination.selectors.flags import flag_decision_for
from projects.views.pages import form_add_service_errors, is_htmx, safe_back_url

QUEUE_PAGE_SIZE = 25


def queue_page(request: HttpRequest, items: Any) -> tuple[Page, str]:
    """The requested page of ``items`` and the query string of the filters without the page number."""
    keep = request.GET.copy()
    keep.pop("page", None)
    return Paginator(items, QUEUE_PAGE_SIZE).get_page(request.GET.get("page")), keep.urlencode()


def with_decisions(user: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each row's decision as ``user`` may read it (who decided and why: ministry staff only)."""
    for row in rows:
        row["decision"] = flag_decision_for(user, row["flag"]) if row.get("flag") is not None else None
    return rows


def decide(request: HttpRequest, form: Any, apply: Callable[[dict[str, Any]], Any]) -> bool:
    """Run the decision (``apply(cleaned_data)``) when the form is valid; a service's refusal goes to the
    form. PermissionDenied is not caught: the request answers 403."""
    if not form.is_valid():
        return False
    try:
        apply(form.cleaned_data)
    except ValidationError as exc:
        form_add_service_errors(exc, form)
        return False
    return True


def decision_answer(request: HttpRequest, *, done: bool, form: Any, default_back: str,
                    partial: Callable[[], HttpResponse]) -> HttpResponse:
    """htmx: the row (or panel) again, with its new status or the form's errors; else back to the page."""
    if is_htmx(request):
        return partial()
    if done:
        messages.success(request, _("Decision recorded."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors)
                       or _("The decision could not be read. Try again."))
    return redirect(safe_back_url(request, default_back))
