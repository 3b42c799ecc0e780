"""The municipality file (ملف البلدية) and the partner pages: content, scoping, query counts, access."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coordination.models import DelayFlag, DuplicateFlag, GapFlag
from coordination.selectors.places import municipality_file, partner_file
from municipalities.models import DevelopmentPlan, PlanObjective
from projects.models import ReviewState
from tests.coordination.place_helpers import DRAFT_TITLE, murzuq_portfolio, project

pytestmark = pytest.mark.django_db


@pytest.fixture
def murzuq(personas, undp, unicef):
    return murzuq_portfolio(undp, unicef)


def _file_url(m):
    return reverse("municipality_file", args=[m.slug])


def test_the_municipality_file_shows_profile_needs_projects_and_money_in_arabic(client_for, murzuq, undp):
    response = client_for("ministry_analyst", "ar").get(_file_url(murzuq["murzuq"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "ملف البلدية" in html and "مرزق" in html
    assert "48,960" in html and "12,345" in html and "6,789" in html and "OCHA" in html
    assert "تقريبية" in html  # the derived area says it is approximate
    assert "الكهرباء" in html and "المياه والإصحاح" in html
    assert "إصلاح شبكة الكهرباء في مرزق" in html
    assert reverse("partner_detail", args=[undp.pk]) in html
    assert "1,000,000 دولار أمريكي" in html  # the UNDP grid project, all of it in Murzuq
    assert "500,000 يورو" in html  # the budget in its own currency
    assert "275,000 دولار أمريكي" in html  # half of EUR 500,000 at 1.10: the other half is Umm al Aranib's
    assert 'id="place-map-data"' in html and "place_map.js" in html


def test_the_file_reads_in_english_with_english_names(client_for, murzuq):
    html = client_for("ministry_analyst", "en").get(_file_url(murzuq["murzuq"])).content.decode()
    assert "Municipality file" in html and "Murzuq" in html and "Electricity network repairs in Murzuq" in html
    assert "USD 1,000,000" in html and "EUR 500,000" in html and "Water and sanitation" in html


def test_the_data_is_one_dict_with_money_counted_once_and_attributed_to_the_place(personas, murzuq):
    data = municipality_file(personas["ministry_analyst"], murzuq["murzuq"])
    assert data["totals"]["projects"] == 3
    assert data["totals"]["usd"] == Decimal("10275000.00")  # 1,000,000 + 275,000 + the draft's 9,000,000
    sectors = {g["name"]: g for g in data["by_sector"]}
    assert set(sectors) == {"الكهرباء", "المياه والإصحاح"} or set(sectors) == {"Electricity", "Water and sanitation"}
    partners = {g["id"]: g for g in data["by_partner"]}
    assert partners[murzuq["grid"].reporting_partner_id]["usd"] == Decimal("1000000.00")
    assert [n["severity"] for n in data["needs"]] == [4, 3]
    assert data["profile"]["population"] == 48960 and data["profile"]["area_is_official"] is False
    assert len(data["map"]["sites"]) == 1 and data["map"]["area"]["type"] in ("Polygon", "MultiPolygon")
    assert data["meetings"] == {"meetings": [], "decisions": [], "open_actions": []}  # none yet (test_meeting_pages)


def test_a_confirmed_double_report_is_listed_but_not_counted(personas, murzuq, undp):
    again = project(undp, murzuq["murzuq"], murzuq["electricity"], title_en="Grid repairs (reported again)",
                    budget=Decimal("1000000"), duplicate_of=murzuq["grid"])
    data = municipality_file(personas["ministry_analyst"], murzuq["murzuq"])
    row = next(p for p in data["projects"] if p["id"] == again.pk)
    assert row["counted"] is False and row["local_usd"] is None
    assert data["totals"]["usd"] == Decimal("10275000.00") and data["totals"]["projects"] == 4


def test_another_partners_draft_is_neither_listed_nor_counted_for_a_focal_point(client_for, personas, murzuq):
    data = municipality_file(personas["undp_focal_point"], murzuq["murzuq"])
    assert DRAFT_TITLE not in [p["title"] for p in data["projects"]]
    assert data["totals"] == {"projects": 2, "active": 2, "usd": Decimal("1275000.00"), "unconverted": {}}
    assert sum(g["projects"] for g in data["by_sector"]) == 2
    html = client_for("undp_focal_point", "en").get(_file_url(murzuq["murzuq"])).content.decode()
    assert DRAFT_TITLE not in html and "9,000,000" not in html and "10,275,000" not in html
    assert "USD 1,275,000" in html
    # the ministry sees it, and so does its own partner
    assert DRAFT_TITLE in client_for("ministry_analyst", "en").get(_file_url(murzuq["murzuq"])).content.decode()
    assert DRAFT_TITLE in client_for("unicef_focal_point", "en").get(_file_url(murzuq["murzuq"])).content.decode()


def test_flags_shown_are_those_the_reader_may_see(client_for, personas, murzuq):
    m = murzuq["murzuq"]
    GapFlag.objects.create(municipality=m, sector=murzuq["water"], score=0.8, severity=3, people_in_need=9000,
                           reasons=[{"code": "need_without_project",
                                     "params": {"severity": 3, "threshold": 3, "people_in_need": 9000}}])
    DelayFlag.objects.create(project=murzuq["draft"], rule=DelayFlag.Rule.END_PASSED, severity=3, score=0.9)
    DelayFlag.objects.create(project=murzuq["grid"], rule=DelayFlag.Rule.PROGRESS_BEHIND, severity=2, score=0.5)
    a, b = sorted([murzuq["grid"], murzuq["draft"]], key=lambda p: p.pk)
    DuplicateFlag.objects.create(project_a=a, project_b=b, kind=DuplicateFlag.Kind.OVERLAP, score=0.7)
    ministry = municipality_file(personas["ministry_analyst"], m)
    assert ministry["delay_count"] == 2 and ministry["duplicate_count"] == 1
    assert ministry["gaps"]["stored"] is True and [f["people_in_need"] for f in ministry["gaps"]["flags"]] == [9000]
    focal = municipality_file(personas["undp_focal_point"], m)
    assert focal["delay_count"] == 1 and focal["delay_flags"][0]["project_id"] == murzuq["grid"].pk
    assert focal["duplicate_count"] == 0  # the pair names the UNICEF draft
    assert focal["gaps"]["stored"] is False and all(f["id"] is None for f in focal["gaps"]["flags"])
    html = client_for("ministry_analyst", "en").get(_file_url(m)).content.decode()
    assert "Progress behind time" in html and "Planned end passed" in html and "Possible duplicates" in html
    assert "People in need: 9,000." in html  # the engine's reason, with its figure formatted


def test_plan_objectives_that_concern_the_municipality(personas, murzuq):
    m = murzuq["murzuq"]
    local = DevelopmentPlan.objects.create(level="municipal", municipality=m, title_ar="خطة مرزق", start_year=2024,
                                           end_year=2027)
    PlanObjective.objects.create(plan=local, code="M1", title_ar="إعادة تأهيل المباني العامة")
    national = DevelopmentPlan.objects.create(level="national", title_ar="الخطة العامة للدولة", start_year=2023,
                                              end_year=2026)
    served = PlanObjective.objects.create(plan=national, code="N3", title_ar="تحسين شبكة الكهرباء",
                                          sector=murzuq["electricity"])
    PlanObjective.objects.create(plan=national, code="N9", title_ar="هدف لا يعني مرزق")
    murzuq["grid"].plan_objectives.add(served)
    murzuq["draft"].plan_objectives.add(served)
    plans = municipality_file(personas["undp_focal_point"], m)["plans"]
    assert [p["title"] for p in plans] == ["خطة مرزق", "الخطة العامة للدولة"]
    assert [(o["code"], o["projects"]) for o in plans[1]["objectives"]] == [("N3", 1)]  # the draft is not counted
    assert municipality_file(personas["ministry_analyst"], m)["plans"][1]["objectives"][0]["projects"] == 2


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("persona", ["ministry_analyst", "undp_focal_point"])
def test_both_pages_keep_a_fixed_number_of_queries(client_for, personas, murzuq, undp, unicef, persona,
                                                   django_assert_num_queries):
    m = murzuq["murzuq"]
    client = client_for(persona, "ar")
    urls = [_file_url(m), reverse("partner_detail", args=[undp.pk])]
    client.get(urls[0])  # warm the session and the caches of the first request
    few = [_queries(client, url) for url in urls]
    for i in range(27):
        partner = undp if i % 2 else unicef
        sector = murzuq["electricity"] if i % 3 else murzuq["water"]
        p = project(partner, m, sector, title_en=f"More work {i}", also=murzuq["other"] if i % 4 else None,
                    currency="EUR" if i % 5 else "USD")
        DelayFlag.objects.create(project=p, rule=DelayFlag.Rule.END_PASSED, severity=1, score=0.3)
    for url, count in zip(urls, few, strict=True):
        with django_assert_num_queries(count):
            assert client.get(url).status_code == 200


def test_unknown_municipality_or_partner_is_a_404(client_for, murzuq):
    client = client_for("ministry_analyst", "en")
    assert client.get(reverse("municipality_file", args=["nowhere"])).status_code == 404
    assert client.get(reverse("partner_detail", args=[987654])).status_code == 404


@pytest.mark.parametrize("persona", ["ministry_admin", "ministry_analyst", "rapporteur", "viewer",
                                     "undp_focal_point", "unicef_focal_point"])
def test_every_signed_in_persona_reads_both_pages(client_for, murzuq, undp, persona):
    client = client_for(persona, "ar")
    assert client.get(_file_url(murzuq["murzuq"])).status_code == 200
    assert client.get(reverse("partner_detail", args=[undp.pk])).status_code == 200


def test_anonymous_is_sent_to_sign_in(client_for, murzuq, undp):
    client = client_for("anonymous", "ar")
    for url in (_file_url(murzuq["murzuq"]), reverse("partner_detail", args=[undp.pk])):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_partner_page_shows_roles_places_sectors_money_and_record(client_for, personas, murzuq, undp):
    data = partner_file(personas["ministry_analyst"], undp)
    roles = {r["role"]: r for r in data["roles"]}
    assert roles["reporting"]["projects"] == 1 and roles[1]["projects"] == 1  # funds its own grid project
    assert roles[4]["projects"] == 1 and roles[4]["usd"] == Decimal("550000.00")  # implements UNICEF's wells
    assert data["totals"]["projects"] == 2 and data["totals"]["usd"] == Decimal("1550000.00")
    places = {p["slug"]: p for p in data["municipalities"]}
    assert places["murzuq"]["usd"] == Decimal("1275000.00") and places["umm-al-aranib"]["usd"] == Decimal("275000.00")
    assert data["scorecard"] is not None
    html = client_for("ministry_analyst", "en").get(reverse("partner_detail", args=[undp.pk])).content.decode()
    assert "Projects by role" in html and "Implementing" in html and "Funding" in html
    assert "USD 1,550,000" in html and reverse("municipality_file", args=["murzuq"]) in html
    assert reverse("scorecard_detail", args=[undp.pk]) in html
    ar = client_for("ministry_analyst", "ar").get(reverse("partner_detail", args=[undp.pk])).content.decode()
    assert "1,550,000 دولار أمريكي" in ar and "سجل" in ar


def test_a_partner_page_hides_another_partners_drafts_and_scorecard(client_for, personas, murzuq, unicef):
    data = partner_file(personas["undp_focal_point"], unicef)
    assert [p["title"] for p in data["projects"]] in (["آبار مياه للأسر العائدة"], ["Water wells for returning families"])
    assert data["totals"]["projects"] == 1 and data["totals"]["usd"] == Decimal("550000.00")
    assert data["scorecard"] is None
    html = client_for("undp_focal_point", "en").get(reverse("partner_detail", args=[unicef.pk])).content.decode()
    assert DRAFT_TITLE not in html and "9,000,000" not in html
    assert reverse("scorecard_detail", args=[unicef.pk]) not in html
    own = partner_file(personas["unicef_focal_point"], unicef)
    assert own["totals"]["projects"] == 2 and own["scorecard"] is not None
    assert partner_file(personas["ministry_analyst"], unicef)["totals"]["usd"] == Decimal("9550000.00")


def test_the_partner_page_lists_its_open_flags(personas, murzuq, undp):
    DelayFlag.objects.create(project=murzuq["grid"], rule=DelayFlag.Rule.NO_RECENT_UPDATE, severity=2, score=0.6)
    DelayFlag.objects.create(project=murzuq["grid"], rule=DelayFlag.Rule.END_PASSED, severity=3, score=0.9,
                             status="dismissed")
    data = partner_file(personas["ministry_analyst"], undp)
    assert data["delay_count"] == 1 and data["delay_flags"][0]["rule_label"] == str(DelayFlag.Rule.NO_RECENT_UPDATE.label)


def test_a_submitted_project_of_another_partner_stays_out_too(personas, murzuq, unicef):
    project(unicef, murzuq["murzuq"], murzuq["water"], title_en="Submitted elsewhere", state=ReviewState.SUBMITTED)
    titles = [p["title"] for p in municipality_file(personas["undp_focal_point"], murzuq["murzuq"])["projects"]]
    assert "Submitted elsewhere" not in titles


def test_the_partner_pages_project_list_is_paginated_and_narrowed_by_role(client_for, murzuq, undp, unicef,
                                                                         django_assert_num_queries):
    from projects.models import OrganisationRole, Participation
    from projects.views.pages import PAGE_SIZE

    m = murzuq["murzuq"]
    for i in range(PAGE_SIZE + 3):
        p = project(undp, m, murzuq["water"], title_en=f"Paged work {i:02d}")
        if i % 2:
            Participation.objects.create(project=p, partner=undp, role=OrganisationRole.IMPLEMENTING)
    funded_by_undp = project(unicef, m, murzuq["water"], title_en="Funded by UNDP, reported by UNICEF")
    Participation.objects.create(project=funded_by_undp, partner=undp, role=OrganisationRole.FUNDING)
    client = client_for("ministry_analyst", "en")
    url = reverse("partner_detail", args=[undp.pk])
    first = client.get(url)
    total = first.context["file"]["totals"]["projects"]
    assert total > PAGE_SIZE
    page = first.context["page"]
    assert len(first.context["file"]["projects"]) == PAGE_SIZE and page.paginator.count == total
    assert 'rel="next"' in first.content.decode()
    with CaptureQueriesContext(connection) as one:
        last = client.get(url, {"page": page.paginator.num_pages})
    listed = len(last.context["file"]["projects"])
    assert listed == total - PAGE_SIZE * (page.paginator.num_pages - 1) and 'rel="prev"' in last.content.decode()
    with django_assert_num_queries(len(one)):  # the same cost on either page
        client.get(url, {"page": 1})
    reporting = client.get(url, {"role": "reporting"}).context["file"]
    assert reporting["role"] == "reporting" and all(p["reports"] for p in reporting["projects"])
    assert "Funded by UNDP, reported by UNICEF" not in [p["title"] for p in reporting["projects"]]
    implementing = client.get(url, {"role": str(OrganisationRole.IMPLEMENTING)})
    rows = implementing.context["file"]["projects"]
    assert rows and all("Implementing" in p["roles"] for p in rows)
    implementers = Participation.objects.filter(partner=undp, role=OrganisationRole.IMPLEMENTING)
    assert implementing.context["page"].paginator.count == implementers.values("project_id").distinct().count()
    assert implementing.context["page"].paginator.count >= (PAGE_SIZE + 3) // 2
    assert "?role=4" in implementing.content.decode()  # the role links
    assert client.get(url, {"role": "bogus"}).context["file"]["role"] is None  # anything else: every project
