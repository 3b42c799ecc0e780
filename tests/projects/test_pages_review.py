"""The ministry's review queue (accept / return with a comment, htmx row swap) and the API token page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from projects.models import ActivityStatus, Project, ProjectUpdate, ReviewState
from tests import factories

pytestmark = pytest.mark.django_db

PERSONAS = ["ministry_admin", "ministry_analyst", "rapporteur", "viewer", "undp_focal_point", "unicef_focal_point",
            "anonymous"]
QUEUE_STATUS = {"ministry_admin": 200, "ministry_analyst": 200, "rapporteur": 403, "viewer": 403,
                "undp_focal_point": 403, "unicef_focal_point": 403, "anonymous": 302}


def _submitted_project(partner, **fields) -> Project:
    return factories.ProjectFactory(reporting_partner=partner, state=ReviewState.SUBMITTED,
                                    submitted_at=dt.datetime(2025, 5, 1, tzinfo=dt.UTC), **fields)


def _submitted_update(project) -> ProjectUpdate:
    return ProjectUpdate.objects.create(
        project=project, partner=project.reporting_partner,
        period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 3, 31),
        progress_percent=Decimal("30"), status=ActivityStatus.IMPLEMENTATION, spend_to_date=Decimal("5000"),
        state=ReviewState.SUBMITTED, submitted_at=dt.datetime(2025, 4, 2, tzinfo=dt.UTC))


def test_the_queues_pages_read_kind_by_kind_follow_the_one_union_order(personas, undp, unicef):
    from projects.selectors.projects import ReviewQueueRows, review_queue

    same_time = dt.datetime(2025, 4, 2, tzinfo=dt.UTC)  # the updates' time: ties across the two kinds
    for day in range(1, 8):
        _submitted_update(factories.ProjectFactory(reporting_partner=undp, state=ReviewState.ACCEPTED))
        project = _submitted_project(unicef)
        Project.objects.filter(pk=project.pk).update(
            submitted_at=same_time if day % 2 else dt.datetime(2025, 4, day, tzinfo=dt.UTC))
    analyst = personas["ministry_analyst"]
    for newest_first in (True, False):
        whole = list(review_queue(analyst, newest_first=newest_first))
        rows = ReviewQueueRows(analyst, newest_first=newest_first)
        assert rows.count() == len(whole) == 14
        for start, stop in ((0, 5), (5, 10), (10, 25)):
            assert rows[start:stop] == whole[start:stop]


@pytest.mark.parametrize("name", PERSONAS)
def test_only_reviewers_open_the_queue(client_for, personas, name):
    assert client_for(name, 'en').get(reverse("review_queue")).status_code == QUEUE_STATUS[name]


def test_the_queue_lists_submitted_projects_and_updates_paginated_in_few_queries(
        client_for, personas, undp, unicef, django_assert_max_num_queries):
    accepted = factories.ProjectFactory(reporting_partner=undp, state=ReviewState.ACCEPTED)
    update = _submitted_update(accepted)
    project = _submitted_project(unicef, title_en="School roofs")
    factories.ProjectFactory(reporting_partner=undp, state=ReviewState.DRAFT)  # not in the queue
    client = client_for("ministry_analyst", 'en')
    with django_assert_max_num_queries(10) as few:
        response = client.get(reverse("review_queue"))
    html = response.content.decode()
    # Newest submission first (issue 11): the project was submitted after the update.
    assert [(r["kind"], r["item_id"]) for r in response.context["rows"]] == [("project", project.pk),
                                                                             ("update", update.pk)]
    assert "School roofs" in html and "UNICEF" in html and reverse("update_review", args=[update.pk]) in html
    for _ in range(30):
        _submitted_project(undp)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("review_queue"))
    assert response.context["page"].paginator.count == 32 and len(response.context["rows"]) == 25


def test_accept_from_the_queue_with_htmx_swaps_the_row(client_for, personas, unicef):
    project = _submitted_project(unicef)
    response = client_for("ministry_analyst", 'en').post(
        reverse("project_review", args=[project.pk]), {"decision": "accept", "next": reverse("review_queue")},
        HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith("<tr") and 'data-testid="review-outcome"' in html
    assert "Accepted" in html
    project.refresh_from_db()
    assert project.state == ReviewState.ACCEPTED and project.reviewed_by == personas["ministry_analyst"]


def test_returning_needs_a_comment_and_shows_the_error_in_the_row(client_for, personas, unicef):
    project = _submitted_project(unicef)
    client = client_for("ministry_analyst", 'en')
    response = client.post(reverse("project_review", args=[project.pk]), {"decision": "return", "comment": "  "},
                           HTTP_HX_REQUEST="true")
    assert "Say why it is returned" in response.content.decode()
    project.refresh_from_db()
    assert project.state == ReviewState.SUBMITTED
    response = client.post(reverse("project_review", args=[project.pk]),
                           {"decision": "return", "comment": "Add the municipalities.", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == reverse("project_detail", args=[project.pk])
    project.refresh_from_db()
    assert project.state == ReviewState.RETURNED and project.review_comment == "Add the municipalities."
    detail = client_for("unicef_focal_point", 'en').get(reverse("project_detail", args=[project.pk]))
    assert "Add the municipalities." in detail.content.decode()


def test_an_accepted_update_copies_its_figures_onto_the_project(client_for, personas, undp):
    project = factories.ProjectFactory(reporting_partner=undp, state=ReviewState.ACCEPTED)
    update = _submitted_update(project)
    response = client_for("ministry_admin", 'en').post(reverse("update_review", args=[update.pk]),
                                                        {"decision": "accept", "next": reverse("review_queue")})
    assert response.status_code == 302 and response["Location"] == reverse("review_queue")
    update.refresh_from_db()
    project.refresh_from_db()
    assert update.state == ReviewState.ACCEPTED and project.progress_percent == Decimal("30")


@pytest.mark.parametrize("name, expected", [("viewer", 403), ("undp_focal_point", 403), ("rapporteur", 403),
                                            ("unicef_focal_point", 404)])
def test_who_may_not_review_gets_403_or_404_and_nothing_changes(client_for, personas, undp, name, expected):
    project = _submitted_project(undp)
    update = _submitted_update(factories.ProjectFactory(reporting_partner=undp, state=ReviewState.DRAFT))
    client = client_for(name, 'en')
    assert client.post(reverse("project_review", args=[project.pk]), {"decision": "accept"}).status_code == expected
    assert client.post(reverse("update_review", args=[update.pk]), {"decision": "accept"}).status_code == expected
    project.refresh_from_db()
    update.refresh_from_db()
    assert project.state == update.state == ReviewState.SUBMITTED


def test_reviewing_twice_is_refused(client_for, personas, undp):
    project = _submitted_project(undp)
    client = client_for("ministry_analyst", 'en')
    client.post(reverse("project_review", args=[project.pk]), {"decision": "accept"})
    assert client.post(reverse("project_review", args=[project.pk]), {"decision": "return",
                                                                      "comment": "x"}).status_code == 403
    project.refresh_from_db()
    assert project.state == ReviewState.ACCEPTED


def test_the_review_post_needs_the_csrf_token(personas, undp):
    project = _submitted_project(undp)
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["ministry_analyst"])
    assert client.post(reverse("project_review", args=[project.pk]), {"decision": "accept"}).status_code == 403
    page = client.get(reverse("review_queue"))
    token = page.cookies["csrftoken"].value
    assert client.post(reverse("project_review", args=[project.pk]), {"decision": "accept"},
                       HTTP_X_CSRFTOKEN=token).status_code == 302
    project.refresh_from_db()
    assert project.state == ReviewState.ACCEPTED


@pytest.mark.parametrize("language, direction, lang", [("ar", "rtl", 'lang="ar"'), ("en", "ltr", 'lang="en"')])
def test_the_queue_renders_in_both_languages(client_for, personas, unicef, language, direction, lang):
    _submitted_project(unicef, title_ar="سقوف المدارس", title_en="School roofs")
    html = client_for("ministry_analyst", language).get(reverse("review_queue")).content.decode()
    assert f'<html {lang} dir="{direction}">' in html
    assert ("سقوف المدارس" if language == "ar" else "School roofs") in html  # the title in the page's language


@pytest.mark.parametrize("name", ["ministry_admin", "viewer", "undp_focal_point"])
def test_the_api_token_page_creates_shows_once_renews_and_revokes(client_for, personas, name):
    from rest_framework.authtoken.models import Token

    client = client_for(name, 'en')
    assert "You have no API token." in client.get(reverse("api_token")).content.decode()
    created = client.post(reverse("api_token"), {"action": "renew"})
    key = Token.objects.get(user=personas[name]).key
    assert key in created.content.decode() and "no-cache" in created["Cache-Control"]
    again = client.get(reverse("api_token")).content.decode()
    assert key not in again and "You have a token" in again  # shown once only
    client.post(reverse("api_token"), {"action": "renew"})
    assert Token.objects.get(user=personas[name]).key != key
    assert client.post(reverse("api_token"), {"action": "revoke"}).status_code == 302
    assert not Token.objects.filter(user=personas[name]).exists()


def test_the_api_token_page_needs_a_login(client_for, personas):
    assert client_for("anonymous", 'en').get(reverse("api_token")).status_code == 302
