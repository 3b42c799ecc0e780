from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from municipalities import selectors


@login_required
def municipality_map(request: HttpRequest) -> HttpResponse:
    return render(request, "municipalities/map.html", {"tiles": settings.LEAFLET_CONFIG.get("TILES", [])})


@login_required
def municipalities_geojson(request: HttpRequest) -> JsonResponse:
    return JsonResponse(selectors.municipality_geojson())
