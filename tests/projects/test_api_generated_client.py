"""A client generated from the served OpenAPI document with openapi-python-client (as a partner's developer would
make one) does the focal point's journey against a live server: sign in for a token, list, create a project with
nested sectors, places and sites, update it and submit it. And every list operation of the document, called through
that client as an analyst, parses into its documented page type (a list whose shape differs from the document
crashed generated clients).

The generator runs in a temporary directory, in its own process, on /api/schema/ as the server serves it."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from projects.models import Project, ReviewState
from tests import factories

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"  # tests.factories.UserFactory's
PACKAGE = "tansiq_generated_client"


@pytest.fixture
def generated_client(live_server, personas, tmp_path):
    """The generated package, imported from tmp_path (and forgotten afterwards)."""
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=personas["ministry_analyst"]).key
    document = requests.get(f"{live_server.url}/api/schema/?format=json",
                            headers={"Authorization": f"Token {token}"}, timeout=60)
    assert document.status_code == 200, document.text[:500]
    assert document.json()["info"]["title"] == "Tansiq API"
    (tmp_path / "schema.json").write_bytes(document.content)
    generator = Path(sys.executable).parent / "openapi-python-client"
    run = subprocess.run([str(generator), "generate", "--path", "schema.json", "--output-path", PACKAGE,
                          "--meta", "none"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert (tmp_path / PACKAGE / "client.py").exists(), run.stdout + run.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def _op(package, name: str):
    return importlib.import_module(f"{package.__name__}.api.v1.{name}")


def _models(package):
    return importlib.import_module(f"{package.__name__}.models")


def test_a_focal_point_creates_updates_and_submits_a_project(generated_client, live_server, personas, undp):
    pkg, models = generated_client, _models(generated_client)
    factories.SectorFactory(code="water")
    factories.SectorFactory(code="health")
    factories.MunicipalityFactory(slug="tripoli-center")
    factories.MunicipalityFactory(slug="misrata")

    anonymous = pkg.Client(base_url=live_server.url, raise_on_unexpected_status=True)
    signed_in = _op(pkg, "v1_auth_token_create").sync(
        client=anonymous, body=models.TokenRequest(username="undp_fp", password=PASSWORD))
    assert isinstance(signed_in, models.Token), signed_in
    client = pkg.AuthenticatedClient(base_url=live_server.url, token=signed_in.token, prefix="Token",
                                     raise_on_unexpected_status=True)

    empty = _op(pkg, "v1_projects_list").sync(client=client)
    assert isinstance(empty, models.PaginatedProjectList) and empty.count == 0

    body = models.ProjectDetailRequest(
        title_en="Water network rehabilitation", title_ar="إعادة تأهيل شبكة المياه", budget="250000.00",
        currency="EUR", planned_start="2026-01-01", planned_end="2026-12-31",
        sectors=[models.SectorShareRequest(sector="water", percentage="70"),
                 models.SectorShareRequest(sector="health", percentage="30")],
        locations=[models.LocationRequest(municipality="tripoli-center"), models.LocationRequest(municipality="misrata")],
        sites=[models.SiteRequest(name_en="Pumping station", lat=32.88, lon=13.19, municipality="tripoli-center")])
    created = _op(pkg, "v1_projects_create").sync(client=client, body=body)
    assert isinstance(created, models.ProjectDetail), created
    assert created.reporting_partner == undp.pk and created.state == models.ReviewStateEnum.DRAFT
    assert sorted((s.sector, s.percentage) for s in created.sectors) == [("health", "30.00"), ("water", "70.00")]
    assert sorted(place.municipality for place in created.locations) == ["misrata", "tripoli-center"]
    assert [(site.name_en, site.municipality) for site in created.sites] == [("Pumping station", "tripoli-center")]

    listed = _op(pkg, "v1_projects_list").sync(client=client)
    assert listed.count == 1 and listed.results[0].id == created.id

    changed = _op(pkg, "v1_projects_partial_update").sync(
        id=created.id, client=client, body=models.PatchedProjectDetailRequest(
            title_en="Water network rehabilitation, phase 1",
            locations=[models.LocationRequest(municipality="tripoli-center")]))
    assert isinstance(changed, models.ProjectDetail), changed
    assert changed.title_en == "Water network rehabilitation, phase 1"
    assert [place.municipality for place in changed.locations] == ["tripoli-center"]

    submitted = _op(pkg, "v1_projects_submit_create").sync(id=created.id, client=client)
    assert isinstance(submitted, models.ProjectDetail), submitted
    assert submitted.state == models.ReviewStateEnum.SUBMITTED
    assert Project.objects.get(pk=created.id).state == ReviewState.SUBMITTED

    # An invalid body comes back as the documented error, with its field messages.
    refused = _op(pkg, "v1_projects_create").sync_detailed(client=pkg.AuthenticatedClient(
        base_url=live_server.url, token=signed_in.token, prefix="Token"), body=models.ProjectDetailRequest(
        title_en="Bad currency", currency="ZZZ"))
    assert refused.status_code == 400 and isinstance(refused.parsed, models.Error)
    assert refused.parsed.error.code == "invalid" and "currency" in refused.parsed.error.fields.to_dict()


def test_every_list_parses_as_documented(generated_client, live_server, personas, undp, unicef):
    from rest_framework.authtoken.models import Token

    pkg = generated_client
    municipality = factories.MunicipalityFactory(slug="tripoli-center")
    for partner, state in ((undp, ReviewState.SUBMITTED), (unicef, ReviewState.ACCEPTED)):
        factories.ProjectFactory(reporting_partner=partner, state=state).locations.create(municipality=municipality)
    client = pkg.AuthenticatedClient(base_url=live_server.url, prefix="Token", raise_on_unexpected_status=True,
                                     token=Token.objects.get(user=personas["ministry_analyst"]).key)
    operations = sorted(path.stem for path in (Path(pkg.__file__).parent / "api" / "v1").glob("v1_*_list.py"))
    assert len(operations) >= 15, operations
    parsed = []
    for name in operations:
        module = _op(pkg, name)
        if "update_pk" in module.sync.__code__.co_varnames:  # a nested list (attachments of an update)
            continue
        page = module.sync(client=client)
        assert type(page).__name__.startswith("Paginated"), (name, page)
        rows = page.features if hasattr(page, "features") else page.results  # GeoJSON pages hold features
        assert page.count == len(rows), (name, page.count)
        parsed.append(name)
    assert {"v1_projects_list", "v1_municipalities_list", "v1_scorecards_list", "v1_gaps_list"} <= set(parsed)
    projects = _op(pkg, "v1_projects_list").sync(client=client)
    assert projects.count == 2 and {row.state for row in projects.results} == {"submitted", "accepted"}


def test_the_exports_download_as_files_through_the_client(generated_client, live_server, personas, undp):
    """The IATI XML and 3W CSV answers are documented as files the generated client reads as bytes (it generates
    nothing for application/xml alone, and reads text/* as text, which a binary body breaks)."""
    from lxml import etree
    from rest_framework.authtoken.models import Token

    from projects.models import Participation

    pkg = generated_client
    project = factories.ProjectFactory(reporting_partner=undp, state=ReviewState.ACCEPTED, title_en="Exported")
    Participation.objects.create(project=project, partner=undp, role=4)
    project.locations.create(municipality=factories.MunicipalityFactory(slug="tripoli-center"))
    client = pkg.AuthenticatedClient(base_url=live_server.url, prefix="Token", raise_on_unexpected_status=True,
                                     token=Token.objects.get_or_create(user=personas["ministry_analyst"])[0].key)
    iati = _op(pkg, "exports_iati").sync_detailed(client=client)
    assert iati.status_code == 200 and iati.headers["content-type"].startswith("application/xml")
    doc = etree.fromstring(iati.parsed.payload.read())
    assert doc.tag == "iati-activities" and doc.findtext("iati-activity/title/narrative") == "Exported"
    sheet = _op(pkg, "exports_3w").sync(client=client)
    assert b"#org+impl" in sheet.payload.read()
    # asked for bytes only, the same file comes labelled as bytes (what the schema says it may)
    raw = requests.get(f"{live_server.url}/api/v1/exports/iati/", timeout=60, headers={
        "Authorization": f"Token {client.token}", "Accept": "application/octet-stream"})
    assert raw.status_code == 200 and raw.headers["content-type"] == "application/octet-stream"
    assert etree.fromstring(raw.content).tag == "iati-activities"
    # an export with nothing in it answers the documented JSON error
    Project.objects.all().delete()
    empty = _op(pkg, "exports_iati").sync_detailed(client=client)
    assert empty.status_code == 404 and empty.parsed.error.code == "not_found"
