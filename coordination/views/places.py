"""The municipality file (ملف البلدية) and the partner pages: everything about one place or one partner.

Thin: the data comes from ``coordination.selectors.places`` (what the reader may see is decided there)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from coordination.selectors.places import municipality_file as municipality_file_data
from coordination.selectors.places import partner_file
from municipalities.models import Municipality
from projects.models import Partner


@login_required
@require_GET
def municipality_file(request: HttpRequest, slug: str) -> HttpResponse:
    municipality = get_object_or_404(Municipality.objects.select_related("district__region"), slug=slug)
    data = municipality_file_data(request.user, municipality)
    return render(request, "coordination/municipality_file.html", {
        "municipality": municipality, "file": data, "map_data": data["map"],
        "tiles": settings.LEAFLET_CONFIG.get("TILES", []),
    })


@login_required
@require_GET
def partner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    partner = get_object_or_404(Partner, pk=pk)
    return render(request, "coordination/partner_detail.html", {"partner": partner,
                                                                "file": partner_file(request.user, partner)})
