"""The municipality file (ملف البلدية) and the partner pages: everything about one place or one partner.

Thin: the data comes from ``coordination.selectors.places`` (what the reader may see is decided there)."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from coordination.selectors.places import municipality_file as municipality_file_data
from coordination.selectors.places import partner_file, partner_role_choice
from municipalities.models import Municipality
from projects.models import Partner
from projects.views.pages import PAGE_SIZE

GROUP_ROWS = PAGE_SIZE  # projects listed under each sector and partner of the municipality file; the rest are
# one click away in the project list, so the page stays the same size whatever the portfolio


@login_required
@require_GET
def municipality_file(request: HttpRequest, slug: str) -> HttpResponse:
    municipality = get_object_or_404(Municipality.objects.select_related("district__region"), slug=slug)
    data = municipality_file_data(request.user, municipality, group_rows=GROUP_ROWS)
    return render(request, "coordination/municipality_file.html", {
        "municipality": municipality, "file": data, "map_data": data["map"],
        "tiles": settings.LEAFLET_CONFIG.get("TILES", []),
    })


@login_required
@require_GET
def partner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    partner = get_object_or_404(Partner, pk=pk)
    role = partner_role_choice(request.GET.get("role"))
    data = partner_file(request.user, partner, role=role, page=request.GET.get("page"), per_page=PAGE_SIZE)
    return render(request, "coordination/partner_detail.html", {
        "partner": partner, "file": data, "page": data["project_page"],
        "query": urlencode({"role": role}) if role is not None else "",
    })
