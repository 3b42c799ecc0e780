"""Partner aliases: written through the service (normalised, never another partner's name), used by the importers."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from projects.exchange.services.aliases import partner_alias_add, partner_alias_remove
from projects.exchange.services.iati_import import iati_import
from projects.exchange.services.spreadsheet_import import spreadsheet_preview
from projects.models import Partner, PartnerAlias, Project
from tests.conftest import force_login_verified
from tests.projects.exchange.support import load_reference, sheet_csv, sheet_row

# These tests read the English wording of the reports (the site itself defaults to Arabic).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def p(db):
    load_reference()


@pytest.fixture
def people(p, personas):
    return personas


@pytest.fixture
def undp(p):
    return Partner.objects.get(iati_ref="XM-DAC-41114")


def test_add_normalises_and_is_idempotent(people, undp):
    alias = partner_alias_add(partner=undp, name="  UNDP   Libya ", user=people["ministry_admin"])
    assert alias.name == "UNDP Libya" and alias.normalised == "undp libya"
    assert alias.created_by == people["ministry_admin"]
    assert partner_alias_add(partner=undp, name="undp-libya", user=people["ministry_admin"]).pk == alias.pk
    assert PartnerAlias.objects.count() == 1


@pytest.mark.parametrize(("name", "message"), [
    ("UNICEF", "name of another partner"),
    ("United Nations Development Programme", "already the name of"),
    ("!", "at least two"),
])
def test_refused_aliases(people, undp, name, message):
    with pytest.raises(ValidationError, match=message):
        partner_alias_add(partner=undp, name=name, user=people["ministry_admin"])


def test_an_alias_belongs_to_one_partner(people, undp):
    partner_alias_add(partner=undp, name="UNDP Libya", user=people["ministry_admin"])
    unicef = Partner.objects.get(acronym="UNICEF")
    with pytest.raises(ValidationError, match="already an alias of UNDP"):
        partner_alias_add(partner=unicef, name="undp  LIBYA", user=people["ministry_admin"])


@pytest.mark.parametrize("persona", ["ministry_analyst", "undp_focal_point", "viewer"])
def test_only_the_ministry_administrator_edits_aliases(people, undp, persona):
    with pytest.raises(PermissionDenied):
        partner_alias_add(partner=undp, name="UNDP Libya", user=people[persona])
    alias = partner_alias_add(partner=undp, name="UNDP Libya", user=people["ministry_admin"])
    with pytest.raises(PermissionDenied):
        partner_alias_remove(alias=alias, user=people[persona])
    partner_alias_remove(alias=alias, user=people["ministry_admin"])
    assert not PartnerAlias.objects.exists()


def test_iati_import_maps_an_alias_instead_of_creating_a_partner(people, undp):
    partner_alias_add(partner=undp, name="برنامج الأمم المتحدة الإنمائي - ليبيا", user=people["ministry_admin"])
    partner_alias_add(partner=undp, name="XM-DAC-41114-LBY", user=people["ministry_admin"])
    partners = Partner.objects.count()
    xml = """<iati-activities version="2.03"><iati-activity>
      <iati-identifier>XM-TEST-ALIAS-1</iati-identifier>
      <reporting-org ref="XM-DAC-41114-LBY" type="40"><narrative>UNDP Libya office</narrative></reporting-org>
      <title><narrative>Water</narrative></title>
      <participating-org role="4"><narrative xml:lang="ar">برنامج الامم المتحدة الانمائي – ليبيا</narrative></participating-org>
    </iati-activity></iati-activities>""".encode()
    report = iati_import(files=[("a.xml", xml)])
    project = Project.objects.get(iati_identifier="XM-TEST-ALIAS-1")
    assert project.reporting_partner == undp  # by the code
    assert project.participations.get().partner == undp  # by the Arabic name, spelt differently
    assert report.partners_created == [] and Partner.objects.count() == partners


def test_spreadsheet_rows_accept_an_alias(people, undp):
    rows = [sheet_row(**{"#org+impl": "UNDP Libya"})]
    assert not spreadsheet_preview(data=sheet_csv(rows)).ok  # unknown partner until the alias exists
    partner_alias_add(partner=undp, name="UNDP Libya", user=people["ministry_admin"])
    preview = spreadsheet_preview(data=sheet_csv(rows))
    assert preview.ok, preview.lines()
    assert list(preview.projects[0].implementers.values()) == [undp]


def test_admin_saves_through_the_service(people, client, undp):
    force_login_verified(client, people["ministry_admin"])
    client.cookies["django_language"] = "en"  # the request's language, not the test's override
    response = client.post(reverse("admin:projects_partneralias_add"), {"partner": undp.pk, "name": "UNDP  Libya"})
    assert response.status_code == 302, response.content.decode()[:2000]
    alias = PartnerAlias.objects.get()
    assert (alias.name, alias.normalised, alias.created_by) == ("UNDP Libya", "undp libya", people["ministry_admin"])
    # another partner's name is refused on the form, not with a server error
    response = client.post(reverse("admin:projects_partneralias_add"), {"partner": undp.pk, "name": "UNICEF"})
    assert response.status_code == 200 and "name of another partner" in response.content.decode()
    response = client.post(reverse("admin:projects_partneralias_change", args=[alias.pk]),
                           {"partner": undp.pk, "name": "PNUD Libye"})
    alias.refresh_from_db()
    assert response.status_code == 302 and alias.name == "PNUD Libye" and alias.normalised == "pnud liby"  # stemmed
