"""The ministry's dashboard."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from coordination import selectors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "coordination/home.html", {"overview": selectors.portfolio_overview(request.user)})
