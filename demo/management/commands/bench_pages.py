"""``python manage.py bench_pages --projects N [--seed S] [--repeat R] [--language ar|en]``

Measures the ministry's pages as a signed-in ministry analyst sees them: for each page, the median server time
of ``--repeat`` requests (in-process through Django's test client: middleware, view, queries and template
rendering, no network) and the number of database queries of one request. Prints one JSON object.

With ``--projects N`` the database is first filled with a demo portfolio of N projects (``seed_demo --clear``,
then the reporting calendar and the duplicate, gap and delay runs the pages show) unless it already holds exactly
N projects. Meant for demo and benchmark databases: ``--projects`` deletes every project first.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, reset_queries
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from coordination.roles import MINISTRY_ANALYST, roles_sync
from demo.bench_seed import seed_portfolio
from municipalities.models import Municipality
from projects.models import Partner, Project

BENCH_USER = "bench-analyst"


def _largest_municipality() -> Municipality | None:
    """The municipality with the most projects: the heaviest municipality file."""
    return (Municipality.objects.annotate(n=Count("project_locations")).order_by("-n", "pk").first())


def _largest_partner() -> Partner | None:
    return Partner.objects.annotate(n=Count("reported_projects")).order_by("-n", "pk").first()


def pages() -> list[tuple[str, str, Callable[[], dict[str, Any]], str]]:
    """(label, URL name, keyword arguments, query string) of each page measured."""
    def municipality() -> dict[str, Any]:
        m = _largest_municipality()
        if m is None:
            raise LookupError("no municipality")
        return {"slug": m.slug}

    def partner() -> dict[str, Any]:
        p = _largest_partner()
        if p is None:
            raise LookupError("no partner")
        return {"pk": p.pk}

    def project() -> dict[str, Any]:
        p = Project.objects.order_by("pk").only("pk").first()
        if p is None:
            raise LookupError("no project")
        return {"pk": p.pk}

    none: Callable[[], dict[str, Any]] = dict
    return [
        ("dashboard", "home", none, ""),
        ("map", "municipality_map", none, ""),
        ("map_layer", "municipalities_geojson", none, ""),
        ("map_figures", "map_figures", none, "measure=usd_per_capita"),
        ("map_figures_gap", "map_figures", none, "measure=gap_score"),
        ("gaps_api", "api:gaps", none, ""),
        ("gaps_summary", "api:gaps-summary", none, ""),
        ("coverage_geojson", "api:municipality-coverage", none, ""),
        ("map_sites", "map_sites", none, ""),
        ("map_pairs", "map_duplicates", none, ""),
        ("municipality_file", "municipality_file", municipality, ""),
        ("partner_page", "partner_detail", partner, ""),
        ("project_list", "project_list", none, ""),
        ("project_list_sorted", "project_list", none, "sort=-budget"),
        ("project_detail", "project_detail", project, ""),
        ("duplicate_queue", "duplicate_list", none, ""),
        ("gap_queue", "gap_list", none, ""),
        ("delay_queue", "delay_list", none, ""),
        ("review_queue", "review_queue", none, ""),
    ]


class Command(BaseCommand):
    help = ("Measure the ministry's pages (median server time in ms and query count per page) as a ministry "
            "analyst, optionally on a fresh demo portfolio of N projects, and print one JSON object.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--projects", type=int, help="Fill the database with N demo projects first "
                                                         "(deletes every project) unless it holds exactly N.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--repeat", type=int, default=7, help="Timed requests per page (default 7).")
        parser.add_argument("--language", choices=("ar", "en"), default="ar")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["repeat"] < 1:
            raise CommandError("--repeat must be at least 1.")
        if options["projects"] is not None:
            if options["projects"] < 0:
                raise CommandError("--projects cannot be negative.")
            if Project.objects.count() != options["projects"]:
                self.stderr.write(f"Seeding {options['projects']} demo projects and running the analyses "
                                  "(this replaces every project)…")
                seed_portfolio(options["projects"], options["seed"])
        client = self._client(options["language"])
        results: dict[str, Any] = {}
        not_measured: dict[str, str] = {}
        for label, name, kwargs, query in pages():
            try:
                path = reverse(name, kwargs=kwargs() or None)
            except (NoReverseMatch, LookupError) as exc:
                not_measured[label] = f"{name}: {exc.__class__.__name__}"
                continue
            url = f"{path}?{query}" if query else path
            results[label] = self._measure(client, url, options["repeat"])
        print(json.dumps({
            "projects": Project.objects.count(), "database": connection.vendor, "debug": settings.DEBUG,
            "repeat": options["repeat"], "language": options["language"], "pages": results,
            "not_measured": not_measured,
        }, ensure_ascii=False))

    def _client(self, language: str) -> Client:
        roles_sync()
        user, _created = get_user_model().objects.get_or_create(username=BENCH_USER, defaults={"is_active": True})
        user.groups.add(Group.objects.get(name=MINISTRY_ANALYST))
        client = Client(HTTP_HOST=settings.ALLOWED_HOSTS[0] if settings.ALLOWED_HOSTS else "localhost",
                        HTTP_ACCEPT_LANGUAGE=language)
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return client

    def _measure(self, client: Client, url: str, repeat: int) -> dict[str, Any]:
        reset_queries()  # the log keeps at most 9,000 queries: a full log would count none
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)  # also the warm-up
        # Counted now: the captured list is read from the connection's log, which the next request clears.
        count = len(queries)
        if response.status_code != 200:
            return {"url": url, "status": response.status_code}
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            response = client.get(url)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
            times.append((time.perf_counter() - start) * 1000)
        return {"url": url, "status": response.status_code, "median_ms": round(statistics.median(times), 1),
                "max_ms": round(max(times), 1), "queries": count}
