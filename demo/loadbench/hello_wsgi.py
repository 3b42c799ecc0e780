"""The trivial view the load benchmark compares Tansiq with: a hello-world Django, no middleware, no database,
served by the same gunicorn with the same workers and threads (``gunicorn demo.loadbench.hello_wsgi:application``)."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse
from django.urls import path

settings.configure(
    DEBUG=False, SECRET_KEY=os.environ.get("SECRET_KEY", "hello-world-benchmark-only"), ALLOWED_HOSTS=["127.0.0.1"],
    ROOT_URLCONF=__name__, MIDDLEWARE=[], INSTALLED_APPS=[], USE_TZ=True,
)


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"hello", content_type="text/plain")


urlpatterns = [path("", hello), path("healthz", hello)]
application = get_wsgi_application()
