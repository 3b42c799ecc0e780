"""The benchmarks' portfolio: a demo portfolio of N projects with the reporting calendar and the duplicate, gap and
delay runs the pages show, as ``bench_pages`` and ``bench_load`` measure them."""

from __future__ import annotations

import io

from django.core.management import call_command

from projects.models import Project


def seed_portfolio(n: int, seed: int = 1) -> bool:
    """Replace every project by ``n`` demo projects and run the analyses, unless the database already holds
    exactly ``n`` projects. True when it seeded. (``seed_demo`` builds the reporting calendar itself.)"""
    if Project.objects.count() == n:
        return False
    quiet = io.StringIO()
    call_command("seed_demo", projects=n, seed=seed, clear=True, stdout=quiet, stderr=quiet)
    call_command("detect_duplicates", full=True, stdout=quiet, stderr=quiet)
    call_command("analyse_gaps", save=True, format="json", stdout=quiet, stderr=quiet)
    call_command("detect_delays", save=True, format="json", stdout=quiet, stderr=quiet)
    return True
