"""Alignment in the workspace: the dashboard's share of money aligned and its chart by partner, the alignment
flags beside the other flags, the municipality file's priorities, the project page's objectives, the map
measure and the Plans link. Built on the Murzuq portfolio of test_alignment (``plans``)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from common.formatting import percent_format
from coordination.models import AlignmentFlag
from coordination.selectors.alignment import alignment_shares, alignment_shares_summed
from coordination.selectors.map import MapFilters, map_figures
from coordination.services.alignment import alignment_full_run, objective_link_decide
from projects.selectors.projects import projects_counted_for
from tests.coordination.place_helpers import DRAFT_TITLE, project
from tests.coordination.test_alignment import plans  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def _testid(html: str, name: str) -> str:
    found = re.search(rf'data-testid="{name}"[^>]*>(.*?)<', html, re.S)
    assert found, name
    return found.group(1).strip()


def _reject_grid(plans, personas):  # noqa: F811
    objective_link_decide(user=personas["ministry_analyst"], project=plans["grid"],
                          objective=plans["grid_objective"], status="rejected")
    alignment_full_run()


# --- the dashboard ------------------------------------------------------------------------------------

def test_the_tile_shows_the_alignment_figures_and_the_flags_link(client_for, plans, personas):  # noqa: F811
    alignment_full_run()
    _reject_grid(plans, personas)  # the grid (USD 1,000,000) now serves no plan, nor does UNICEF's draft
    analyst = personas["ministry_analyst"]  # the ministry counts the USD 9,000,000 draft too
    [overall] = alignment_shares(analyst)["all"]
    assert overall["money_share"] == pytest.approx(550_000 / 10_550_000, abs=1e-4)
    html = client_for("ministry_analyst", "en").get(reverse("home")).content.decode()
    assert _testid(html, "aligned-share") == "5%"
    assert "USD 550,000 of USD 10,550,000 in active projects" in html
    open_flags = AlignmentFlag.objects.filter(status="open", resolved_at=None).count()
    assert open_flags >= 2  # the grid outside every plan, and Murzuq's money outside its priorities
    assert _testid(html, "flags-alignment") == str(open_flags)
    assert reverse("alignment_flag_list") in html and reverse("plan_list") in html
    desc = re.search(r'<desc id="chart-alignment-d">(.*?)</desc>', html).group(1)
    assert "UNDP: 35%" in desc and "UNICEF: 6%" in desc  # 550,000 of 1,550,000; 550,000 of 9,550,000
    arabic = client_for("ministry_analyst", "ar").get(reverse("home")).content.decode()
    assert "نسبة الأموال المنسجمة مع خطة معتمدة" in arabic and "مؤشرات الانسجام مع الخطط" in arabic
    with translation.override("ar"):
        assert _testid(arabic, "aligned-share") == percent_format(overall["money_share"])


@pytest.mark.parametrize("reader", ["ministry_analyst", "undp_focal_point"])
def test_the_dashboards_shares_summed_in_the_database_are_the_engines(plans, personas, reader,  # noqa: F811
                                                                     django_assert_max_num_queries):
    """The dashboard sums the shares in the database; they are the figures ``alignment_shares`` computes
    from every project in Python: overall, each partner, and each sector's part."""
    alignment_full_run()
    _reject_grid(plans, personas)
    user = personas[reader]
    engine = alignment_shares(user)
    projects = projects_counted_for(user)
    with django_assert_max_num_queries(5):
        summed = alignment_shares_summed(projects)
    assert summed["all"] == engine["all"] and summed["all"][0]["projects"] > 0
    assert summed["partner"] == engine["partner"] and len(summed["partner"]) >= 2
    assert engine["sector"]
    for row in engine["sector"]:
        assert alignment_shares_summed(projects, sector_id=row["id"])["sector"] == [row]


def test_a_focal_point_sees_its_own_scope_and_no_flag_queue(client_for, plans, personas):  # noqa: F811
    alignment_full_run()
    html = client_for("undp_focal_point", "en").get(reverse("home")).content.decode()
    assert 'data-testid="flags-alignment"' not in html  # the alignment queue is the ministry's
    assert _testid(html, "aligned-share") == "100%"
    assert "USD 1,550,000 of USD 1,550,000" in html  # UNICEF's USD 9,000,000 draft is not counted
    assert DRAFT_TITLE not in html


def test_the_filters_narrow_the_share(client_for, plans, personas, undp):  # noqa: F811
    alignment_full_run()
    _reject_grid(plans, personas)
    client = client_for("ministry_analyst", "en")
    water = _testid(client.get(reverse("home"), {"sector": "water"}).content.decode(), "aligned-share")
    electricity = _testid(client.get(reverse("home"), {"sector": "electricity"}).content.decode(),
                          "aligned-share")
    assert (water, electricity) == ("100%", "0%")


@pytest.mark.parametrize("persona", ["ministry_analyst", "undp_focal_point"])
def test_the_dashboard_costs_a_fixed_number_of_queries(client_for, plans, undp, persona,  # noqa: F811
                                                      django_assert_num_queries, django_assert_max_num_queries):
    client = client_for(persona, "en")
    client.get(reverse("home"))

    def grow(n, start):
        for i in range(n):
            project(undp, plans["murzuq"], plans["water"], title_en=f"Water wells round {start + i}",
                    budget=Decimal(1000 + i))
        alignment_full_run()

    grow(3, 0)
    with django_assert_max_num_queries(60) as few:
        first = client.get(reverse("home")).content.decode()
    grow(27, 3)
    with django_assert_num_queries(len(few.captured_queries)):
        second = client.get(reverse("home")).content.decode()
    assert _testid(first, "aligned-share") and _testid(second, "aligned-share")


# --- the municipality file ----------------------------------------------------------------------------

def test_the_municipality_file_shows_its_priorities_against_funding(client_for, plans):  # noqa: F811
    alignment_full_run()
    url = reverse("municipality_file", args=["murzuq"])
    html = client_for("undp_focal_point", "en").get(url).content.decode()
    assert 'data-testid="plan-priorities"' in html
    row = re.search(rf'data-objective="{plans["water_objective"].pk}" data-state="(\w+)"(.*?)</tr>', html, re.S)
    assert row and row.group(1) == "partly" and "Partly funded" in row.group(2)
    assert "USD 275,000 / USD 2,000,000" in row.group(2)
    arabic = client_for("undp_focal_point", "ar").get(url).content.decode()
    assert "ممول جزئيًا" in arabic and "أولويات خطتها مقارنةً بما هو ممول" in arabic


def test_the_municipality_file_costs_a_fixed_number_of_queries(client_for, plans, undp,  # noqa: F811
                                                               django_assert_num_queries,
                                                               django_assert_max_num_queries):
    client = client_for("ministry_analyst", "en")
    url = reverse("municipality_file", args=["murzuq"])

    def grow(n, start):
        for i in range(n):
            project(undp, plans["murzuq"], plans["water"], title_en=f"Water wells round {start + i}")
        alignment_full_run()

    grow(1, 0)
    client.get(url)
    with django_assert_max_num_queries(200) as few:
        client.get(url)
    grow(9, 1)
    with django_assert_num_queries(len(few.captured_queries)):
        html = client.get(url).content.decode()
    assert 'data-state="funded"' in html or 'data-state="partly"' in html


# --- the project page ---------------------------------------------------------------------------------

def test_the_project_page_loads_its_objectives_in_the_readers_language(client_for, plans, personas):  # noqa: F811
    alignment_full_run()
    grid = plans["grid"]
    page = client_for("undp_focal_point", "en").get(reverse("project_detail", args=[grid.pk])).content.decode()
    assert reverse("project_alignment", args=[grid.pk]) in page
    url = reverse("project_alignment", args=[grid.pk])
    html = client_for("undp_focal_point", "ar").get(url).content.decode()
    assert f'data-objective="{plans["grid_objective"].pk}" data-status="suggested"' in html
    assert "القطاع نفسه" in html and reverse("project_objectives", args=[grid.pk]) in html
    english = client_for("undp_focal_point", "en").get(url).content.decode()
    assert "القطاع نفسه" not in english and "Restore the electricity network" in english
    _reject_grid(plans, personas)
    html = client_for("undp_focal_point", "en").get(url).content.decode()
    assert 'data-objectives="0"' in html  # a rejected objective is not shown as served
    assert client_for("undp_focal_point", "en").get(
        reverse("project_alignment", args=[plans["draft"].pk])).status_code == 404
    assert client_for(None, "en").get(url).status_code == 302


def test_the_project_fragment_costs_a_fixed_number_of_queries(client_for, plans, django_assert_num_queries):  # noqa: F811
    alignment_full_run()
    client = client_for("ministry_analyst", "en")
    url = reverse("project_alignment", args=[plans["grid"].pk])
    client.get(url)
    with django_assert_num_queries(6):  # session, user and its partner, the project, its links
        client.get(url)


# --- the map ------------------------------------------------------------------------------------------

def test_the_map_measure_is_the_share_of_money_aligned(client_for, plans, personas):  # noqa: F811
    alignment_full_run()
    _reject_grid(plans, personas)
    figures = map_figures(personas["ministry_analyst"], MapFilters(), measure="aligned_share")
    murzuq, other = plans["murzuq"].pk, plans["other"].pk
    # Murzuq: the grid's USD 1,000,000 (no plan now), UNICEF's 9,000,000 draft (the ministry counts it) and half
    # the wells' USD 550,000; Umm al Aranib: the other half
    assert figures.values[murzuq] == pytest.approx(275_000 / 10_275_000, abs=1e-4)
    assert figures.values[other] == pytest.approx(1.0)
    water = plans["water"]
    assert map_figures(personas["ministry_analyst"], MapFilters(sector=water), measure="aligned_share"
                       ).values[murzuq] == pytest.approx(1.0)
    body = client_for("ministry_analyst", "en").get(reverse("map_figures"), {"measure": "aligned_share"}).json()
    assert body["measure_label"] == "Share of money aligned"
    assert body["municipalities"]["murzuq"]["value_text"] == "3%"
    assert body["municipalities"]["umm-al-aranib"]["value_text"] == "100%"
    assert any(item["label"] == "0% – 20%" and item["count"] == 1 for item in body["legend"])
    arabic = client_for("ministry_analyst", "ar").get(reverse("map_figures"), {"measure": "aligned_share"}).json()
    assert arabic["measure_label"] == "نسبة الأموال المنسجمة مع الخطط"
    page = client_for("ministry_analyst", "en").get(reverse("municipality_map")).content.decode()
    assert 'value="aligned_share"' in page


def test_the_map_measure_counts_only_what_the_reader_may(plans, personas):  # noqa: F811
    alignment_full_run()
    focal = map_figures(personas["undp_focal_point"], MapFilters(), measure="aligned_share")
    assert focal.values[plans["murzuq"].pk] == pytest.approx(1.0)  # UNICEF's unaligned draft is not counted


# --- the navigation -----------------------------------------------------------------------------------

def test_the_nav_links_the_plans(client_for, plans):  # noqa: F811
    html = client_for("undp_focal_point", "ar").get(reverse("home")).content.decode()
    assert f'href="{reverse("plan_list")}">الخطط<' in html
