"""Partner scorecards on a small hand-made portfolio: report counts, completeness, returns; API, pages, queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects import services
from projects.models import ActivityStatus, ProjectUpdate, ReviewState
from projects.reporting.selectors.scorecard import partner_scorecard, partner_scorecards
from projects.reporting.services.periods import reporting_periods_sync
from tests import factories

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2025, 10, 20)  # Q1-Q3 2025 due; Q4 in progress


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))


def _update(project, start, end, submitted: dt.date | None, **fields):
    values = {"progress_percent": 10, "status": ActivityStatus.IMPLEMENTATION, "narrative": "", "spend_to_date": 0,
              "beneficiaries_reached": None, "problems": "", **fields}
    return ProjectUpdate.objects.create(project=project, partner=project.reporting_partner,
                                        period_start=start, period_end=end,
                                        state=ReviewState.SUBMITTED if submitted else ReviewState.DRAFT,
                                        submitted_at=_at(submitted) if submitted else None, **values)


@pytest.fixture
def portfolio(personas, undp, unicef):
    sector = factories.SectorFactory(code="water")
    place = factories.MunicipalityFactory()
    # UNDP project A: complete record; Q1 on time, Q2 late, Q3 missing.
    a = factories.ProjectFactory(reporting_partner=undp, actual_start=D(2025, 1, 1), iati_identifier="XM-DAC-41114-A",
                                 beneficiaries_targeted=1000)
    a.sector_shares.create(sector=sector, percentage=100)
    a.locations.create(municipality=place)
    _update(a, D(2025, 1, 1), D(2025, 3, 31), D(2025, 4, 10), narrative="Done", spend_to_date=5,
            beneficiaries_reached=10)
    _update(a, D(2025, 4, 1), D(2025, 6, 30), D(2025, 7, 20), narrative="", spend_to_date=0,
            status=ActivityStatus.SUSPENDED, problems="")
    # UNDP project B: English title only, no sector, no place, no budget, no IATI id, no target; started in Q3:
    # Q3 on time.
    b = factories.ProjectFactory(reporting_partner=undp, title_ar="", actual_start=D(2025, 8, 15), budget=None)
    _update(b, D(2025, 8, 15), D(2025, 9, 30), D(2025, 10, 1), narrative="ok", spend_to_date=1,
            beneficiaries_reached=3)
    # UNICEF: one project in the pipeline (owes no report), one draft update (not counted).
    c = factories.ProjectFactory(reporting_partner=unicef, status=ActivityStatus.PIPELINE)
    _update(c, D(2025, 1, 1), D(2025, 3, 31), None)
    reporting_periods_sync()  # the report counts read the stored periods; the factories send no change event
    return {"a": a, "b": b, "c": c}


def test_report_counts_and_rate(portfolio, undp, unicef):
    card = partner_scorecard(partner_id=undp.pk, today=TODAY)
    assert (card.reports.due, card.reports.on_time, card.reports.late, card.reports.missing) == (4, 2, 1, 1)
    assert card.reports.on_time_rate == 0.5
    other = partner_scorecard(partner_id=unicef.pk, today=TODAY).as_dict()
    assert other["reports"] == {"due": 0, "on_time": 0, "late": 0, "missing": 0, "on_time_rate": None}
    assert other["updates"] == 0 and other["update_completeness"] is None


def test_completeness_of_records_and_updates(portfolio, undp):
    data = partner_scorecard(partner_id=undp.pk, today=TODAY).as_dict()
    assert data["projects"] == 2
    # A: 7/7. B: titles 0.5, dates 1 (factory planned dates), the rest 0 -> 1.5/7.
    assert data["project_fields"] == {"titles": 0.75, "sector": 0.5, "municipality": 0.5, "budget": 0.5,
                                      "dates": 1.0, "iati_identifier": 0.5, "beneficiaries_targeted": 0.5}
    assert data["project_completeness"] == pytest.approx((7 + 1.5) / 14, abs=1e-4)
    # Updates: A/Q1 3 of 3, A/Q2 (suspended, so problems count) 0 of 4, B 3 of 3 -> 6 of 10.
    assert data["updates"] == 3
    assert data["update_fields"] == {"narrative": pytest.approx(2 / 3, abs=1e-4),
                                     "spend": pytest.approx(2 / 3, abs=1e-4),
                                     "beneficiaries": pytest.approx(2 / 3, abs=1e-4), "problems": 0.0}
    assert data["update_completeness"] == 0.6


def test_returned_submissions_are_counted_from_the_review_history(portfolio, personas, undp):
    analyst, fp = personas["ministry_analyst"], personas["undp_focal_point"]
    project = portfolio["b"]
    services.project_submit(project=project, user=fp)
    services.project_review(project=project, user=analyst, decision="return", comment="add a sector")
    services.project_edit(project=project, user=fp, fields={"title_ar": "مشروع ب"})  # edits while returned
    services.project_submit(project=project, user=fp)
    services.project_review(project=project, user=analyst, decision="return", comment="still no sector")
    update = portfolio["a"].updates.order_by("period_end").first()
    services.project_update_review(update=update, user=analyst, decision="return", comment="numbers?")
    card = partner_scorecard(partner_id=undp.pk, today=TODAY)
    assert (card.returned_projects, card.returned_updates, card.returned) == (2, 1, 3)


def test_updates_count_for_the_partner_that_wrote_them_after_a_move(portfolio, personas, undp, unicef):
    """The ministry moves UNDP's project A to UNICEF: A's submitted and returned updates stay in UNDP's
    scorecard (they are UNDP's reporting), the project itself is UNICEF's now."""
    analyst = personas["ministry_analyst"]
    update = portfolio["a"].updates.order_by("period_end").first()
    services.project_update_review(update=update, user=analyst, decision="return", comment="numbers?")
    before = partner_scorecard(partner_id=undp.pk, today=TODAY).as_dict()
    services.project_edit(project=portfolio["a"], user=personas["ministry_admin"], fields={"reporting_partner": unicef})
    after = partner_scorecard(partner_id=undp.pk, today=TODAY).as_dict()
    assert (after["updates"], after["update_fields"], after["returned"]["updates"]) == (
        before["updates"], before["update_fields"], before["returned"]["updates"]) == (3, before["update_fields"], 1)
    other = partner_scorecard(partner_id=unicef.pk, today=TODAY).as_dict()
    assert other["projects"] == 2 and other["updates"] == 0 and other["returned"]["updates"] == 0


def test_queries_do_not_grow_with_partners_and_projects(portfolio, django_assert_max_num_queries):
    with django_assert_max_num_queries(8) as few:
        small = partner_scorecards(today=TODAY)
    for _ in range(5):
        partner = factories.PartnerFactory()
        for _ in range(3):
            project = factories.ProjectFactory(reporting_partner=partner, actual_start=D(2024, 6, 1))
            _update(project, D(2024, 6, 1), D(2024, 6, 30), D(2024, 7, 1))
    reporting_periods_sync()
    with django_assert_max_num_queries(len(few.captured_queries)):
        large = partner_scorecards(today=TODAY)
    assert len(large) == len(small) + 5
    # Each new partner: 3 projects × 6 quarters due (Q2 2024 … Q3 2025), the first reported on time.
    new = [card.reports for card in large if card.partner_id not in {c.partner_id for c in small}]
    assert [(t.due, t.on_time, t.late, t.missing) for t in new] == [(18, 3, 0, 15)] * 5


def test_api_scorecards_for_the_ministry_and_a_focal_point(client_for, portfolio, personas, undp, unicef):
    listed = client_for(personas["ministry_analyst"], 'ar', api=True).get(reverse("api:scorecard-list")).json()
    assert {row["partner"] for row in listed["results"]} == {undp.pk, unicef.pk}
    own = client_for(personas["undp_focal_point"], 'ar', api=True).get(reverse("api:scorecard-list")).json()
    assert [row["partner"] for row in own["results"]] == [undp.pk]
    one = client_for(personas["undp_focal_point"], 'ar', api=True).get(reverse("api:partner-scorecard", args=[undp.pk]))
    assert one.status_code == 200 and one.json()["projects"] == 2 and set(one.json()["reports"]) == {
        "due", "on_time", "late", "missing", "on_time_rate"}
    other = client_for(personas["undp_focal_point"], 'ar', api=True).get(reverse("api:partner-scorecard", args=[unicef.pk]))
    assert other.status_code == 404 and other.json()["error"]["code"] == "not_found"
    assert client_for(personas["viewer"], 'ar', api=True).get(reverse("api:partner-scorecard", args=[unicef.pk])).status_code == 200
    nobody = client_for(factories.UserFactory(username="nobody"), 'ar', api=True).get(reverse("api:scorecard-list"))
    assert nobody.status_code == 403 and nobody.json()["error"]["code"] == "permission_denied"
    assert client_for(None, 'ar', api=True).get(reverse("api:scorecard-list")).status_code in (401, 403)
    missing = client_for(personas["ministry_analyst"], 'ar', api=True).get(reverse("api:partner-scorecard", args=[999999]))
    assert missing.status_code == 404


def test_api_scorecard_list_keeps_its_query_count(client_for, portfolio, personas, django_assert_max_num_queries):
    for _ in range(4):
        factories.ProjectFactory(reporting_partner=factories.PartnerFactory(), actual_start=D(2024, 1, 1))
    reporting_periods_sync()
    with django_assert_max_num_queries(10):
        response = client_for(personas["ministry_analyst"], 'ar', api=True).get(reverse("api:scorecard-list"))
    assert response.status_code == 200 and response.json()["count"] == 6


def test_pages(client, portfolio, personas, undp, unicef, django_assert_max_num_queries):
    client.force_login(personas["ministry_analyst"])
    with django_assert_max_num_queries(12):
        html = client.get(reverse("scorecard_list")).content.decode()
    assert f'data-partner="{undp.pk}"' in html and f'data-partner="{unicef.pk}"' in html
    detail = client.get(reverse("scorecard_detail", args=[undp.pk]))
    assert detail.status_code == 200 and undp.name_ar in detail.content.decode()  # Arabic by default
    client.force_login(personas["unicef_focal_point"])
    html = client.get(reverse("scorecard_list")).content.decode()
    assert f'data-partner="{unicef.pk}"' in html and f'data-partner="{undp.pk}"' not in html
    assert client.get(reverse("scorecard_detail", args=[undp.pk])).status_code == 404
    client.force_login(factories.UserFactory(username="nobody"))
    assert client.get(reverse("scorecard_list")).status_code == 403


def test_whitespace_only_text_counts_as_empty(portfolio, undp):
    """The database's test of "filled" matches ``str.strip()``: spaces, tabs and new lines alone are empty."""
    b = portfolio["b"]
    _update(b, D(2025, 10, 1), D(2025, 12, 31), D(2025, 10, 2), narrative=" \n\t ", spend_to_date=0,
            status=ActivityStatus.SUSPENDED, problems="\n")
    _update(b, D(2025, 10, 1), D(2025, 12, 31), D(2025, 10, 3), narrative="  x ", spend_to_date=2,
            status=ActivityStatus.CANCELLED, problems=" power cut ")
    data = partner_scorecard(partner_id=undp.pk, today=TODAY).as_dict()
    # Narratives: A/Q1, B/Q3 and the new "x" of 5; problems: the new cancelled one of 3 held-up updates.
    assert data["updates"] == 5
    assert data["update_fields"]["narrative"] == 0.6
    assert data["update_fields"]["spend"] == 0.6
    assert data["update_fields"]["problems"] == pytest.approx(1 / 3, abs=1e-4)
    assert data["update_completeness"] == pytest.approx((3 + 3 + 2 + 1) / (5 * 3 + 3), abs=1e-4)


def _scorecard_page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("scorecard_list"))
    assert response.status_code == 200
    return len(queries)


def test_scorecard_page_queries_are_the_same_for_3_and_30_projects(client, personas, undp, unicef,
                                                                   django_assert_num_queries):
    client.force_login(personas["ministry_analyst"])
    partners = [undp, unicef, factories.PartnerFactory()]
    for i in range(3):
        project = factories.ProjectFactory(reporting_partner=partners[i], actual_start=D(2024, 6, 1))
        _update(project, D(2024, 6, 1), D(2024, 6, 30), D(2024, 7, 1), narrative="n")
    reporting_periods_sync()
    few = _scorecard_page_queries(client)
    for i in range(27):
        project = factories.ProjectFactory(reporting_partner=partners[i % 3], actual_start=D(2024, 6, 1))
        for month in (6, 7):
            _update(project, D(2024, month, 1), D(2024, month, 28), D(2024, month + 1, 1), narrative="n")
    reporting_periods_sync()
    with django_assert_num_queries(few):
        response = client.get(reverse("scorecard_list"))
    html = response.content.decode()
    assert all(f'data-partner="{p.pk}"' in html for p in partners)
    card = partner_scorecard(partner_id=partners[2].pk)
    assert card.projects == 10 and card.update_fields.records == 19
