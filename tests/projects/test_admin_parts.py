"""A project's parts keep their rules in the Django admin too: the sector split adds up to 100 and the
municipality shares are all given and add up to 100 (or none are given), checked on the inline rows that stay."""

from __future__ import annotations

from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from projects.models import Project, ProjectLocation, ProjectSector
from tests import factories

pytestmark = pytest.mark.django_db


class _FormFields(HTMLParser):
    """The values a browser would send for the change form as rendered: inputs, checked boxes, selected
    options and text areas. The inlines' empty-form templates (``__prefix__``) are left out, as a browser
    only sends the rows the page's script has added."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def _add(self, name: str | None, value: str) -> None:
        if name and "__prefix__" not in name:
            self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "input":
            kind = a.get("type", "text")
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            self._add(a.get("name"), a.get("value", "on" if kind in {"checkbox", "radio"} else ""))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self._add(self._select, a.get("value", ""))
        elif tag == "textarea":
            self._textarea = a.get("name")
            self._add(self._textarea, "")

    def handle_data(self, data: str) -> None:
        if self._textarea and self._textarea in self.data:
            self.data[self._textarea][-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            if self._textarea in self.data:
                # Django starts a textarea's content with a newline that browsers drop.
                self.data[self._textarea][-1] = self.data[self._textarea][-1].removeprefix("\n")
            self._textarea = None


def _change_form(client: Client, project: Project) -> tuple[str, dict[str, list[str]]]:
    """The change page's URL and the data its form would post unchanged (management forms included)."""
    url = reverse("admin:projects_project_change", args=[project.pk])
    page = client.get(url)
    assert page.status_code == 200
    parser = _FormFields()
    parser.feed(page.content.decode())
    data = parser.data
    data.pop("csrfmiddlewaretoken", None)
    assert "sector_shares-TOTAL_FORMS" in data and "locations-TOTAL_FORMS" in data
    return url, data


def _set_rows(data: dict[str, list[str]], prefix: str, field: str, values: list[str]) -> None:
    """Put ``values`` into the existing rows of an inline, in order."""
    assert data[f"{prefix}-TOTAL_FORMS"] == [str(len(values))]
    for index, value in enumerate(values):
        data[f"{prefix}-{index}-{field}"] = [value]


@pytest.fixture
def admin_client(client_for, english):
    return client_for("ministry_admin", "en")


@pytest.fixture
def project(undp):
    project = factories.ProjectFactory(reporting_partner=undp, title_en="Water in Tripoli")
    water, health = factories.SectorFactory(code="water"), factories.SectorFactory(code="health")
    ProjectSector.objects.create(project=project, sector=water, percentage=Decimal("70"))
    ProjectSector.objects.create(project=project, sector=health, percentage=Decimal("30"))
    for slug in ("tripoli-center", "souq-aljumaa"):
        ProjectLocation.objects.create(project=project, municipality=factories.MunicipalityFactory(slug=slug),
                                       share=Decimal("50"))
    return project


def _split(project: Project) -> list[Decimal]:
    return sorted(project.sector_shares.values_list("percentage", flat=True))


def _shares(project: Project) -> list[Decimal | None]:
    return sorted(project.locations.values_list("share", flat=True), key=str)


def test_the_unchanged_change_form_saves(admin_client, project):
    # The helper's data is what the page would send: if this did not save, the other tests would prove nothing.
    url, data = _change_form(admin_client, project)
    assert admin_client.post(url, data).status_code == 302


def test_the_admin_refuses_a_sector_split_that_does_not_add_up_to_100(admin_client, project):
    url, data = _change_form(admin_client, project)
    _set_rows(data, "sector_shares", "percentage", ["50", "30"])
    data["title_en"] = ["Renamed"]
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "Sector percentages must add up to 100 (they add up to 80" in response.content.decode()
    project.refresh_from_db()
    assert _split(project) == [Decimal("30"), Decimal("70")] and project.title_en == "Water in Tripoli"


def test_the_admin_saves_a_sector_split_that_adds_up_to_100(admin_client, project):
    url, data = _change_form(admin_client, project)
    _set_rows(data, "sector_shares", "percentage", ["60", "40"])
    assert admin_client.post(url, data).status_code == 302
    assert _split(project) == [Decimal("40"), Decimal("60")]


def test_the_admin_checks_the_split_on_the_rows_that_stay(admin_client, project):
    url, data = _change_form(admin_client, project)
    data["sector_shares-1-DELETE"] = ["on"]
    response = admin_client.post(url, data)
    assert response.status_code == 200 and "they add up to 70" in response.content.decode()
    assert _split(project) == [Decimal("30"), Decimal("70")]
    # and the one that stays at 100 is a valid split
    data["sector_shares-0-percentage"] = ["100"]
    assert admin_client.post(url, data).status_code == 302
    assert _split(project) == [Decimal("100")]


def test_the_admin_does_not_let_a_project_lose_all_its_sectors(admin_client, project):
    url, data = _change_form(admin_client, project)
    data["sector_shares-0-DELETE"] = data["sector_shares-1-DELETE"] = ["on"]
    response = admin_client.post(url, data)
    assert response.status_code == 200 and "Give at least one sector." in response.content.decode()
    assert len(_split(project)) == 2


def test_a_project_that_never_had_sectors_still_saves_in_the_admin(admin_client, undp):
    # As the services allow when no sector list is given (IATI files may carry none).
    bare = factories.ProjectFactory(reporting_partner=undp, title_en="No sectors yet")
    url, data = _change_form(admin_client, bare)
    data["title_en"] = ["Still no sectors"]
    assert admin_client.post(url, data).status_code == 302
    bare.refresh_from_db()
    assert bare.title_en == "Still no sectors"


@pytest.mark.parametrize("shares, message", [
    (["50", "30"], "Municipality shares must add up to 100."),
    (["100", ""], "Give a share for every municipality, or for none."),
])
def test_the_admin_refuses_municipality_shares_that_do_not_add_up(admin_client, project, shares, message):
    url, data = _change_form(admin_client, project)
    _set_rows(data, "locations", "share", shares)
    response = admin_client.post(url, data)
    assert response.status_code == 200 and message in response.content.decode()
    assert _shares(project) == [Decimal("50"), Decimal("50")]


@pytest.mark.parametrize("shares, saved", [(["25", "75"], [Decimal("25"), Decimal("75")]), (["", ""], [None, None])])
def test_the_admin_saves_municipality_shares_that_add_up_or_none(admin_client, project, shares, saved):
    url, data = _change_form(admin_client, project)
    _set_rows(data, "locations", "share", shares)
    assert admin_client.post(url, data).status_code == 302
    assert _shares(project) == saved


@pytest.mark.parametrize("model, field, value", [("projectsector", "percentage", "50"),
                                                 ("projectlocation", "share", "30")])
def test_a_single_part_cannot_be_changed_away_from_its_project(admin_client, project, model, field, value):
    # One row edited on its own page would break the sum its siblings make: parts are edited on the project.
    row = (project.sector_shares if model == "projectsector" else project.locations).first()
    url = reverse(f"admin:projects_{model}_change", args=[row.pk])
    page = admin_client.get(url)
    assert page.status_code == 200 and f'name="{field}"' not in page.content.decode()
    admin_client.post(url, {"project": project.pk, field: value})
    admin_client.post(reverse(f"admin:projects_{model}_delete", args=[row.pk]), {"post": "yes"})
    assert _split(project) == [Decimal("30"), Decimal("70")] and _shares(project) == [Decimal("50"), Decimal("50")]
    assert admin_client.get(reverse(f"admin:projects_{model}_add")).status_code == 403
