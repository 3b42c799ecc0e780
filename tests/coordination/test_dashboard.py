"""The ministry's dashboard (/): figures counted once, for what the reader may see, filtered by period, sector
and partner, "reached" as the gap engine has it, open flags by the queues' own rules, charts as SVG, and a
fixed number of queries whatever the size of the portfolio."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from coordination.models import DelayFlag, DuplicateFlag, FlagStatus, GapFlag
from municipalities.models import Sector
from projects.models import ActivityStatus, ExchangeRate, OrganisationRole, Participation, ReviewState
from tests import factories
from tests.coordination.gap_delay_helpers import make_project

pytestmark = pytest.mark.django_db

ACCEPTED = ReviewState.ACCEPTED


@pytest.fixture
def world(personas, undp, unicef):
    west = factories.DistrictFactory(pcode="LY0211", region=factories.RegionFactory(pcode="LY02"))
    east = factories.DistrictFactory(pcode="LY0101", name_en="Benghazi", name_ar="بنغازي",
                                     region=factories.RegionFactory(pcode="LY01", name_en="East", name_ar="الشرق"))
    south = factories.DistrictFactory(pcode="LY0301", name_en="Sabha", name_ar="سبها",
                                      region=factories.RegionFactory(pcode="LY03", name_en="South", name_ar="الجنوب"))
    m = {"tripoli": factories.MunicipalityFactory(district=west), "benghazi": factories.MunicipalityFactory(district=east),
         "sabha": factories.MunicipalityFactory(district=south), "murzuq": factories.MunicipalityFactory(district=south),
         "ghat": factories.MunicipalityFactory(district=south)}
    water = factories.SectorFactory(code="water", name_en="Water and sanitation", name_ar="المياه والصرف الصحي")
    health = factories.SectorFactory(code="health", name_en="Health", name_ar="الصحة")
    ExchangeRate.objects.create(currency="EUR", year=2025, usd_per_unit=Decimal("1.1"))
    p = {
        "a": make_project(municipalities=[m["tripoli"], m["benghazi"]], shares=[75, 25], sectors={water: 100},
                          partner=undp, state=ACCEPTED, planned_start=date(2025, 2, 1), planned_end=date(2027, 12, 31),
                          budget=100_000),
        "b": make_project(municipalities=[m["sabha"]], sectors={health: 60, water: 40}, partner=unicef,
                          state=ACCEPTED, planned_start=date(2025, 5, 1), planned_end=date(2026, 12, 31),
                          budget=50_000, currency="EUR"),
        "c": make_project(municipalities=[m["benghazi"]], sectors={health: 100}, partner=undp, state=ACCEPTED,
                          status=ActivityStatus.CLOSED, planned_start=date(2023, 3, 1), planned_end=date(2023, 12, 31),
                          budget=20_000),
        "d": make_project(municipalities=[m["murzuq"]], sectors={water: 100}, partner=unicef, state=ReviewState.DRAFT,
                          planned_start=date(2025, 3, 1), planned_end=date(2027, 3, 1), budget=777_777),
        "f": make_project(municipalities=[], sectors={health: 100}, partner=undp, state=ACCEPTED,
                          status=ActivityStatus.PIPELINE, planned_start=date(2026, 6, 1), planned_end=date(2027, 6, 1),
                          budget=10_000),
    }
    # UNICEF's record of UNDP's grant "a", confirmed as a double report: its money is not counted again.
    p["e"] = make_project(municipalities=[m["tripoli"]], sectors={water: 100}, partner=unicef, state=ACCEPTED,
                          planned_start=date(2025, 2, 1), budget=100_000, duplicate_of=p["a"])
    Participation.objects.create(project=p["b"], partner=undp, role=OrganisationRole.IMPLEMENTING)
    DuplicateFlag.objects.create(project_a=p["a"], project_b=p["b"], kind=DuplicateFlag.Kind.OVERLAP, score=0.7)
    DuplicateFlag.objects.create(project_a=p["a"], project_b=p["d"], kind=DuplicateFlag.Kind.OVERLAP, score=0.6)
    DuplicateFlag.objects.create(project_a=p["b"], project_b=p["c"], kind=DuplicateFlag.Kind.OVERLAP, score=0.5,
                                 status=FlagStatus.DISMISSED)
    DelayFlag.objects.create(project=p["a"], rule=DelayFlag.Rule.NO_RECENT_UPDATE, severity=1, score=0.3)
    DelayFlag.objects.create(project=p["d"], rule=DelayFlag.Rule.NO_RECENT_UPDATE, severity=1, score=0.3)
    GapFlag.objects.create(municipality=m["ghat"], sector=None, score=0.4)
    GapFlag.objects.create(municipality=m["sabha"], sector=water, score=0.6)
    return {"m": m, "p": p, "water": water, "health": health}


def _overview(client_for, persona, params=None, language="en"):
    response = client_for(persona, language).get(reverse("home"), params or {})
    assert response.status_code == 200
    return response.context["overview"], response


def _usd(overview) -> Decimal:
    return overview["budget"]["usd"].quantize(Decimal("1"))


def test_the_ministry_sees_every_project_counted_once(client_for, world):
    overview, response = _overview(client_for, "ministry_analyst")
    assert overview["projects"] == {"total": 5, "active": 3, "pipeline": 1}  # "e" is a's double report
    assert overview["by_status"] == {ActivityStatus.IMPLEMENTATION: 3, ActivityStatus.CLOSED: 1,
                                     ActivityStatus.PIPELINE: 1}
    assert _usd(overview) == 100_000 + 55_000 + 20_000 + 777_777 + 10_000
    money = overview["budget"]
    regions = {r: v.quantize(Decimal("1")) for r, v in money["by_region"].items()}
    m = world["m"]
    assert regions == {m["tripoli"].district.region_id: 75_000, m["benghazi"].district.region_id: 25_000 + 20_000,
                       m["sabha"].district.region_id: 55_000 + 777_777}
    assert money["without_municipality"].quantize(Decimal("1")) == 10_000  # "f" names no municipality
    sectors = {s: v.quantize(Decimal("1")) for s, v in money["by_sector"].items()}
    assert sectors == {world["water"].pk: 100_000 + 22_000 + 777_777, world["health"].pk: 33_000 + 20_000 + 10_000}
    assert {k: v.quantize(Decimal("1")) for k, v in money["by_time"].items()} == {
        (2025, 1): 877_777, (2025, 2): 55_000, (2023, 1): 20_000, (2026, 2): 10_000}
    assert overview["partners"] == 2
    html = response.content.decode()
    assert 'data-testid="budget-usd">USD 962,777<' in html


def test_reached_is_the_gap_engines_active_today(client_for, world):
    """Closed "c" in Benghazi does not reach it (a reaches it); UNICEF's draft "d" reaches Murzuq for the
    ministry only; and the dashboard agrees with the gap analysis the same reader is served."""
    for persona, reached in (("ministry_analyst", 4), ("undp_focal_point", 3)):
        overview, _response = _overview(client_for, persona)
        assert overview["municipalities"] == 5
        assert overview["municipalities_reached"] == reached
        assert overview["municipalities_not_reached"] == 5 - reached
        summary = client_for(persona, "en", api=True).get(reverse("api:gaps-summary")).json()
        assert summary["counts"]["unreached_municipalities"] == overview["municipalities_not_reached"], persona


def test_a_focal_point_counts_only_what_they_may_see(client_for, world, unicef):
    overview, response = _overview(client_for, "undp_focal_point")
    assert overview["projects"] == {"total": 4, "active": 2, "pipeline": 1}  # UNICEF's draft "d" is not counted
    assert _usd(overview) == 100_000 + 55_000 + 20_000 + 10_000
    assert overview["flags"]["duplicates"] == 1  # (a, b); (a, d) names the hidden draft, (b, c) is dismissed
    assert overview["flags"]["delays"] == 1
    assert overview["flags"]["gaps"] == 2  # found over their own projects: Murzuq and Ghat, no stored flag
    charts = response.context["charts"]

    make_project(municipalities=list(world["m"].values()), sectors={world["water"]: 100}, partner=unicef,
                 state=ReviewState.DRAFT, planned_start=date(2024, 1, 1), budget=5_000_000)
    again, response_again = _overview(client_for, "undp_focal_point")
    assert again == overview
    assert response_again.context["charts"] == charts
    ministry, _response = _overview(client_for, "ministry_analyst")
    assert ministry["projects"]["total"] == 6


def test_the_ministry_flags_are_the_stored_open_ones(client_for, world):
    overview, response = _overview(client_for, "ministry_analyst")
    assert overview["flags"] == {"duplicates": 2, "gaps": 2, "delays": 2}
    html = response.content.decode()
    assert f'href="{reverse("duplicate_list")}"' in html
    assert 'href="/coordination/gaps/"' in html and 'href="/coordination/delays/"' in html
    water, _ = _overview(client_for, "ministry_analyst", {"sector": "water"})
    assert water["flags"]["gaps"] == 1


@pytest.mark.parametrize(("params", "expected_usd", "expected_total"), [
    ({"partner": "unicef"}, 55_000 + 777_777, 2),
    ({"partner": "undp"}, 100_000 + 55_000 + 20_000 + 10_000, 4),  # b: UNDP implements it
    ({"sector": "water"}, 100_000 + 22_000 + 777_777, 3),  # the water share of each budget
    ({"period": "2023"}, 20_000, 1),
    ({"period": "2025-Q1"}, 100_000 + 777_777, 2),
    ({"period": "2026", "sector": "health", "partner": "undp"}, 33_000 + 10_000, 2),
])
def test_every_figure_follows_the_filters(client_for, world, undp, unicef, params, expected_usd, expected_total):
    partners = {"undp": undp.pk, "unicef": unicef.pk}
    if "partner" in params:
        params = {**params, "partner": partners[params["partner"]]}
    overview, response = _overview(client_for, "ministry_analyst", params)
    assert _usd(overview) == expected_usd
    assert overview["projects"]["total"] == expected_total
    assert "filter-errors" not in response.content.decode()
    for chart in ("by_sector", "by_region"):
        parts = sum(overview["budget"][chart].values(), Decimal("0"))
        rest = overview["budget"]["without_sector" if chart == "by_sector" else "without_municipality"]
        assert (parts + rest).quantize(Decimal("1")) == expected_usd, chart
    # The filters stay in the URL of every link the charts give (a sector bar keeps the partner and period).
    if "partner" in params:
        assert f"partner={params['partner']}" in response.context["charts"]["sector"]


def test_the_water_filter_counts_the_water_share_in_each_region(client_for, world):
    overview, _response = _overview(client_for, "ministry_analyst", {"sector": "water"})
    m = world["m"]
    regions = {r: v.quantize(Decimal("1")) for r, v in overview["budget"]["by_region"].items()}
    assert regions == {m["tripoli"].district.region_id: 75_000, m["benghazi"].district.region_id: 25_000,
                       m["sabha"].district.region_id: 22_000 + 777_777}
    assert overview["municipalities_reached"] == 4  # a, b (40 % water) and d are active in water


@pytest.mark.parametrize("params", [
    {"period": "2025-Q7"}, {"period": "last year"}, {"sector": "no-such-sector"}, {"partner": "abc"},
    {"partner": "999999"}, {"period": "1066", "sector": "water' OR 1=1 --", "partner": "-1"},
])
def test_bad_filter_values_get_a_message_and_the_rest_still_counts(client_for, world, params):
    full, _response = _overview(client_for, "ministry_analyst")
    overview, response = _overview(client_for, "ministry_analyst", params)
    html = response.content.decode()
    assert 'data-testid="filter-errors"' in html
    assert overview == full  # every figure of the unfiltered view, nothing half-applied
    arabic, response_ar = _overview(client_for, "ministry_analyst", params, language="ar")
    assert "بعض عوامل التصفية" in response_ar.content.decode()


def test_a_bad_filter_beside_a_good_one_keeps_the_good_one(client_for, world):
    overview, response = _overview(client_for, "ministry_analyst", {"sector": "water", "period": "20x5"})
    assert _usd(overview) == 100_000 + 22_000 + 777_777
    assert 'data-testid="filter-errors"' in response.content.decode()


def test_charts_are_accessible_svg_in_the_readers_direction(client_for, world):
    _overview_en, response = _overview(client_for, "ministry_analyst", language="en")
    html = response.content.decode()
    for name in ("sector", "region", "time", "status"):
        chart = response.context["charts"][name]
        assert chart.startswith("<svg") and 'role="img"' in chart and "<title" in chart and "<desc" in chart
        assert 'direction="ltr"' in chart and "style=" not in chart
    assert "Water and sanitation" in response.context["charts"]["sector"]
    assert "USD 962,777" in html
    _overview_ar, response_ar = _overview(client_for, "ministry_analyst", language="ar")
    charts = response_ar.context["charts"]
    assert 'direction="rtl"' in charts["sector"] and "المياه والصرف الصحي" in charts["sector"]
    assert "900 ألف" in charts["sector"]  # 899,777 in the short form of the chart values
    body = response_ar.content.decode()
    assert "962,777 دولار أمريكي" in body
    assert "البلديات التي تصلها المشاريع اليوم" in body
    # Over time, oldest first: in Arabic the first year is the right-most column.
    xs = [float(x) for x in re.findall(r'<rect class="tansiq-chart-bar" x="([\d.]+)"', charts["time"])]
    assert xs == sorted(xs, reverse=True) and len(xs) == 4  # 2023, 2024 (empty), 2025, 2026


def test_a_period_shows_its_dates_in_words_and_counts_by_quarter(client_for, world):
    _overview_ar, response = _overview(client_for, "ministry_analyst", {"period": "2025"}, language="ar")
    body = response.content.decode()
    assert "من 1 يناير 2025 إلى 31 ديسمبر 2025" in body
    assert response.context["charts"]["quarterly"]
    assert "الربع 1 2025" in response.context["charts"]["time"]


def test_the_dashboard_needs_a_login(client):
    assert client.get(reverse("home")).status_code == 302


def _more(world, unicef, undp, n):
    m, sectors = list(world["m"].values()), (world["water"], world["health"])
    for i in range(n):
        make_project(municipalities=[m[i % 5], m[(i + 1) % 5]], sectors={sectors[i % 2]: 100},
                     partner=(undp, unicef)[i % 2], state=(ACCEPTED, ReviewState.DRAFT)[i % 3 == 0],
                     planned_start=date(2020 + i % 6, 1 + i % 12, 1), budget=1_000 + i, currency=("USD", "EUR")[i % 2],
                     status=(ActivityStatus.IMPLEMENTATION, ActivityStatus.CLOSED)[i % 4 == 0])


@pytest.mark.parametrize("persona", ["ministry_analyst", "undp_focal_point"])
@pytest.mark.parametrize("params", [{}, {"period": "2025", "sector": "water", "partner": "partner"}])
def test_a_fixed_number_of_queries_whatever_the_size(client_for, world, undp, unicef, persona, params,
                                                     django_assert_num_queries, django_assert_max_num_queries):
    if params.get("partner"):
        params = {**params, "partner": undp.pk}
    client = client_for(persona, "ar")
    client.get(reverse("home"), params)  # warm the session
    _more(world, unicef, undp, 3)
    with django_assert_max_num_queries(100) as few:
        assert client.get(reverse("home"), params).status_code == 200
    _more(world, unicef, undp, 30)
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(reverse("home"), params).status_code == 200
    # a focal point's gaps are found by the engine: eight reads; the share aligned with the plans: eight more
    assert len(few.captured_queries) <= 43


def test_no_geometry_is_grouped_or_made_distinct(client_for, world, django_assert_max_num_queries):
    client = client_for("ministry_analyst", "en")
    with django_assert_max_num_queries(100) as seen:
        client.get(reverse("home"), {"sector": "water"})
    for query in seen.captured_queries:
        sql = query["sql"].upper()
        if "GROUP BY" in sql or "DISTINCT" in sql:
            assert '"AREA"' not in sql and '"POINT"' not in sql, sql


def test_sector_names_in_the_chart_are_escaped(client_for, world):
    Sector.objects.filter(pk=world["water"].pk).update(name_en="<script>alert(1)</script>")
    _overview_en, response = _overview(client_for, "ministry_analyst")
    assert "<script>alert" not in response.content.decode()
    assert "&lt;script&gt;" in response.context["charts"]["sector"]


def test_without_projects_the_charts_say_so(client_for, personas):
    _overview_en, response = _overview(client_for, "viewer")
    assert response.context["overview"]["projects"]["total"] == 0
    assert "No figures for this choice." in response.context["charts"]["sector"]


def test_a_funders_money_passed_to_an_implementer_is_counted_once(client_for, world, unicef):
    """The implementer's record whose incoming funds name the funder's activity (provider-activity-id) adds
    nothing to the total, the charts or the regions; it still counts as a project."""
    from projects.models import Transaction

    a = world["p"]["a"]
    a.iati_identifier = "XM-DAC-41114-A"
    a.save(update_fields=["iati_identifier"])
    implementer = make_project(municipalities=[world["m"]["tripoli"]], sectors={world["water"]: 100}, partner=unicef,
                               state=ACCEPTED, planned_start=date(2025, 2, 1), budget=60_000)
    Transaction.objects.create(project=implementer, type=Transaction.Type.INCOMING_FUNDS, date=date(2025, 3, 1),
                               value=Decimal("60000"), currency="USD", provider_activity_id="XM-DAC-41114-A")
    overview, _ = _overview(client_for, "ministry_analyst")
    assert overview["projects"]["total"] == 6
    assert _usd(overview) == 100_000 + 55_000 + 20_000 + 777_777 + 10_000
    regions = {r: v.quantize(Decimal("1")) for r, v in overview["budget"]["by_region"].items()}
    assert regions[world["m"]["tripoli"].district.region_id] == 75_000
    assert overview["budget"]["by_sector"][world["water"].pk].quantize(Decimal("1")) == 100_000 + 22_000 + 777_777
    # Filtered to the implementer's partner only, the funder's record is out of the set: the implementer's counts.
    overview, _ = _overview(client_for, "ministry_analyst", {"partner": unicef.pk})
    assert _usd(overview) == 55_000 + 777_777 + 60_000
