"""The gazetteer's staff page: names imports could not place, with suggestions; staff resolve each once."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from municipalities.models import Municipality, UnresolvedPlace
from municipalities.place_services import place_names_can_resolve, unresolved_place_resolve
from municipalities.selectors import unresolved_place_rows


def _staff(request: HttpRequest) -> None:
    if not place_names_can_resolve(request.user):
        raise PermissionDenied(_("Only ministry staff can resolve place names."))


@login_required
@require_GET
def unresolved_place_list(request: HttpRequest) -> HttpResponse:
    _staff(request)
    show = request.GET.get("show", "open")
    page = Paginator(unresolved_place_rows(open_only=show != "all"), 50).get_page(request.GET.get("page"))
    municipalities = Municipality.objects.select_related("district").only(
        "id", "slug", "name_ar", "name_en", "district__pcode").order_by("district__pcode", "name_en")
    return render(request, "municipalities/unresolved_places.html", {
        "page": page, "rows": page.object_list, "municipalities": municipalities, "show": show})


@login_required
@require_POST
def unresolved_place_resolve_view(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    place = get_object_or_404(UnresolvedPlace, pk=pk)
    municipality = Municipality.objects.filter(pk=request.POST.get("municipality") or 0).first()
    if municipality is None:
        messages.error(request, _("Choose the municipality this name is."))
    else:
        unresolved_place_resolve(place=place, municipality=municipality, user=request.user)
        messages.success(request, _("“%(name)s” now resolves to %(municipality)s.") % {
            "name": place.name, "municipality": municipality})
    return redirect("unresolved_place_list")
