from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST


@login_required
def duplicate_list(request: HttpRequest) -> HttpResponse:
    """The review queue of duplicate flags: open ones first, highest score first, paginated."""
    from django.core.paginator import Paginator

    from coordination.forms import DuplicateFilterForm, DuplicateReviewForm
    from coordination.reasons import reason_text
    from coordination.selectors.duplicates import duplicate_flag_list, duplicate_flags_visible_to
    from coordination.selectors.flags import flag_decision_for, flag_decision_visible
    from projects.selectors.history import histories_for

    form = DuplicateFilterForm(request.GET or None)
    flags = duplicate_flags_visible_to(request.user, duplicate_flag_list()).filter(
        resolved_at__isnull=True).order_by("-score", "pk")
    if form.is_valid():
        if form.cleaned_data["status"]:
            flags = flags.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["kind"]:
            flags = flags.filter(kind=form.cleaned_data["kind"])
    page = Paginator(flags, 25).get_page(request.GET.get("page"))
    # Every flag's audit trail in one read for the whole page, not one per row. The trail carries the
    # committee's notes and deciders, so it follows the same rule as the decision itself (and the API).
    decision_visible = flag_decision_visible(request.user)
    histories = histories_for(list(page), user=request.user, full=True) if decision_visible else {}
    for flag in page:
        flag.reason_texts = [reason_text(r) for r in flag.reasons]
        flag.history_entries = histories.get(flag.pk, [])
        # The template prints only this: what it may show was decided here, not in the template.
        flag.decision = flag_decision_for(request.user, flag)
    return render(request, "coordination/duplicate_list.html", {
        "form": form, "page": page, "review_form": DuplicateReviewForm(),
        "can_review": request.user.has_perm("coordination.change_duplicateflag"),
        "query": request.GET.urlencode(),
    })


@login_required
@require_POST
def duplicate_review(request: HttpRequest, pk: int) -> HttpResponse:
    from django.contrib import messages
    from django.core.exceptions import ValidationError
    from django.shortcuts import get_object_or_404, redirect
    from django.urls import reverse
    from django.utils.http import urlencode
    from django.utils.translation import gettext as _

    from coordination.forms import DuplicateFilterForm, DuplicateReviewForm
    from coordination.models import DuplicateFlag
    from coordination.selectors.duplicates import duplicate_flags_visible_to
    from coordination.services.duplicates import duplicate_flag_review

    flag = get_object_or_404(duplicate_flags_visible_to(request.user, DuplicateFlag.objects.all()), pk=pk)
    form = DuplicateReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The decision could not be read. Try again."))
    else:
        try:
            duplicate_flag_review(flag=flag, user=request.user, decision=form.cleaned_data["status"],
                                  note=form.cleaned_data["note"],
                                  counted_project_id=form.cleaned_data["counted_project"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Decision recorded."))
    # Back to the same filtered page of the queue (only valid filter values are carried).
    back = DuplicateFilterForm({"status": request.POST.get("status_filter", ""),
                                "kind": request.POST.get("kind_filter", "")})
    keep = {k: v for k, v in back.cleaned_data.items() if v} if back.is_valid() else {}
    if request.POST.get("page", "").isdigit():
        keep["page"] = request.POST["page"]
    return redirect(reverse("duplicate_list") + ("?" + urlencode(keep) if keep else ""))
