"""``python manage.py bench_load --users 50 --seconds 60 [--workers 3] [--threads 4] [--projects N]``

Starts gunicorn with the production settings on a free 127.0.0.1 port (the database of ``DATABASE_URL``, which
must be PostGIS), and beside it a hello-world Django on the same gunicorn with the same workers and threads. The
same number of virtual users then load each server for ``--seconds``: on Tansiq a mix of signed-in ministry
analysts and partner focal points (dashboard, lists, project pages, map data, municipality files, partner pages,
the API), on the trivial server its one page. Prints one JSON object: requests/s, p50/p95/p99 in ms and errors for
each, and Tansiq's ratio to the trivial view. Loopback only; both servers are stopped at the end, whatever happens.

With ``--projects N`` the database is first filled as ``bench_pages --projects N`` does (it replaces every project)
unless it already holds exactly N projects.
"""

from __future__ import annotations

import json
import os
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.models import Count
from django.urls import reverse

from common.local_server import ROOT, gunicorn_serving
from coordination.roles import FOCAL_POINT, MINISTRY_ANALYST, roles_sync
from demo.bench_seed import seed_portfolio
from demo.loadbench.runner import Session, VirtualUser, run_users, summary
from municipalities.models import Municipality
from projects.models import FocalPoint, Partner, Project

ANALYST = "bench-load-analyst"
FOCAL = "bench-load-focal-{}"
# Variables of this process that the servers must not inherit as they are.
OUTER = ("DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DJANGO_DEBUG", "TANSIQ_VAR_DIR", "DJANGO_STATIC_ROOT",
         "DJANGO_MEDIA_ROOT")


def _database_url() -> str:
    """This process's database (under a test run, the test database), for the servers."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "postgres") + (":" + quote(db["PASSWORD"]) if db["PASSWORD"] else "")
    return f"postgis://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(db['NAME'])}"


def _set_password(user: Any, password: str) -> None:
    """Hashed with PBKDF2, which the production settings verify whatever this process's hashers are (a test
    run's fast hasher is not among the server's)."""
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(password, hasher.salt())
    user.save(update_fields=["password"])


class Command(BaseCommand):
    help = ("Load gunicorn (production settings) with signed-in analysts and focal points, and a hello-world "
            "Django on the same gunicorn, for the same time; print requests/s, latency percentiles and errors "
            "as JSON.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--users", type=int, default=50)
        parser.add_argument("--seconds", type=float, default=60)
        parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3, as deployed)")
        parser.add_argument("--threads", type=int, default=4, help="threads per worker (default 4, as deployed)")
        parser.add_argument("--focal-share", type=float, default=0.4,
                            help="Share of the users who are partner focal points (default 0.4).")
        parser.add_argument("--projects", type=int)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        users, seconds = options["users"], options["seconds"]
        if not 1 <= users <= 500:
            raise CommandError("--users must be between 1 and 500.")
        if not 1 <= seconds <= 600:
            raise CommandError("--seconds must be between 1 and 600.")
        if not 0 <= options["focal_share"] <= 1:
            raise CommandError("--focal-share must be between 0 and 1.")
        if connection.vendor != "postgresql":
            raise CommandError("bench_load serves the production settings, which need PostGIS: set "
                               "DATABASE_URL=postgis://...")
        if options["projects"] is not None:
            if options["projects"] < 1:
                raise CommandError("--projects must be at least 1.")
            self.stderr.write(f"Seeding {options['projects']} demo projects and running the analyses…")
            seed_portfolio(options["projects"], options["seed"])
        if not Project.objects.exists():
            raise CommandError("The database holds no projects: pass --projects N.")
        analyst_paths, focal_accounts = self._accounts_and_paths()
        n_focal = round(users * options["focal_share"]) if focal_accounts else 0
        virtual: list[VirtualUser] = []
        for i in range(users - n_focal):
            virtual.append(VirtualUser(f"analyst-{i}", "analyst", analyst_paths, ANALYST, self.password))
        for i in range(n_focal):
            username, paths = focal_accounts[i % len(focal_accounts)]
            virtual.append(VirtualUser(f"focal-{i}", "focal_point", paths, username, self.password))
        trivial = [VirtualUser(f"hello-{i}", "trivial", [("hello", "/")]) for i in range(users)]

        scratch = Path(tempfile.mkdtemp(prefix="tansiq-load-"))
        try:
            env = self._environment(scratch)
            self._collectstatic(env)
            common = {"workers": options["workers"], "threads": options["threads"], "timeout": 120}
            with gunicorn_serving(env, scratch / "hello.log", app="demo.loadbench.hello_wsgi:application",
                                  **common) as base:
                hello = summary(run_users(base, trivial, seconds, seed=options["seed"]), seconds)
            with gunicorn_serving(env, scratch / "tansiq.log", **common) as base:
                self._sign_in(base, virtual)
                app = summary(run_users(base, virtual, seconds, seed=options["seed"]), seconds)
                app["signed_in_users"] = {"analysts": users - n_focal, "focal_points": n_focal}
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        ratio = round(app["requests_per_s"] / hello["requests_per_s"], 3) if hello["requests_per_s"] else None
        self.stdout.write(json.dumps({
            "projects": Project.objects.count(), "database": connection.vendor, "users": users, "seconds": seconds,
            "workers": options["workers"], "threads": options["threads"], "settings": "config.settings.production",
            "tansiq": app, "trivial": hello, "throughput_ratio": ratio,
            "p50_ratio": round(app["p50_ms"] / hello["p50_ms"], 1) if hello["p50_ms"] else None,
        }, ensure_ascii=False))

    # --- set-up ------------------------------------------------------------------------------------

    def _accounts_and_paths(self) -> tuple[list[tuple[str, str]], list[tuple[str, list[tuple[str, str]]]]]:
        """An analyst account and up to five focal point accounts (of the partners with the most projects),
        all with one fresh password, and the pages each asks for."""
        roles_sync()
        self.password = secrets.token_urlsafe(18)
        model = get_user_model()
        analyst, _ = model.objects.get_or_create(username=ANALYST, defaults={"is_active": True})
        _set_password(analyst, self.password)
        analyst.groups.add(Group.objects.get(name=MINISTRY_ANALYST))
        rng = random.Random(7)
        project_ids = list(Project.objects.order_by("pk").values_list("pk", flat=True)[:2000])
        slugs = list(Municipality.objects.annotate(n=Count("project_locations")).order_by("-n", "pk")
                     .values_list("slug", flat=True)[:20])
        partners = list(Partner.objects.annotate(n=Count("reported_projects")).filter(n__gt=0)
                        .order_by("-n", "pk")[:5])
        analyst_paths = [("dashboard", reverse("home")), ("project_list", reverse("project_list")),
                         ("map_figures", reverse("map_figures") + "?measure=usd_per_capita"),
                         ("api_projects", "/api/v1/projects/"), ("api_gaps", "/api/v1/gaps/")]
        analyst_paths += [("project_detail", reverse("project_detail", kwargs={"pk": pk}))
                          for pk in rng.sample(project_ids, min(20, len(project_ids)))]
        analyst_paths += [("municipality_file", reverse("municipality_file", kwargs={"slug": s})) for s in slugs[:10]]
        analyst_paths += [("partner_page", reverse("partner_detail", kwargs={"pk": p.pk})) for p in partners]
        focal_accounts = []
        for i, partner in enumerate(partners):
            user, _ = model.objects.get_or_create(username=FOCAL.format(i), defaults={"is_active": True})
            _set_password(user, self.password)
            user.groups.add(Group.objects.get(name=FOCAL_POINT))
            FocalPoint.objects.update_or_create(user=user, defaults={"partner": partner})
            own = list(Project.objects.filter(reporting_partner=partner).order_by("pk")
                       .values_list("pk", flat=True)[:10])
            paths = [("dashboard", reverse("home")), ("project_list", reverse("project_list")),
                     ("api_projects", "/api/v1/projects/")]
            paths += [("project_detail", reverse("project_detail", kwargs={"pk": pk})) for pk in own]
            focal_accounts.append((user.username, paths))
        return analyst_paths, focal_accounts

    def _environment(self, scratch: Path) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in OUTER}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.production", DATABASE_URL=_database_url(),
            SECRET_KEY=secrets.token_urlsafe(48), TANSIQ_VAR_DIR=str(scratch), DJANGO_STATIC_ROOT=str(scratch / "static"),
            DJANGO_ALLOWED_HOSTS="127.0.0.1", DJANGO_LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1",
            CELERY_BROKER_URL=os.environ.get("CELERY_BROKER_URL", settings.CELERY_BROKER_URL or "memory://"),
            # Many users from one address: the rate limits are not what is measured.
            TANSIQ_API_THROTTLE_ANON="1000000/minute", TANSIQ_API_THROTTLE_USER="1000000/minute",
        )
        return env

    def _collectstatic(self, env: dict[str, str]) -> None:
        done = subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise CommandError(f"collectstatic failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")

    def _sign_in(self, base: str, users: list[VirtualUser]) -> None:
        """Every virtual user signs in (each its own session), a few at a time."""
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda u: Session(base, u).sign_in(), users))
