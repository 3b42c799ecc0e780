"""The review queues' pages: a duplicate pair side by side, the gap queue, the delay queue (issue 11 item 5).

Who sees and decides what is tested as a table; decisions through htmx swap their row or panel; each page runs
a fixed number of queries whatever the number of flags; reasons read as words, never as the engine's stems."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coordination.models import DelayFlag, DuplicateFlag, FlagStatus, GapFlag
from coordination.reasons import reason_text
from projects.models import ReviewState
from tests import factories
from tests.coordination.place_helpers import murzuq_portfolio, project

pytestmark = pytest.mark.django_db

STEM_REASONS = [
    {"code": "similar_titles", "params": {"similarity": 0.83}},
    {"code": "same_names", "params": {"names": ["qalaa", "الاسكان"]}},
    {"code": "sites_close", "params": {"km": 1234.5}},
    {"code": "dates_overlap", "params": {"share": 0.9}},
    {"code": "retired_engine_code", "params": {}},
]


@pytest.fixture
def world(personas, undp, unicef):
    w = murzuq_portfolio(undp, unicef)
    # A second UNDP record of the grid repairs: the pair the committee reviews.
    w["again"] = project(undp, w["murzuq"], w["electricity"], title_en="Repair of the Murzuq electricity network",
                         title_ar="صيانة شبكة كهرباء مرزق", budget=Decimal("900000"), currency="EUR",
                         planned_start=dt.date(2025, 2, 1))
    w["pair"] = _pair(w["grid"], w["again"])
    w["draft_pair"] = _pair(w["grid"], w["draft"])  # names another partner's draft: not a UNDP focal point's
    w["gap"] = GapFlag.objects.create(
        municipality=w["murzuq"], sector=w["water"], score=0.8, severity=4, people_in_need=20000,
        reasons=[{"code": "need_without_project", "params": {"severity": 4, "threshold": 3,
                                                             "people_in_need": 20000}}])
    w["delay"] = _delay(w["grid"])
    # Another partner's accepted project (UNDP takes no part in it): not in UNDP's queue.
    w["latrines"] = project(unicef, w["other"], w["water"], title_en="School latrines in Umm al Aranib")
    w["unicef_delay"] = _delay(w["latrines"])
    return w


def _pair(a, b, reasons=None) -> DuplicateFlag:
    a, b = sorted([a, b], key=lambda p: p.pk)
    return DuplicateFlag.objects.create(project_a=a, project_b=b, kind=DuplicateFlag.Kind.OVERLAP, score=0.9,
                                        reasons=reasons or STEM_REASONS)


def _delay(p, rule=DelayFlag.Rule.END_PASSED) -> DelayFlag:
    return DelayFlag.objects.create(project=p, rule=rule, severity=2, score=0.6,
                                    reasons=[{"code": "end_passed", "params": {"planned_end": "2025-06-30"}}])


def _urls(w) -> dict[str, str]:
    return {"duplicate": reverse("duplicate_detail", args=[w["pair"].pk]), "gaps": reverse("gap_list"),
            "delays": reverse("delay_list")}


# -- who sees and decides what, as data ---------------------------------------------------------------

# persona -> (status of each page, may decide)
ACCESS = {
    "anonymous": ({"duplicate": 302, "gaps": 302, "delays": 302}, False),
    "ministry_analyst": ({"duplicate": 200, "gaps": 200, "delays": 200}, True),
    "ministry_admin": ({"duplicate": 200, "gaps": 200, "delays": 200}, True),
    "viewer": ({"duplicate": 200, "gaps": 200, "delays": 200}, False),
    "rapporteur": ({"duplicate": 200, "gaps": 200, "delays": 200}, False),
    "undp_focal_point": ({"duplicate": 200, "gaps": 200, "delays": 200}, False),
    "unicef_focal_point": ({"duplicate": 404, "gaps": 200, "delays": 200}, False),
}


@pytest.mark.parametrize("persona", list(ACCESS))
def test_who_reads_the_queues_and_who_decides(client_for, world, persona):
    pages, decides = ACCESS[persona]
    client = client_for(persona, "en")
    for name, url in _urls(world).items():
        response = client.get(url)
        assert response.status_code == pages[name], (persona, name)
        if response.status_code == 200:
            assert ('data-testid="flag-review-form"' in response.content.decode()
                    or 'id="pair-decision-form"' in response.content.decode()) == decides, (persona, name)
    answers = {
        "gap": client.post(reverse("gap_review", args=[world["gap"].pk]), {"status": "confirmed"}).status_code,
        "delay": client.post(reverse("delay_review", args=[world["delay"].pk]), {"status": "confirmed"}).status_code,
        "pair": client.post(reverse("duplicate_review", args=[world["pair"].pk]),
                            {"status": "related"}).status_code,
    }
    if persona == "anonymous":
        assert set(answers.values()) == {302}
    elif decides:
        assert set(answers.values()) == {302}  # done, and back to the page
        world["gap"].refresh_from_db()
        world["delay"].refresh_from_db()
        assert world["gap"].status == world["delay"].status == FlagStatus.CONFIRMED
    else:
        assert answers["gap"] in (403, 404) and answers["delay"] in (403, 404) and answers["pair"] in (403, 404)
        world["gap"].refresh_from_db()
        assert world["gap"].status == FlagStatus.OPEN


def test_a_focal_point_sees_only_the_flags_of_their_own_projects(client_for, world):
    client = client_for("undp_focal_point", "en")
    delays = client.get(reverse("delay_list"))
    assert [r["flag"].pk for r in delays.context["rows"]] == [world["delay"].pk]
    pairs = client.get(reverse("duplicate_list"))
    assert [f.pk for f in pairs.context["page"]] == [world["pair"].pk]  # not the one with UNICEF's draft
    assert client.get(reverse("duplicate_detail", args=[world["draft_pair"].pk])).status_code == 404
    gaps = client.get(reverse("gap_list"))
    assert gaps.context["stored"] is False and "gaps-found-note" in gaps.content.decode()
    assert all(r["flag"] is None for r in gaps.context["rows"])
    # UNICEF's focal point: the pair with its own draft, and its own delay only.
    unicef = client_for("unicef_focal_point", "en")
    assert [r["flag"].pk for r in unicef.get(reverse("delay_list")).context["rows"]] == [world["unicef_delay"].pk]
    assert [f.pk for f in unicef.get(reverse("duplicate_list")).context["page"]] == [world["draft_pair"].pk]


# -- the duplicate pair side by side ------------------------------------------------------------------

def test_the_pair_page_shows_both_projects_and_highlights_what_differs_in_english(client_for, world):
    response = client_for("ministry_analyst", "en").get(_urls(world)["duplicate"])
    html = response.content.decode()
    assert response.status_code == 200
    assert "Electricity network repairs in Murzuq" in html and "Repair of the Murzuq electricity network" in html
    assert "USD 1,000,000" in html and "EUR 900,000" in html and "USD 990,000" in html  # 900,000 at 1.10
    differs = set(re.findall(r'data-field="(\w+)" data-differs="1"', html))
    assert differs == {"title", "budget", "period"}  # same partner, place, sector and status
    assert "Murzuq" in html and "Electricity" in html and "UNDP" in html
    assert 'id="pair-map-data"' in html and "pair_map.js" in html and '"lat": 25.92' in html
    assert reverse("duplicate_detail", args=[world["pair"].pk]) in client_for("ministry_analyst", "en").get(
        reverse("duplicate_list")).content.decode()


def test_the_pair_page_reads_in_arabic_with_arabic_names_and_money(client_for, world):
    html = client_for("ministry_analyst", "ar").get(_urls(world)["duplicate"]).content.decode()
    assert "إصلاح شبكة الكهرباء في مرزق" in html and "صيانة شبكة كهرباء مرزق" in html
    assert "1,000,000 دولار أمريكي" in html and "900,000 يورو" in html
    assert "الكهرباء" in html and "مرزق" in html


@pytest.mark.parametrize("language", ["ar", "en"])
def test_reasons_are_words_never_stems_or_codes(client_for, world, language):
    html = client_for("ministry_analyst", language).get(_urls(world)["duplicate"]).content.decode()
    reasons = re.search(r'<ul id="pair-reasons">(.*?)</ul>', html, re.S).group(1)
    for leak in ("qalaa", "الاسكان", "retired_engine_code", "same_names", "0.83"):
        assert leak not in reasons, leak
    assert ("83%" in reasons and "1,234.5" in reasons) if language == "en" else "1,234.5" in reasons
    assert reasons.count("<li>") == 5


def test_a_name_is_shown_as_the_title_writes_it(world, english):
    titles = ["Rehabilitation of Al-Qalaa school", "إعادة تأهيل مدرسة القلعة"]
    text = reason_text({"code": "same_names", "params": {"names": ["qalaa"]}}, titles=titles)
    assert text == "They name the same place or facility (Al-Qalaa)."
    assert reason_text({"code": "same_names", "params": {"names": ["qalaa"]}}) == (
        "They name the same place or facility.")


def test_confirming_a_pair_with_htmx_swaps_the_decision_panel(client_for, world, personas):
    client = client_for("ministry_analyst", "en")
    response = client.post(reverse("duplicate_review", args=[world["pair"].pk]),
                           {"status": "confirmed", "note": "Same grid works, reported twice by UNDP."},
                           HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<section id="pair-decision"')
    assert "Confirmed" in html and "Same grid works" in html and "Decision recorded." in html
    world["pair"].refresh_from_db()
    assert world["pair"].status == FlagStatus.CONFIRMED and world["pair"].decided_by == personas["ministry_analyst"]


def test_dismissing_without_a_note_is_refused_in_the_panel(client_for, world):
    response = client_for("ministry_analyst", "en").post(
        reverse("duplicate_review", args=[world["pair"].pk]), {"status": "dismissed", "note": " "},
        HTTP_HX_REQUEST="true")
    assert "Say why the flag is dismissed." in response.content.decode()
    world["pair"].refresh_from_db()
    assert world["pair"].status == FlagStatus.OPEN


# -- the gap queue ------------------------------------------------------------------------------------

def test_the_gap_queue_shows_need_what_reaches_it_and_reasons_in_arabic(client_for, world):
    html = client_for("ministry_analyst", "ar").get(reverse("gap_list")).content.decode()
    assert "مرزق" in html and "المياه والإصحاح" in html
    assert "20,000" in html and "20000" not in html  # grouped, in the reason too
    assert "الكهرباء" in html  # what reaches Murzuq: the electricity projects
    assert reverse("municipality_file", args=["murzuq"]) in html


def test_the_gap_queue_filters_and_sorts(client_for, world, english):
    other = GapFlag.objects.create(municipality=world["other"], sector=None, score=0.95, severity=None,
                                   reasons=[{"code": "no_active_project", "params": {}}])
    client = client_for("ministry_analyst", "en")
    rows = client.get(reverse("gap_list")).context["rows"]
    assert [r["id"] for r in rows] == [other.pk, world["gap"].pk]
    by_severity = client.get(reverse("gap_list"), {"sort": "severity"}).context["rows"]
    assert [r["id"] for r in by_severity] == [world["gap"].pk, other.pk]
    assert [r["id"] for r in client.get(reverse("gap_list"), {"sector": "water"}).context["rows"]] == [world["gap"].pk]
    assert [r["id"] for r in client.get(reverse("gap_list"), {"severity": "4"}).context["rows"]] == [world["gap"].pk]
    factories.RegionFactory(pcode="LY01", name_en="East", name_ar="الشرق")
    assert client.get(reverse("gap_list"), {"region": "LY01"}).context["rows"] == []
    assert len(client.get(reverse("gap_list"), {"region": "LY03"}).context["rows"]) == 2
    assert [r["id"] for r in client.get(reverse("gap_list"), {"status": "open", "sort": "nonsense"}
                                        ).context["rows"]] == [other.pk, world["gap"].pk]


def test_dismissing_a_gap_with_htmx_swaps_its_row(client_for, world):
    client = client_for("ministry_analyst", "en")
    url = reverse("gap_review", args=[world["gap"].pk])
    refused = client.post(url, {"status": "dismissed", "note": ""}, HTTP_HX_REQUEST="true").content.decode()
    assert refused.lstrip().startswith("<tr") and "Say why the flag is dismissed." in refused
    html = client.post(url, {"status": "dismissed", "note": "A water project starts next month."},
                       HTTP_HX_REQUEST="true").content.decode()
    assert html.lstrip().startswith("<tr") and "Dismissed" in html and "A water project starts" in html
    world["gap"].refresh_from_db()
    assert world["gap"].status == FlagStatus.DISMISSED


# -- the delay queue ----------------------------------------------------------------------------------

def test_the_delay_queue_shows_rule_dates_last_update_and_partner(client_for, world):
    from projects.models import ProjectUpdate

    ProjectUpdate.objects.create(project=world["grid"], partner=world["grid"].reporting_partner,
                                 period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 3, 31),
                                 progress_percent=Decimal("20"), status=2, state=ReviewState.ACCEPTED)
    html = client_for("ministry_analyst", "en").get(reverse("delay_list")).content.decode()
    assert "Planned end passed" in html and "30 Jun 2025" in html and "2025-06-30" not in html
    assert "31 Mar 2025" in html and "UNDP" in html and "Electricity network repairs in Murzuq" in html
    arabic = client_for("ministry_analyst", "ar").get(reverse("delay_list")).content.decode()
    assert "30 يونيو 2025" in arabic


def test_the_delay_queue_filters_by_partner_rule_and_severity(client_for, world, unicef):
    client = client_for("ministry_analyst", "en")
    assert {r["flag"].pk for r in client.get(reverse("delay_list"), {"partner": unicef.pk}).context["rows"]} == {
        world["unicef_delay"].pk}
    assert client.get(reverse("delay_list"), {"rule": "suspended"}).context["rows"] == []
    assert len(client.get(reverse("delay_list"), {"severity": "2", "sort": "partner"}).context["rows"]) == 2
    assert {r["flag"].pk for r in client.get(reverse("delay_list"), {"municipality": "umm-al-aranib"}
                                             ).context["rows"]} == {world["unicef_delay"].pk}


def test_dismissing_a_delay_with_a_note_through_htmx(client_for, world, personas):
    client = client_for("ministry_analyst", "en")
    html = client.post(reverse("delay_review", args=[world["delay"].pk]),
                       {"status": "dismissed", "note": "New end date agreed with the municipality."},
                       HTTP_HX_REQUEST="true").content.decode()
    assert html.lstrip().startswith("<tr") and "Dismissed" in html and "New end date agreed" in html
    world["delay"].refresh_from_db()
    assert world["delay"].status == FlagStatus.DISMISSED and world["delay"].decided_by == personas["ministry_analyst"]


# -- fixed query counts -------------------------------------------------------------------------------

def _more_flags(w, n: int) -> None:
    partner = w["grid"].reporting_partner
    for i in range(n):
        muni = factories.MunicipalityFactory(district=w["murzuq"].district)
        p = project(partner, muni, w["electricity"], title_en=f"Grid works {i}", title_ar=f"أعمال الشبكة {i}")
        q = project(partner, muni, w["electricity"], title_en=f"Grid works {i} again")
        _pair(p, q)
        _delay(p)
        GapFlag.objects.create(municipality=muni, sector=w["water"], score=0.5, severity=3, people_in_need=100 + i,
                               reasons=[{"code": "need_without_project", "params": {"severity": 3, "threshold": 3}}])


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["ministry_analyst", "undp_focal_point"])
def test_each_page_runs_the_same_queries_for_3_and_30_flags(client_for, world, persona, django_assert_num_queries):
    client = client_for(persona, "en")
    _more_flags(world, 2)
    urls = {**_urls(world), "pairs": reverse("duplicate_list")}
    few = {name: _queries(client, url) for name, url in urls.items()}
    _more_flags(world, 27)
    for name, url in urls.items():
        with django_assert_num_queries(few[name]):
            response = client.get(url)
        if name in ("gaps", "delays") and persona == "ministry_analyst":
            assert len(response.context["rows"]) == 25  # a full page


def test_the_delay_queue_sorts_projects_never_updated_first(client_for, world):
    from projects.models import ProjectUpdate

    ProjectUpdate.objects.create(project=world["grid"], partner=world["grid"].reporting_partner,
                                 period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 3, 31),
                                 progress_percent=Decimal("20"), status=2, state=ReviewState.ACCEPTED)
    rows = client_for("ministry_analyst", "en").get(reverse("delay_list"), {"sort": "update"}).context["rows"]
    assert [r["flag"].pk for r in rows] == [world["unicef_delay"].pk, world["delay"].pk]


@pytest.mark.parametrize("url", ["/api/v1/gaps/?format=api", "/api/v1/gaps/flags/?format=api",
                                 "/api/v1/delays/?format=api"])
def test_the_browsable_api_of_gaps_and_delays_answers(client_for, world, url):
    response = client_for("ministry_analyst", "en").get(url)
    assert response.status_code == 200 and "text/html" in response["Content-Type"]
