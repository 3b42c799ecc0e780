"""Security headers on every answer, and pages that keep to the Content-Security-Policy: no inline script or
style anywhere (no <script> without src, no <style>, no style="" or on...="" attributes), nothing from another
site. The browser half of this (no violation reported while the pages run) is tests/e2e/test_csp.py."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ImproperlyConfigured

from projects.models import ImportJob, ProjectUpdate, ReviewState
from tests import factories
from tests.config.fresh_settings import ROOT, settings_with


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        assert name not in directives, header
        directives[name] = sources
    return directives


REQUIRED = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


class InlineFinder(HTMLParser):
    """Everything in a page that a policy without 'unsafe-inline' blocks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in {"href", "src", "action", "formaction"} and (value or "").strip().lower().startswith(
                    "javascript:"):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag == "style":
            self.found.append("<style>")
        if tag == "script":
            data_only = (attributes.get("type") or "").lower() in {"application/json", "application/ld+json"}
            if not attributes.get("src") and not data_only:
                self._in_script = True
                self.found.append("<script> without src")
            if attributes.get("src") and "://" in attributes["src"]:
                self.found.append(f"<script src={attributes['src']!r}> from elsewhere")
        if tag == "link" and "://" in (attributes.get("href") or "") and attributes.get("rel") == "stylesheet":
            self.found.append(f"<link href={attributes['href']!r}> from elsewhere")


def inline_parts(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    return finder.found


@pytest.fixture
def site(personas, undp, english):
    """Something on every main page: a municipality, a submitted project of UNDP's with an update, a running
    import job (its progress bar), a duplicate pair."""
    from coordination.models import DuplicateFlag

    town = factories.MunicipalityFactory(slug="tripoli-center")
    project = factories.ProjectFactory(reporting_partner=undp, state=ReviewState.SUBMITTED)
    project.locations.create(municipality=town)
    other = factories.ProjectFactory(reporting_partner=undp, state=ReviewState.ACCEPTED)
    DuplicateFlag.objects.create(project_a=project, project_b=other, score=0.9, kind=DuplicateFlag.Kind.REPORTED_TWICE)
    update = ProjectUpdate.objects.create(project=project, partner=project.reporting_partner, period_start="2025-01-01", period_end="2025-03-31",
                                          progress_percent=10, status=2, state=ReviewState.SUBMITTED)
    job = ImportJob.objects.create(kind=ImportJob.Kind.SPREADSHEET, status=ImportJob.Status.CHECKING,
                                   file="imports/3w.csv", original_name="3w.csv", size=10, sha256="0" * 64,
                                   progress_done=3, progress_total=10, created_by=personas["ministry_admin"],
                                   error="line 1\nline 2")
    return {"project": project, "update": update, "job": job}


def _pages(site) -> list[str]:
    project, update, job = site["project"], site["update"], site["job"]
    return [
        "/", "/municipalities/map/", "/projects/", f"/projects/{project.pk}/", "/projects/new/",
        f"/projects/{project.pk}/edit/", f"/projects/{project.pk}/updates/new/", f"/projects/updates/{update.pk}/",
        "/projects/review/", "/projects/api-token/", "/exchange/", f"/exchange/jobs/{job.pk}/",
        f"/exchange/jobs/{job.pk}/progress/", "/reporting/", f"/reporting/updates/{update.pk}/attachments/",
        "/reporting/scorecards/", "/coordination/duplicates/", "/api/docs/", "/no-such-page/",
    ]


def test_every_main_page_answers_the_policy_and_keeps_to_it(site, client_for):
    client = client_for("ministry_admin", "en")
    for path in _pages(site):
        response = client.get(path)
        assert response.status_code in (200, 404), (path, response.status_code)
        directives = policy(response)
        for name, sources in REQUIRED.items():
            assert directives.get(name) == sources, (path, name, directives.get(name))
        header = response["Content-Security-Policy"]
        assert "unsafe-inline" not in header and "unsafe-eval" not in header and "*" not in header, (path, header)
        if "text/html" in response["Content-Type"]:
            assert inline_parts(response.content.decode()) == [], path


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_login_page_and_the_anonymous_answers_carry_the_headers_too(db, client_for, language):
    for path in ("/accounts/login/", "/api/v1/projects/", "/healthz"):
        response = client_for(None, language).get(path)
        assert policy(response)["default-src"] == ["'self'"], path
        assert response["X-Frame-Options"] == "DENY" and response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        features = dict(item.split("=", 1) for item in response["Permissions-Policy"].split(", "))
        for feature in ("geolocation", "camera", "microphone", "payment", "usb"):
            assert features[feature] == "()", (feature, response["Permissions-Policy"])
    assert inline_parts(client_for(None, language).get("/accounts/login/").content.decode()) == []


def test_the_api_docs_load_their_script_from_the_site(site, client_for):
    client = client_for("ministry_admin", "en")
    page = client.get("/api/docs/").content.decode()
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert scripts and all(src.startswith("/") for src in scripts), scripts
    init = [src for src in scripts if "script" in src.split("?", 1)[-1]]
    assert init, scripts  # the initialisation is a file of its own, not an inline script
    response = client.get(init[0].replace("&amp;", "&"))
    assert response.status_code == 200 and "javascript" in response["Content-Type"]
    assert "SwaggerUIBundle" in response.content.decode()


# --- templates: the source, including the parts no test renders ------------------------------------------------

INLINE_IN_TEMPLATES = re.compile(
    r"""\sstyle\s*=|<style[\s>]|\son[a-z]+\s*=|javascript:|<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>""",
    re.IGNORECASE)


def test_no_template_has_inline_script_or_style():
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if INLINE_IN_TEMPLATES.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}")
    assert found == []


def test_htmx_neither_injects_styles_nor_evaluates_script():
    base = (ROOT / "templates" / "base.html").read_text(encoding="utf-8")
    meta = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'>', base)
    assert meta, "base.html sets htmx's configuration"
    config = json.loads(meta.group(1))
    assert config["includeIndicatorStyles"] is False  # else htmx adds a <style> element to every page
    assert config["allowEval"] is False and config["allowScriptTags"] is False


# --- the policy follows the configured map tiles --------------------------------------------------------------

@pytest.mark.parametrize(("url", "source"), [
    ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
    ("https://{s}.tile.example.ly:8443/osm/{z}/{x}/{y}.png", "https://*.tile.example.ly:8443"),
    ("http://10.0.0.5/tiles/{z}/{x}/{y}.png", "http://10.0.0.5"),
    ("/tiles/{z}/{x}/{y}.png", None),  # served by this site: 'self' already allows it
])
def test_the_map_tiles_host_is_the_only_outside_image_source(url, source):
    from config.env import map_tiles_source

    assert map_tiles_source(url) == source


@pytest.mark.parametrize("url", ["ftp://tiles.example.ly/{z}/{x}/{y}.png", "javascript:alert(1)", "https://",
                                 "https://tiles example.ly/{z}.png", "https://a.ly/{z};script-src *",
                                 "tiles.example.ly/{z}/{x}/{y}.png", "//tiles.example.ly/{z}/{x}/{y}.png"])
def test_a_tiles_url_that_is_not_one_stops_start_up(url):
    from config.env import map_tiles_source

    with pytest.raises(ImproperlyConfigured, match="TANSIQ_MAP_TILES_URL"):
        map_tiles_source(url)


def test_the_configured_tiles_host_is_in_the_served_policy():
    read = settings_with({"TANSIQ_MAP_TILES_URL": "https://{s}.tile.example.ly/{z}/{x}/{y}.png"},
                          ["CONTENT_SECURITY_POLICY"])
    assert read["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"] == ["'self'", "data:", "https://*.tile.example.ly"]
    plain = settings_with({}, ["CONTENT_SECURITY_POLICY"])
    assert plain["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"] == ["'self'", "data:"]
    assert "TANSIQ_MAP_TILES_URL" in settings_with({"TANSIQ_MAP_TILES_URL": "ftp://x/{z}"}, ["DEBUG"])["error"]


def test_production_sends_browsers_to_https_only():
    read = settings_with({"SECRET_KEY": "x" * 60, "DATABASE_URL": "postgis://u@h:5432/db"},
                          ["SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_SSL_REDIRECT",
                           "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
                           "X_FRAME_OPTIONS", "SECURE_REFERRER_POLICY", "SECURE_CONTENT_TYPE_NOSNIFF",
                           "CONTENT_SECURITY_POLICY"], module="config.settings.production")
    assert read["SECURE_HSTS_SECONDS"] >= 31536000 and read["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert read["SECURE_SSL_REDIRECT"] is True
    assert read["SESSION_COOKIE_SECURE"] is read["CSRF_COOKIE_SECURE"] is read["SESSION_COOKIE_HTTPONLY"] is True
    assert read["X_FRAME_OPTIONS"] == "DENY" and read["SECURE_REFERRER_POLICY"] == "same-origin"
    assert read["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert read["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["default-src"] == ["'self'"]
