"""The municipality file (ملف البلدية) and the partner pages: everything about one place or one partner."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from municipalities.models import Municipality
from projects.models import Partner


@login_required
def municipality_file(request: HttpRequest, slug: str) -> HttpResponse:
    municipality = get_object_or_404(Municipality.objects.select_related("district__region"), slug=slug)
    return render(request, "coordination/municipality_file.html", {"municipality": municipality})


@login_required
def partner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    partner = get_object_or_404(Partner, pk=pk)
    return render(request, "coordination/partner_detail.html", {"partner": partner})
