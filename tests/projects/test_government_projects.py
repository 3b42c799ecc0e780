"""The government's own projects: what makes one, who enters them, the dashboard's "international money only"
switch, coverage, duplicate detection, the API, and the spreadsheet import of allocations and projects."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from coordination import roles as r
from coordination.selectors.dashboard import DashboardFilters, dashboard_figures
from coordination.selectors.government import municipality_government_figures
from projects.models import (
    OrganisationRole,
    Participation,
    Partner,
    Project,
    ProjectLocation,
    ProjectSector,
    ReviewState,
)
from projects.selectors.government import government_projects, international_projects, projects_with_government_flag
from projects.services import project_create
from tests import factories

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 6, 30)


@pytest.fixture
def world(personas, undp):
    sector = factories.SectorFactory(code="water", name_ar="المياه والإصحاح", name_en="Water and sanitation")
    place = factories.MunicipalityFactory(name_ar="غريان", name_en="Gharyan", population=200000, population_year=2020)
    ministry = factories.PartnerFactory(name_ar="وزارة الموارد المائية", name_en="Ministry of Water Resources",
                                        acronym="MoWR", org_type=Partner.OrgType.GOVERNMENT, iati_ref=None,
                                        country="LY")
    council = factories.PartnerFactory(name_ar="المجلس البلدي غريان", name_en="Gharyan municipal council",
                                       acronym="GHR-MC", org_type=Partner.OrgType.LOCAL_GOVERNMENT, municipality=place,
                                       iati_ref=None, country="LY")
    return {"sector": sector, "place": place, "ministry": ministry, "council": council, "undp": undp}


def located(partner, world, *, budget="100000", funders=(), title_en=None, title_ar=None, **fields):
    p = factories.ProjectFactory(reporting_partner=partner, state=ReviewState.ACCEPTED, budget=Decimal(budget),
                                 **({"title_en": title_en} if title_en else {}),
                                 **({"title_ar": title_ar} if title_ar else {}), **fields)
    ProjectSector.objects.create(project=p, sector=world["sector"], percentage=100)
    ProjectLocation.objects.create(project=p, municipality=world["place"])
    for funder in funders:
        Participation.objects.create(project=p, partner=funder, role=OrganisationRole.FUNDING)
    return p


def account_of(username, partner, role=r.MUNICIPALITY_ACCOUNT):
    user = factories.UserFactory(username=username)
    user.groups.add(Group.objects.get(name=role))
    factories.FocalPointFactory(user=user, partner=partner)
    return user


# --- what a government project is --------------------------------------------------------------------------

def test_a_project_is_the_governments_when_every_funder_is_a_government_body(world):
    by_ministry = located(world["ministry"], world)  # no funder named: the government body keeps it
    funded_by_council = located(world["undp"], world, funders=[world["council"]])  # UNDP implements state money
    co_funded = located(world["ministry"], world, funders=[world["ministry"], world["undp"]])
    undp_own = located(world["undp"], world)
    # IATI's "government" type covers donor governments too: USAID's money is international money.
    usaid = factories.PartnerFactory(acronym="USAID", org_type=Partner.OrgType.GOVERNMENT, country="US")
    by_donor = located(usaid, world, funders=[usaid])
    flags = dict(projects_with_government_flag(Project.objects.all()).values_list("pk", "is_government"))
    assert flags == {by_ministry.pk: True, funded_by_council.pk: True, co_funded.pk: False, undp_own.pk: False,
                     by_donor.pk: False}
    assert set(government_projects(Project.objects.all())) == {by_ministry, funded_by_council}
    assert set(international_projects(Project.objects.all())) == {co_funded, undp_own, by_donor}
    assert world["ministry"].is_government and not usaid.is_government


def test_a_municipality_account_creates_its_councils_projects_through_the_service(world):
    account = account_of("gharyan", world["council"])
    project = project_create(user=account, fields={"title_ar": "صيانة شبكة المياه", "currency": "LYD",
                                                   "budget": Decimal("2000000")},
                             sectors=[{"sector": world["sector"], "percentage": Decimal("100")}],
                             locations=[{"municipality": world["place"]}],
                             participations=[{"partner": world["council"], "role": OrganisationRole.FUNDING}])
    assert project.reporting_partner == world["council"] and project.state == ReviewState.DRAFT
    assert list(government_projects(Project.objects.all())) == [project]
    from django.core.exceptions import PermissionDenied
    with pytest.raises(PermissionDenied):
        project_create(user=account, fields={"title_ar": "x", "reporting_partner": world["undp"]})


def test_the_project_form_page_takes_a_ministrys_project(world, client_for):
    staff = account_of("mowr_staff", world["ministry"], role=r.FOCAL_POINT)
    response = client_for(staff, "en").get(reverse("project_create"))
    assert response.status_code == 200


# --- figures ----------------------------------------------------------------------------------------------

def test_the_international_only_switch_changes_the_dashboard_totals(world, personas, client_for):
    located(world["ministry"], world, budget="500000")
    located(world["undp"], world, budget="1000000")
    analyst = personas["ministry_analyst"]
    everything = dashboard_figures(analyst, DashboardFilters(), today=TODAY)
    international = dashboard_figures(analyst, DashboardFilters(international_only=True), today=TODAY)
    assert everything["budget"]["usd"] == Decimal("1500000.00")
    assert international["budget"]["usd"] == Decimal("1000000.00")
    assert (everything["projects"]["total"], international["projects"]["total"]) == (2, 1)
    html = client_for("ministry_analyst", "en").get(reverse("home"), {"international": "on"}).content.decode()
    assert 'data-testid="international-only"' in html and "USD 1,000,000" in html


def test_the_dashboard_with_the_switch_has_a_fixed_number_of_queries(world, client_for,
                                                                     django_assert_max_num_queries):
    client = client_for("ministry_analyst", "en")
    located(world["ministry"], world)
    client.get(reverse("home"), {"international": "on"})
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"), {"international": "on"})
    for _ in range(6):
        located(world["ministry"], world)
        located(world["undp"], world)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("home"), {"international": "on"}).status_code == 200


def test_government_projects_count_in_coverage(world):
    from coordination.services.gaps import gap_analysis_on

    _inputs, before = gap_analysis_on(on=TODAY)
    assert world["place"].pk in before.unreached_municipality_ids()
    located(world["council"], world, actual_start=dt.date(2025, 1, 10))
    _inputs, after = gap_analysis_on(on=TODAY)
    figure = next(f for f in after.municipalities if f.municipality_id == world["place"].pk)
    assert figure.active_projects == 1 and figure.budget_usd == pytest.approx(100000)
    assert world["place"].pk not in after.unreached_municipality_ids()


def test_the_municipality_file_puts_government_and_international_side_by_side(world, personas, client_for):
    located(world["council"], world, budget="300000", title_en="Council water network")
    located(world["undp"], world, budget="1000000")
    located(world["undp"], world, budget="250000", funders=[world["ministry"]])  # state money, UNDP implements
    data = municipality_government_figures(personas["ministry_analyst"], world["place"])
    assert data["government"]["projects"] == 2 and data["government"]["usd"] == Decimal("550000.00")
    assert data["international"]["projects"] == 1 and data["international"]["usd"] == Decimal("1000000.00")
    assert [p["budget"] for p in data["government_projects"]] == [Decimal("300000"), Decimal("250000")]
    assert data["government_projects"][0]["body"] == "GHR-MC"
    html = client_for("ministry_analyst", "ar").get(
        reverse("municipality_file", args=[world["place"].slug])).content.decode()
    assert "المشاريع الحكومية" in html and "550,000 دولار أمريكي" in html


# --- duplicates -------------------------------------------------------------------------------------------

def test_a_partners_project_that_repeats_a_government_one_is_flagged(world):
    from coordination.models import DuplicateFlag
    from coordination.services.duplicates import duplicates_full_scan

    dates = {"planned_start": dt.date(2025, 2, 1), "planned_end": dt.date(2025, 12, 31)}
    government = located(world["council"], world, title_en="Rehabilitation of the Gharyan water network",
                         title_ar="إعادة تأهيل شبكة مياه غريان", **dates)
    partner = located(world["undp"], world, title_en="Gharyan water network rehabilitation",
                      title_ar="تأهيل شبكة المياه في غريان", **dates)
    located(world["undp"], world, title_en="Teacher training in Gharyan schools",
            title_ar="تدريب المعلمين في مدارس غريان", **dates)
    duplicates_full_scan()
    flags = list(DuplicateFlag.objects.all())
    assert [(f.project_a_id, f.project_b_id) for f in flags] == [tuple(sorted((government.pk, partner.pk)))]
    assert flags[0].kind == "overlap"


# --- API --------------------------------------------------------------------------------------------------

def test_the_project_api_says_which_projects_are_the_governments(world, client_for, django_assert_max_num_queries):
    gov = located(world["ministry"], world)
    located(world["undp"], world)
    client = client_for("ministry_analyst", "en", api=True)
    body = client.get("/api/v1/projects/").json()
    flags = {row["id"]: row["is_government"] for row in body["results"]}
    assert flags[gov.pk] is True and list(flags.values()).count(True) == 1
    only = client.get("/api/v1/projects/", {"government": "true"}).json()
    assert [row["id"] for row in only["results"]] == [gov.pk]
    assert client.get(f"/api/v1/projects/{gov.pk}/").json()["is_government"] is True
    with django_assert_max_num_queries(12) as few:
        client.get("/api/v1/projects/")
    for _ in range(5):
        located(world["ministry"], world)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/api/v1/projects/")


def test_the_allocations_api_is_scoped(world, personas, client_for):
    from municipalities.services import allocation_save

    other = factories.MunicipalityFactory()
    allocation_save(municipality=world["place"], year=2025, amount=Decimal("1000000"))
    allocation_save(municipality=other, year=2025, amount=Decimal("2000000"))
    account = account_of("gharyan", world["council"])
    seen = {who: client_for(who, "en", api=True).get("/api/v1/allocations/") for who in
            ("ministry_analyst", "undp_focal_point", "anonymous")}
    assert seen["ministry_analyst"].json()["count"] == 2
    assert seen["undp_focal_point"].json()["count"] == 0
    assert seen["anonymous"].status_code in (401, 403)
    own = client_for(account, "en", api=True).get("/api/v1/allocations/").json()
    assert [row["municipality"] for row in own["results"]] == [world["place"].slug]
    assert own["results"][0]["amount"] == "1000000.00"
    hidden = allocation_save(municipality=other, year=2024, amount=Decimal("5"))[0]
    assert client_for(account, "en", api=True).get(f"/api/v1/allocations/{hidden.pk}/").status_code == 404
    assert client_for("ministry_analyst", "en", api=True).post("/api/v1/allocations/", {}).status_code == 405


# --- the spreadsheet import --------------------------------------------------------------------------------

HEADER = ("#meta+record,#adm3+code,#date+year,#value,#currency,#meta+source,#description+note,#org+funder,"
          "#org+reporting,#activity+name+i_ar,#activity+name+i_en,#sector+code,#status,#date+start,#date+end,"
          "#value+usd")


def sheet(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def good_sheet(world) -> bytes:
    pcode = world["place"].pcode
    return sheet(
        f"allocation,{pcode},2024,4000000,LYD,,,,,,,,,,,",
        f"مخصص,{pcode},2025,5000000,lyd,باب التنمية,first tranche,,,,,,,,,",
        f"project,{pcode},,,,,,GHR-MC,,صيانة شبكة المياه,Water network maintenance,water,2,2025-01-01,2025-12-31,"
        "300000",
        f"مشروع,{pcode},,,,,,MoWR,,حفر آبار,Wells,water,2,2025-03-01,2026-02-28,700000",
    )


def counts():
    from municipalities.models import DevelopmentAllocation

    return Project.objects.count(), DevelopmentAllocation.objects.count(), Participation.objects.count()


def test_a_good_sheet_imports_allocations_and_government_projects_and_again_changes_nothing(world):
    from municipalities.models import DevelopmentAllocation
    from projects.exchange.services.government_import import government_import

    report = government_import(data=good_sheet(world), name="gov.csv")
    assert report.allocations == {"created": 2, "updated": 0, "unchanged": 0}
    assert report.projects == {"created": 2, "updated": 0, "unchanged": 0}
    assert set(DevelopmentAllocation.objects.values_list("year", "amount", "currency")) == {
        (2024, Decimal("4000000.00"), "LYD"), (2025, Decimal("5000000.00"), "LYD")}
    imported = Project.objects.filter(title_en__in=["Water network maintenance", "Wells"])
    assert set(government_projects(imported)) == set(imported) and imported.count() == 2
    assert imported.get(title_en="Wells").reporting_partner == world["ministry"]  # the funder keeps the record
    assert all(p.state == ReviewState.ACCEPTED for p in imported)
    before = counts()
    again = government_import(data=good_sheet(world), name="gov.csv")
    assert again.allocations == {"created": 0, "updated": 0, "unchanged": 2}
    assert again.projects == {"created": 0, "updated": 0, "unchanged": 2}
    assert counts() == before


def test_bad_rows_are_all_reported_in_the_readers_language_and_nothing_is_written(world):
    from django.utils import translation

    from projects.exchange.services.government_import import GovernmentImportError, government_import

    pcode = world["place"].pcode
    bad = sheet(
        f"allocation,{pcode},2025,5000000,LYD,,,,,,,,,,,",  # good
        "allocation,LY999999,1800,-5,LYD,,,,,,,,,,,",  # unknown place, bad year, bad amount
        f"project,{pcode},,,,,,UNDP,,مشروع,Project,water,2,,,100",  # a partner's funding
        f"project,{pcode},,,,,,MoWR,,مشروع آخر,Other,no-such-sector,2,,,100",  # unknown sector
        f"something,{pcode},,,,,,,,,,,,,,",  # neither kind
    )
    before = counts()
    with translation.override("en"), pytest.raises(GovernmentImportError) as caught:
        government_import(data=bad, name="bad.csv")
    assert counts() == before
    by_row = {}
    for e in caught.value.errors:
        by_row.setdefault(e.row, []).append(e.column)
    assert set(by_row) == {3, 4, 5, 6}
    assert {"#adm3+code", "#date+year", "#value"} <= set(by_row[3])
    assert "#org+funder" in by_row[4] and "#sector+code" in by_row[5]
    assert any("not a government body" in str(e) for e in caught.value.errors)
    with translation.override("ar"), pytest.raises(GovernmentImportError) as arabic:
        government_import(data=bad, name="bad.csv")
    assert any("ليست جهة حكومية" in str(e) for e in arabic.value.errors)
    assert counts() == before


def test_a_dry_run_counts_and_writes_nothing(world):
    from projects.exchange.services.government_import import government_import

    before = counts()
    report = government_import(data=good_sheet(world), name="gov.csv", dry_run=True)
    assert report.allocations["created"] == 2 and report.projects["created"] == 2 and report.dry_run
    assert counts() == before


def test_a_municipality_account_imports_its_councils_projects_for_review_but_no_allocations(world, personas):
    from projects.exchange.services.government_import import (
        GovernmentImportError,
        government_import,
        government_import_allowed,
    )

    account = account_of("gharyan", world["council"])
    pcode = world["place"].pcode
    own = sheet(f"project,{pcode},,,,,,,,صيانة الطرق,Road repairs,water,2,2025-01-01,2025-12-31,1000")
    report = government_import(data=own, name="own.csv", user=account)
    assert report.projects["created"] == 1
    made = Project.objects.get(title_en="Road repairs")
    assert made.reporting_partner == world["council"] and made.state == ReviewState.SUBMITTED
    with pytest.raises(GovernmentImportError):
        government_import(data=sheet(f"allocation,{pcode},2025,1,LYD,,,,,,,,,,,"), name="a.csv", user=account)
    with pytest.raises(GovernmentImportError):  # another body's project
        government_import(data=sheet(f"project,{pcode},,,,,,MoWR,MoWR,x,Other body,water,2,,,1"), name="b.csv",
                          user=account)
    assert not Project.objects.filter(title_en="Other body").exists()
    assert government_import_allowed(personas["ministry_analyst"])
    assert not government_import_allowed(personas["undp_focal_point"])
    assert not government_import_allowed(personas["viewer"])


def test_the_command_checks_and_imports(world, tmp_path):
    from io import StringIO

    from django.core.management import CommandError, call_command

    path = tmp_path / "gov.csv"
    path.write_bytes(good_sheet(world))
    out = StringIO()
    call_command("import_government", str(path), "--dry-run", stdout=out)
    assert counts()[1] == 0 and "2" in out.getvalue()
    call_command("import_government", str(path), stdout=StringIO())
    assert counts()[1] == 2
    path.write_bytes(sheet("allocation,LY999999,2025,1,LYD,,,,,,,,,,,"))
    with pytest.raises(CommandError):
        call_command("import_government", str(path), stdout=StringIO())


def test_the_upload_page(world, personas, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("government_upload")
    assert client_for("undp_focal_point", "en").get(url).status_code == 403
    assert client_for("anonymous", "en").get(url).status_code == 302
    analyst = client_for("ministry_analyst", "ar")
    assert analyst.get(url).status_code == 200
    pcode = world["place"].pcode
    response = analyst.post(url, {"file": SimpleUploadedFile("a.csv", sheet(f"allocation,{pcode},2025,9,LYD,,,,,,,,,,,"))})
    assert response.status_code == 200 and 'data-testid="government-report"' in response.content.decode()
    assert counts()[1] == 1
    response = analyst.post(url, {"file": SimpleUploadedFile("b.csv", sheet("allocation,LY999999,2025,9,LYD,,,,,,,,,,,"))})
    assert response.status_code == 400 and "لم يُحفظ شيء" in response.content.decode()
    assert counts()[1] == 1
    # The analyst keeps the ministry's figures but creates no project: project rows are refused.
    response = analyst.post(url, {"file": SimpleUploadedFile("c.csv", sheet(
        f"project,{pcode},,,,,,MoWR,,x,X,water,2,,,1"))})
    assert response.status_code == 400 and not Project.objects.filter(title_en="X").exists()


# --- the demo ---------------------------------------------------------------------------------------------

def test_seed_demo_writes_allocations_government_projects_and_a_planted_repeat(db, tmp_path):
    import json

    from django.core.management import call_command

    from coordination.models import DuplicateFlag
    from coordination.services.duplicates import duplicates_full_scan
    from coordination.services.gaps import gap_analysis_on
    from municipalities.models import DevelopmentAllocation, Municipality
    from tests.demo.reference import demo_reference_in_db

    demo_reference_in_db()
    path = tmp_path / "truth.json"
    call_command("seed_demo", "--projects=200", "--seed=4", "--today=2025-06-30", "--government", f"--truth={path}",
                 verbosity=0)
    truth = json.loads(path.read_text(encoding="utf-8"))
    government = truth["government"]
    assert DevelopmentAllocation.objects.count() == government["allocations"] == 3 * Municipality.objects.count()
    assert set(DevelopmentAllocation.objects.values_list("year", flat=True)) == {2023, 2024, 2025}
    made = Project.objects.filter(pk__in=government["projects"])
    assert made.count() == len(government["projects"]) >= 4
    assert all(p.partner_code.startswith("DEMO-GOV-") and "demo" in p.description_en for p in made)
    assert set(government_projects(Project.objects.all())) == set(made)
    assert Project.objects.count() == 200 + made.count()
    # The planted gaps are still gaps: government projects went where partners already work.
    _inputs, analysis = gap_analysis_on(on=dt.date(2025, 6, 30))
    assert analysis.unreached_municipality_ids() == {e["id"] for e in truth["unreached"]["municipalities"]}
    from coordination.services.delays import delays_detect

    assert delays_detect(today=dt.date(2025, 6, 30), project_ids=government["projects"]) == []  # on schedule
    (pair,) = government["duplicates"]
    duplicates_full_scan()
    assert DuplicateFlag.objects.filter(project_a_id=pair["a"], project_b_id=pair["b"]).exists()


# --- the permission matrix, extended to the municipality account -----------------------------------------

# Columns: the council's project in draft, submitted, accepted, returned | UNDP's, same order (as in
# tests/projects/test_permissions.py). Y = allowed, - = refused.
MUNICIPALITY_ACCOUNT_MATRIX = {"view": "YYYY --Y-", "edit": "YYYY ----", "submit": "Y--Y ----", "review": "---- ----"}


def test_the_municipality_account_is_scoped_like_a_focal_point(world):
    from projects import permissions as perm
    from projects.selectors.projects import projects_visible_to

    account = account_of("gharyan", world["council"])
    rules = {"view": perm.project_can_view, "edit": perm.project_can_edit, "submit": perm.project_can_submit,
             "review": perm.project_can_review}
    states = [ReviewState.DRAFT, ReviewState.SUBMITTED, ReviewState.ACCEPTED, ReviewState.RETURNED]
    projects = [factories.ProjectFactory(reporting_partner=partner, state=state)
                for partner in (world["council"], world["undp"]) for state in states]
    visible = set(projects_visible_to(account).values_list("pk", flat=True))
    for action, expected in MUNICIPALITY_ACCOUNT_MATRIX.items():
        got = "".join("Y" if rules[action](account, p) else "-" for p in projects)
        assert got == expected.replace(" ", ""), action
    assert "".join("Y" if p.pk in visible else "-" for p in projects) == MUNICIPALITY_ACCOUNT_MATRIX["view"].replace(
        " ", "")
    assert perm.project_can_create(account, world["council"]) and not perm.project_can_create(account, world["undp"])
    assert perm.user_municipality_id(account) == world["place"].pk
