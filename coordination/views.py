from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import selectors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "coordination/home.html", {"overview": selectors.portfolio_overview()})


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    status = selectors.health_status()
    return JsonResponse(status, status=200 if status["ok"] else 503)
