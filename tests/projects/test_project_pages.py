"""The project pages of issue 11 (item 6): the list's sorting and period, the project's map, flags and money,
the focal point's form with its partners, places, sites and plan objectives, and the review queue."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import ExchangeRate, Project, ReviewState
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(db):
    water = factories.SectorFactory(code="water", name_en="Water and sanitation", name_ar="المياه والصرف الصحي")
    towns = [factories.MunicipalityFactory(name_en=f"Town {i}", name_ar=f"بلدة {i}") for i in range(2)]
    return {"water": water, "towns": towns}


def _project(partner, place, **fields):
    project = factories.ProjectFactory(reporting_partner=partner, state=fields.pop("state", ReviewState.ACCEPTED),
                                       **fields)
    project.sector_shares.create(sector=place["water"], percentage=Decimal("100"))
    project.locations.create(municipality=place["towns"][0])
    return project


def _ids(response) -> list[int]:
    return [p.pk for p in response.context["page"].object_list]


# --- the list: sorting, the period, money ------------------------------------------------------------

@pytest.fixture
def three(undp, place):
    ExchangeRate.objects.create(currency="EUR", year=2025, usd_per_unit=Decimal("1.10"))
    ExchangeRate.objects.create(currency="LYD", year=2020, usd_per_unit=Decimal("0.20"))
    return {
        # In USD: A 110,000 (2025 rate), B 105,000, C 200,000 (the nearest year's rate, 2020): sorting by the
        # budget's own figure would give B, A, C the other way round.
        "a": _project(undp, place, title_en="Alpha wells", budget=Decimal("100000"), currency="EUR",
                      planned_start=dt.date(2025, 3, 1), planned_end=dt.date(2025, 12, 31), status=2),
        "b": _project(undp, place, title_en="Bravo clinic", budget=Decimal("105000"), currency="USD",
                      planned_start=dt.date(2024, 1, 1), planned_end=dt.date(2024, 6, 30), status=4),
        "c": _project(undp, place, title_en="Charlie school", budget=Decimal("1000000"), currency="LYD",
                      planned_start=dt.date(2023, 1, 1), planned_end=None, status=1),
    }


def test_the_sorting_budget_in_usd_is_the_pages_figure_in_every_year(undp, place):
    from projects.selectors.money import exchange_rate_table
    from projects.selectors.project_pages import budget_usd_expression, project_budget_usd

    for year, rate in ((2016, "0.70"), (2019, "0.50"), (2024, "0.20")):  # midpoints 2017 and 2021
        ExchangeRate.objects.create(currency="LYD", year=year, usd_per_unit=Decimal(rate))
    starts = [None, dt.date(2010, 5, 1), dt.date(2017, 12, 31), dt.date(2018, 1, 1), dt.date(2021, 12, 31),
              dt.date(2022, 1, 1), dt.date(2030, 1, 1)]
    for i, start in enumerate(starts):
        _project(undp, place, title_en=f"P{i}", budget=Decimal("1000"), currency="LYD", planned_start=start,
                 planned_end=None)
    _project(undp, place, title_en="No rate", budget=Decimal("1000"), currency="XAF")
    rates = exchange_rate_table()
    rows = Project.objects.annotate(usd=budget_usd_expression(rates, this_year=2026))
    assert len(rows) == len(starts) + 1
    for project in rows:
        expected = project_budget_usd(project, rates) if project.planned_start else (
            Decimal("1000") * Decimal("0.20") if project.currency == "LYD" else None)
        got = None if project.usd is None else Decimal(project.usd).quantize(Decimal("0.01"))
        assert got == expected, project.title_en


@pytest.mark.parametrize("sort, expected", [
    ("title", "abc"), ("-title", "cba"), ("start", "cba"), ("-start", "abc"), ("end", "bac"),
    ("-end", "abc"), ("budget", "bac"), ("-budget", "cab"), ("status", "cab"), ("-status", "bac"),
])
def test_the_list_sorts_by_each_column_both_ways(client_for, personas, three, sort, expected):
    response = client_for("ministry_analyst", "en").get(reverse("project_list"), {"sort": sort})
    assert response.status_code == 200
    assert _ids(response) == [three[k].pk for k in expected]
    # The order is in the URL of the column's link, and the page links keep it.
    assert response.context["sort"] == sort


def test_the_budget_shows_in_its_currency_and_in_usd(client_for, personas, three):
    response = client_for("ministry_analyst", "en").get(reverse("project_list"), {"sort": "title"})
    html = response.content.decode()
    assert "EUR 100,000" in html and "USD 110,000" in html  # 2025 rate
    assert "USD 200,000" in html  # 2023 start: the nearest year's rate (2020)
    arabic = client_for("ministry_analyst", "ar").get(reverse("project_list"), {"sort": "title"}).content.decode()
    assert "100,000 يورو" in arabic and "110,000 دولار أمريكي" in arabic


def test_the_period_filter_keeps_projects_active_between_the_two_dates(client_for, personas, three):
    client = client_for("ministry_analyst", "en")
    got = client.get(reverse("project_list"), {"active_from": "2024-07-01", "active_to": "2024-12-31", "sort": "title"})
    assert _ids(got) == [three["c"].pk]  # A starts later, B ended before; C has no end
    got = client.get(reverse("project_list"), {"active_from": "2024-05-01", "sort": "title"})
    assert _ids(got) == [three[k].pk for k in "abc"]
    got = client.get(reverse("project_list"), {"active_to": "2023-12-31", "sort": "title"})
    assert _ids(got) == [three["c"].pk]
    assert "active until 31 Dec 2023" in got.content.decode()  # the period read back, through the formatting layer


@pytest.mark.parametrize("params, field, count", [
    ({"sort": "drop table"}, "sort", 3), ({"active_from": "2024-13-45"}, "active_from", 3),
    ({"active_from": "2025-01-01", "active_to": "2024-01-01"}, "active_to", 2), ({"status": "x"}, "status", 3),
    ({"page": "abc"}, None, 3), ({"sort": "title", "active_to": "yesterday", "status": "4"}, "active_to", 1),
])
def test_bad_parameters_give_a_clear_message_not_an_error(client_for, personas, three, params, field, count):
    response = client_for("ministry_analyst", "en").get(reverse("project_list"), params)
    assert response.status_code == 200
    assert response.context["page"].paginator.count == count  # the valid filters still apply
    if field:
        assert field in response.context["form"].errors
        assert 'data-testid="filter-errors"' in response.content.decode()


def test_sorting_and_the_period_keep_a_fixed_number_of_queries(client_for, personas, undp, unicef, place,
                                                                django_assert_num_queries):
    ExchangeRate.objects.create(currency="EUR", year=2025, usd_per_unit=Decimal("1.10"))
    client = client_for("ministry_analyst", "ar")
    params = {"sort": "-budget", "active_from": "2025-01-01", "active_to": "2025-12-31"}
    for i in range(3):
        _project(undp if i % 2 else unicef, place, currency="EUR" if i % 2 else "USD")
    client.get(reverse("project_list"), params)  # warm the caches (session, content types)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        first = client.get(reverse("project_list"), params)
    for i in range(30):
        _project(undp, place, currency="EUR" if i % 2 else "USD")
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse("project_list"), params)
    assert first.context["page"].paginator.count == 3
    assert response.context["page"].paginator.count == 33
    assert len(response.context["page"].object_list) == 25


def test_a_focal_point_does_not_see_another_partners_draft_in_the_list(client_for, personas, undp, unicef, place):
    mine = _project(undp, place, state=ReviewState.DRAFT, title_en="Our draft")
    theirs = _project(unicef, place, state=ReviewState.DRAFT, title_en="Their draft")
    response = client_for("undp_focal_point", "en").get(reverse("project_list"), {"scope": "all", "sort": "title"})
    assert mine.pk in _ids(response) and theirs.pk not in _ids(response)
    assert Project.objects.count() == 2


# --- the project's page: map, money, links, flags ---------------------------------------------------

@pytest.fixture
def mapped(undp, unicef, place):
    from django.contrib.gis.geos import MultiPolygon, Point, Polygon

    town0, town1 = place["towns"]
    town0.area = MultiPolygon(Polygon.from_bbox((13.0, 32.7, 13.3, 32.9)), srid=4326)
    town0.area_is_official = False
    town0.save()
    ExchangeRate.objects.create(currency="EUR", year=2025, usd_per_unit=Decimal("1.10"))
    project = _project(undp, place, title_en="Grid repairs", budget=Decimal("200000"), currency="EUR",
                       spend_to_date=Decimal("50000"), planned_start=dt.date(2025, 2, 1))
    project.locations.all().delete()
    project.locations.create(municipality=town0, share=Decimal("60"))
    project.locations.create(municipality=town1, share=Decimal("40"))
    project.sites.create(name_en="Substation 4", point=Point(13.15, 32.8, srid=4326), municipality=town0)
    project.participations.create(partner=unicef, role=1)
    return project


def test_the_project_page_draws_its_places_and_sites_and_shows_money_in_usd(client_for, personas, mapped, place):
    response = client_for("ministry_analyst", "en").get(reverse("project_detail", args=[mapped.pk]))
    data = response.context["map_data"]
    places = {p["name"]: p for p in data["places"]}  # in p-code order, which the factories do not fix
    assert sorted(places) == ["Town 0", "Town 1"] and len(data["places"]) == 2
    assert places["Town 0"]["area"]["type"] in ("Polygon", "MultiPolygon") and places["Town 0"]["area_is_official"] is False
    assert places["Town 1"]["area"] is None and places["Town 1"]["point"]  # a point when there is no area
    assert places["Town 0"]["share_text"] == "60%"
    assert data["sites"] == [{"lon": 13.15, "lat": 32.8, "name": "Substation 4", "municipality": "Town 0"}]
    html = response.content.decode()
    assert 'id="project-map-data"' in html and "js/project_map.js" in html
    assert "EUR 200,000" in html and "USD 220,000" in html and "USD 55,000" in html  # budget and spend in USD
    assert reverse("municipality_file", args=[place["towns"][0].slug]) in html
    assert reverse("partner_detail", args=[mapped.reporting_partner_id]) in html
    assert reverse("partner_detail", args=[mapped.participations.get().partner_id]) in html
    assert reverse("project_flags", args=[mapped.pk]) in html  # the flags fragment, loaded by htmx
    arabic = client_for("ministry_analyst", "ar").get(reverse("project_detail", args=[mapped.pk])).content.decode()
    assert "200,000 يورو" in arabic and "220,000 دولار أمريكي" in arabic and "من 1 فبراير 2025" in arabic


@pytest.fixture
def flagged(undp, unicef, place, mapped):
    from coordination.models import DelayFlag, DuplicateFlag, GapFlag

    accepted = _project(unicef, place, title_en="Accepted twin", state=ReviewState.ACCEPTED)
    draft = _project(unicef, place, title_en="Hidden draft twin", state=ReviewState.DRAFT)
    pairs = []
    for other in (accepted, draft):
        a, b = sorted([mapped, other], key=lambda p: p.pk)
        pairs.append(DuplicateFlag.objects.create(
            project_a=a, project_b=b, kind=DuplicateFlag.Kind.OVERLAP, score=0.7,
            reasons=[{"code": "same_municipality", "params": {}}]))
    resolved = DelayFlag.objects.create(project=mapped, rule=DelayFlag.Rule.LATE_START, severity=1, score=0.2)
    resolved.resolved_at = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    resolved.save()
    delay = DelayFlag.objects.create(project=mapped, rule=DelayFlag.Rule.END_PASSED, severity=3, score=0.9)
    gap = GapFlag.objects.create(municipality=place["towns"][1], sector=place["water"], score=0.8, severity=4,
                                 people_in_need=9000)
    return {"accepted": accepted, "draft": draft, "pairs": pairs, "delay": delay, "gap": gap}


def test_the_flags_fragment_shows_what_the_reader_may_see(client_for, personas, mapped, flagged):
    url = reverse("project_flags", args=[mapped.pk])
    staff = client_for("ministry_analyst", "en").get(url)
    assert staff.status_code == 200
    flags = staff.context["flags"]
    assert {row["other_id"] for row in flags["duplicates"]} == {flagged["accepted"].pk, flagged["draft"].pk}
    assert [row["rule_label"] for row in flags["delays"]] == ["Planned end passed"]  # the resolved one is not
    assert flags["gaps_stored"] and [g["id"] for g in flags["gaps"]] == [flagged["gap"].pk]
    # The focal point of the project's partner: the pair with another partner's draft is not theirs to see.
    own = client_for("undp_focal_point", "en").get(url)
    assert [row["other_id"] for row in own.context["flags"]["duplicates"]] == [flagged["accepted"].pk]
    assert "Hidden draft twin" not in own.content.decode()
    assert own.context["flags"]["delay_count"] == 1
    assert own.context["flags"]["gaps_stored"] is False  # found over their own view, not the ministry's list
    assert all(g["id"] is None for g in own.context["flags"]["gaps"])


@pytest.mark.parametrize("name, status", [("unicef_focal_point", 200), ("anonymous", 302), ("viewer", 200)])
def test_who_may_open_a_projects_flags(client_for, personas, mapped, flagged, name, status):
    response = client_for(name, "en").get(reverse("project_flags", args=[mapped.pk]))
    assert response.status_code == status
    draft = client_for(name, "en").get(reverse("project_flags", args=[flagged["draft"].pk]))
    assert draft.status_code == {"unicef_focal_point": 200, "anonymous": 302, "viewer": 200}[name]
    if name == "unicef_focal_point":  # the pair with UNDP's accepted project and its own draft is theirs
        assert {r["other_id"] for r in draft.context["flags"]["duplicates"]} == {mapped.pk}


def test_another_partners_draft_and_its_flags_are_not_found(client_for, personas, flagged):
    client = client_for("undp_focal_point", "en")
    assert client.get(reverse("project_flags", args=[flagged["draft"].pk])).status_code == 404
    assert client.get(reverse("project_detail", args=[flagged["draft"].pk])).status_code == 404


def test_the_project_page_and_its_flags_cost_fixed_queries(client_for, personas, mapped, flagged, place, unicef,
                                                           django_assert_num_queries):
    from django.contrib.gis.geos import Point
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from coordination.models import DuplicateFlag

    client = client_for("ministry_analyst", "ar")
    urls = [reverse("project_detail", args=[mapped.pk]), reverse("project_flags", args=[mapped.pk])]
    for url in urls:
        client.get(url)
    counts = []
    for url in urls:
        with CaptureQueriesContext(connection) as few:
            client.get(url)
        counts.append(len(few.captured_queries))
    for i in range(10):
        mapped.sites.create(name_en=f"Site {i}", point=Point(13.1 + i / 100, 32.8, srid=4326))
        other = _project(unicef, place, title_en=f"Twin {i}")
        a, b = sorted([mapped, other], key=lambda p: p.pk)
        DuplicateFlag.objects.create(project_a=a, project_b=b, kind=DuplicateFlag.Kind.OVERLAP, score=0.5)
    for url, count in zip(urls, counts, strict=True):
        with django_assert_num_queries(count):
            response = client.get(url)
    assert len(response.context["flags"]["duplicates"]) == 12


# --- the focal point's form: partners and roles, places with shares, sites, plan objectives -----------

@pytest.fixture
def plans(place):
    from municipalities.models import DevelopmentPlan

    national = DevelopmentPlan.objects.create(level="national", title_ar="الخطة العامة للدولة",
                                              title_en="State general plan", start_year=2023, end_year=2027)
    own = DevelopmentPlan.objects.create(level="municipal", municipality=place["towns"][0], title_ar="خطة البلدة 0",
                                         title_en="Town 0 plan", start_year=2024, end_year=2026)
    other_town = factories.MunicipalityFactory(name_en="Elsewhere")
    elsewhere = DevelopmentPlan.objects.create(level="municipal", municipality=other_town, title_ar="خطة أخرى",
                                               title_en="Elsewhere plan", start_year=2024, end_year=2026)
    return {
        "national": national.objectives.create(code="N1", title_ar="شبكات الكهرباء", title_en="Power networks"),
        "own": own.objectives.create(code="M1", title_ar="مياه الشرب", title_en="Drinking water"),
        "elsewhere": elsewhere.objectives.create(code="E1", title_ar="طرق", title_en="Roads"),
    }


def _full_form(project, place, **extra) -> dict[str, str]:
    data = {
        "title_ar": project.title_ar, "title_en": project.title_en, "status": "2", "currency": "USD",
        "spend_to_date": "0", "progress_percent": "10", "budget": "250000",
        "planned_start": "2025-01-01", "planned_end": "2026-06-30",
        # As the page renders them: the rows the project has are the formsets' initial ones.
        "sectors-TOTAL_FORMS": "1", "sectors-INITIAL_FORMS": "1",
        "sectors-0-sector": str(place["water"].pk), "sectors-0-percentage": "100",
        "places-TOTAL_FORMS": "2", "places-INITIAL_FORMS": "1",
        "places-0-municipality": str(place["towns"][0].pk), "places-0-share": "70",
        "places-1-municipality": str(place["towns"][1].pk), "places-1-share": "30",
        "partners-TOTAL_FORMS": "2", "partners-INITIAL_FORMS": "0",
        "partners-0-partner": "", "partners-0-role": "", "partners-0-activity_id": "",
        "partners-1-partner": "", "partners-1-role": "", "partners-1-activity_id": "",
        "sites-TOTAL_FORMS": "1", "sites-INITIAL_FORMS": "0",
        "sites-0-name_ar": "", "sites-0-name_en": "", "sites-0-lat": "", "sites-0-lon": "", "sites-0-municipality": "",
        "objectives-shown": "True",
    }
    data.update(extra)
    return data


def test_the_focal_point_saves_partners_places_sites_and_objectives_in_one_go(client_for, personas, undp, unicef,
                                                                              place, plans):
    project = _project(undp, place, state=ReviewState.DRAFT, title_en="Water for Town 0")
    data = _full_form(project, place, **{
        "partners-0-partner": str(unicef.pk), "partners-0-role": "1",
        "partners-1-partner": str(undp.pk), "partners-1-role": "4", "partners-1-activity_id": "XM-DAC-41114-1",
        "sites-0-name_en": "Reservoir", "sites-0-lat": "32.81", "sites-0-lon": "13.12",
        "objectives-plan_objectives": [str(plans["national"].pk), str(plans["own"].pk)],
    })
    response = client_for("undp_focal_point", "en").post(reverse("project_edit", args=[project.pk]), data)
    assert response.status_code == 302, {k: (response.context[k].errors, getattr(response.context[k], "non_form_errors", list)()) for k in ("form", "sectors", "places", "partners", "sites", "objectives")}
    project.refresh_from_db()
    assert sorted(project.participations.values_list("partner_id", "role", "activity_id")) == sorted(
        [(unicef.pk, 1, ""), (undp.pk, 4, "XM-DAC-41114-1")])
    assert sorted(project.locations.values_list("municipality_id", "share")) == [
        (place["towns"][0].pk, Decimal("70")), (place["towns"][1].pk, Decimal("30"))]
    site = project.sites.get()
    assert (site.name_en, round(site.point.y, 4), round(site.point.x, 4)) == ("Reservoir", 32.81, 13.12)
    assert set(project.plan_objectives.all()) == {plans["national"], plans["own"]}
    page = client_for("undp_focal_point", "en").get(reverse("project_detail", args=[project.pk]))
    assert page.context["map_data"]["sites"][0]["name"] == "Reservoir"


@pytest.mark.parametrize("extra, where", [
    ({"places-0-share": "70", "places-1-share": "20"}, "places"),  # 90, not 100
    ({"places-1-share": ""}, "places"),  # a share for one and not the other
    ({"sites-0-name_en": "Out of the country", "sites-0-lat": "48.85", "sites-0-lon": "2.35"}, "sites"),
    ({"sites-0-name_en": "No longitude", "sites-0-lat": "32.8"}, "sites"),
    ({"partners-0-partner": "1", "partners-0-role": ""}, "partners"),
    ({"objectives-plan_objectives": ["elsewhere"]}, "objectives"),
])
def test_a_wrong_part_refuses_the_whole_save_and_writes_nothing(client_for, personas, undp, unicef, place, plans,
                                                                extra, where):
    project = _project(undp, place, state=ReviewState.DRAFT, title_en="Water for Town 0")
    if extra.get("partners-0-partner"):
        extra["partners-0-partner"] = str(unicef.pk)
    if extra.get("objectives-plan_objectives"):
        extra["objectives-plan_objectives"] = [str(plans["elsewhere"].pk)]
    data = _full_form(project, place, **{"title_en": "Changed title", "sites-0-name_ar": "",
                                         "partners-1-partner": str(unicef.pk), "partners-1-role": "4"}, **extra)
    before = (list(project.locations.values_list("municipality_id", "share")), project.sites.count(),
              project.participations.count(), project.plan_objectives.count())
    client = client_for("undp_focal_point", "en")
    response = client.post(reverse("project_edit", args=[project.pk]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="form-errors"' in html and "Nothing was saved" in html
    assert where in {"places": "places", "sites": "sites", "partners": "partners", "objectives": "objectives"}
    project.refresh_from_db()
    assert project.title_en == "Water for Town 0"  # nothing half-written
    assert before == (list(project.locations.values_list("municipality_id", "share")), project.sites.count(),
                      project.participations.count(), project.plan_objectives.count())
    arabic = client_for("undp_focal_point", "ar").post(reverse("project_edit", args=[project.pk]), data)
    assert "لم يُحفظ" in arabic.content.decode() or "لم يحفظ" in arabic.content.decode()


def test_shares_not_adding_up_to_100_are_refused_with_a_clear_message(client_for, personas, undp, place):
    project = _project(undp, place, state=ReviewState.DRAFT)
    data = _full_form(project, place, **{"places-0-share": "50", "places-1-share": "20"})
    response = client_for("undp_focal_point", "en").post(reverse("project_edit", args=[project.pk]), data)
    assert "Municipality shares must add up to 100." in response.content.decode()
    assert list(project.locations.values_list("share", flat=True)) == [None]


def test_the_objectives_offered_are_the_national_ones_and_those_of_its_municipalities(client_for, personas, undp,
                                                                                      place, plans):
    project = _project(undp, place, state=ReviewState.DRAFT)  # in Town 0
    form = client_for("undp_focal_point", "en").get(reverse("project_edit", args=[project.pk])).context["objectives"]
    offered = {int(pk) for pk, _label in form.fields["plan_objectives"].choices}
    assert offered == {plans["national"].pk, plans["own"].pk}
    # A new project with no place yet: the national plans only.
    new = client_for("undp_focal_point", "en").get(reverse("project_create")).context["objectives"]
    assert {int(pk) for pk, _label in new.fields["plan_objectives"].choices} == {plans["national"].pk}
    # The service holds the rule too, whoever calls it.
    from django.core.exceptions import ValidationError

    from projects import services

    with pytest.raises(ValidationError):
        services.project_edit(project=project, user=personas["undp_focal_point"], fields={},
                              plan_objectives=[plans["elsewhere"]])
    assert project.plan_objectives.count() == 0


def test_who_may_edit_is_unchanged(client_for, personas, undp, unicef, place):
    project = _project(undp, place, state=ReviewState.DRAFT, title_en="Ours")
    data = _full_form(project, place, title_en="Taken over")
    assert client_for("unicef_focal_point", "en").post(reverse("project_edit", args=[project.pk]), data
                                                       ).status_code == 404
    assert client_for("ministry_analyst", "en").post(reverse("project_edit", args=[project.pk]), data
                                                     ).status_code == 403
    project.refresh_from_db()
    assert project.title_en == "Ours"
    data["reporting_partner"] = str(undp.pk)  # the ministry's admin chooses the partner
    assert client_for("ministry_admin", "en").post(reverse("project_edit", args=[project.pk]), data).status_code == 302
    project.refresh_from_db()
    assert project.title_en == "Taken over"


# --- the review queue: who submitted, newest first, search ------------------------------------------

@pytest.fixture
def queue(undp, unicef, place, personas):
    from django.utils import timezone

    now = timezone.now()
    rows = {}
    for key, partner, title_ar, title_en, days in (
            ("old", undp, "إعادة تأهيل مدرسة الأمل", "School rehabilitation", 5),
            ("new", unicef, "صيانة محطة المياه", "Water station repairs", 1),
            ("mid", undp, "شبكة الكهرباء", "Power grid", 3)):
        project = _project(partner, place, state=ReviewState.SUBMITTED, title_ar=title_ar, title_en=title_en)
        Project.objects.filter(pk=project.pk).update(submitted_at=now - dt.timedelta(days=days),
                                                     submitted_by=personas[f"{partner.acronym.lower()}_focal_point"])
        rows[key] = project
    return rows


def test_the_review_queue_shows_who_submitted_newest_first(client_for, personas, queue):
    response = client_for("ministry_analyst", "en").get(reverse("review_queue"))
    assert [row["item_id"] for row in response.context["rows"]] == [queue[k].pk for k in ("new", "mid", "old")]
    html = response.content.decode()
    assert 'data-testid="submitted-by">unicef_fp<' in html and 'data-testid="submitted-by">undp_fp<' in html


@pytest.mark.parametrize("q, expected", [
    ("مدرسه", ["old"]),  # ta marbuta written as ha
    ("اعادة تاهيل", ["old"]),  # without hamza
    ("المياه", ["new"]), ("repair", ["new"]), ("UNDP", ["mid", "old"]),
    ("منظمة الأمم المتحدة للطفولة", ["new"]),  # the partner's Arabic name
    ("UNICEF water", ["new"]), ("UNDP water", []), ("", ["new", "mid", "old"]),
])
def test_the_review_queue_searches_titles_and_partners_with_arabic_normalised(client_for, personas, queue, q,
                                                                              expected):
    response = client_for("ministry_analyst", "ar").get(reverse("review_queue"), {"q": q})
    assert response.status_code == 200
    assert [row["item_id"] for row in response.context["rows"]] == [queue[k].pk for k in expected]


def test_the_review_queue_costs_fixed_queries(client_for, personas, queue, undp, place, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("ministry_analyst", "ar")
    client.get(reverse("review_queue"), {"q": "UNDP"})
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("review_queue"), {"q": "UNDP"})
    for _ in range(30):
        _project(undp, place, state=ReviewState.SUBMITTED)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse("review_queue"), {"q": "UNDP"})
    assert response.context["page"].paginator.count == 32


def test_a_focal_points_flags_found_over_their_view_cost_fixed_queries(client_for, personas, mapped, flagged, place,
                                                                       undp, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("undp_focal_point", "ar")
    url = reverse("project_flags", args=[mapped.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(30):
        _project(undp, place, title_en=f"Another {i}")
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.context["flags"]["gaps_stored"] is False


def test_a_project_without_its_sector_rows_is_still_refused(client_for, personas, place):
    data = {k: v for k, v in _full_form(Project(title_ar="مشروع", title_en="New"), place).items()
            if not k.startswith(("sectors", "partners", "sites", "objectives"))}
    response = client_for("undp_focal_point", "en").post(reverse("project_create"), data)
    assert response.status_code == 400
    assert not Project.objects.exists()
