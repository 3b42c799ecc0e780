"""The project update pages: create, edit, detail, submit — through the services, within the rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import ActivityStatus, ProjectUpdate, ReviewState
from tests import factories

pytestmark = pytest.mark.django_db

PERSONAS = ["ministry_admin", "ministry_analyst", "rapporteur", "viewer", "undp_focal_point", "unicef_focal_point",
            "anonymous"]


@pytest.fixture
def project(undp):
    return factories.ProjectFactory(reporting_partner=undp, state=ReviewState.ACCEPTED, title_en="Clinic in Sabha")


@pytest.fixture
def draft_update(project):
    return ProjectUpdate.objects.create(
        project=project, partner=project.reporting_partner,
        period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 3, 31),
        progress_percent=Decimal("20"), status=ActivityStatus.IMPLEMENTATION, spend_to_date=Decimal("1000"),
        narrative="Works started.", state=ReviewState.DRAFT)


def _data(**fields) -> dict[str, str]:
    return {"period_start": "2025-04-01", "period_end": "2025-06-30", "progress_percent": "45", "status": "2",
            "spend_to_date": "42000", "beneficiaries_reached": "1200", "narrative": "Second floor built.",
            "problems": "Cement arrived late.", **fields}


# A draft update of UNDP's accepted project: another partner's focal point must not learn it exists.
UPDATE_PAGES = {
    #                      new   detail edit
    "ministry_admin":     (200, 200, 200),
    "ministry_analyst":   (403, 200, 403),
    "rapporteur":         (403, 200, 403),
    "viewer":             (403, 200, 403),
    "undp_focal_point":   (200, 200, 200),
    "unicef_focal_point": (403, 404, 404),
    "anonymous":          (302, 302, 302),
}


@pytest.mark.parametrize("name", PERSONAS)
def test_who_may_open_which_update_page(client_for, personas, project, draft_update, name):
    client = client_for(name, 'ar')
    urls = [reverse("update_create", args=[project.pk]), reverse("update_detail", args=[draft_update.pk]),
            reverse("update_edit", args=[draft_update.pk])]
    assert tuple(client.get(url).status_code for url in urls) == UPDATE_PAGES[name]


def test_a_focal_point_reports_an_update_through_the_service(client_for, personas, project):
    fp = personas["undp_focal_point"]
    response = client_for("undp_focal_point", 'ar').post(reverse("update_create", args=[project.pk]), _data())
    update = ProjectUpdate.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("update_detail", args=[update.pk])
    assert update.state == ReviewState.DRAFT and update.progress_percent == Decimal("45")
    assert update.problems == "Cement arrived late." and update.history.first().history_user == fp


@pytest.mark.parametrize("change, message", [
    ({"period_end": "2025-03-01"}, "The period cannot end before it starts."),
    ({"progress_percent": "101"}, "less than or equal to 100"),
    ({"status": "9"}, "Select a valid choice."),
    ({"spend_to_date": "-5"}, "greater than or equal to 0"),
])
def test_an_invalid_update_saves_nothing(client_for, personas, project, change, message):
    client = client_for("undp_focal_point", 'ar')
    client.cookies["django_language"] = "en"
    response = client.post(reverse("update_create", args=[project.pk]), _data(**change))
    assert response.status_code == 400 and ProjectUpdate.objects.count() == 0
    assert message in response.content.decode()


def test_another_partners_focal_point_cannot_report_on_the_project(client_for, personas, project):
    response = client_for("unicef_focal_point", 'ar').post(reverse("update_create", args=[project.pk]), _data())
    assert response.status_code == 403 and ProjectUpdate.objects.count() == 0


def test_edit_then_submit_and_a_submitted_update_is_no_longer_editable(client_for, personas, draft_update):
    client = client_for("undp_focal_point", 'ar')
    detail = client.get(reverse("update_detail", args=[draft_update.pk])).content.decode()
    assert reverse("update_submit", args=[draft_update.pk]) in detail
    client.post(reverse("update_edit", args=[draft_update.pk]), _data(period_start="2025-01-01",
                                                                     period_end="2025-03-31"))
    draft_update.refresh_from_db()
    assert draft_update.progress_percent == Decimal("45")
    assert client.post(reverse("update_submit", args=[draft_update.pk])).status_code == 302
    draft_update.refresh_from_db()
    assert draft_update.state == ReviewState.SUBMITTED
    assert client.get(reverse("update_edit", args=[draft_update.pk])).status_code == 403
    response = client.post(reverse("update_edit", args=[draft_update.pk]), _data(progress_percent="90"))
    draft_update.refresh_from_db()
    assert response.status_code == 403 and draft_update.progress_percent == Decimal("45")


def test_the_update_detail_shows_its_figures_state_and_the_reviewers_comment(client_for, personas, draft_update):
    ProjectUpdate.objects.filter(pk=draft_update.pk).update(state=ReviewState.RETURNED,
                                                             review_comment="Give the spend by quarter.")
    client = client_for("undp_focal_point", 'ar')
    client.cookies["django_language"] = "en"
    html = client.get(reverse("update_detail", args=[draft_update.pk])).content.decode()
    for text in ("Update for 2025-01-01 – 2025-03-31", "20%", "Works started.", "Give the spend by quarter.",
                 'data-state="returned"', "1,000.00 USD"):
        assert text in html, text


def test_the_project_page_lists_its_updates_with_their_states(client_for, personas, project, draft_update):
    html = client_for("viewer", 'ar').get(reverse("project_detail", args=[project.pk])).content.decode()
    assert reverse("update_detail", args=[draft_update.pk]) in html and 'data-state="draft"' in html
    # Another partner's focal point sees the accepted project but not its draft update.
    html = client_for("unicef_focal_point", 'ar').get(reverse("project_detail", args=[project.pk])).content.decode()
    assert reverse("update_detail", args=[draft_update.pk]) not in html
