"""Who may open the API's review queue: the same rule as the review page (projects.selectors.user_reviews),
an inactive account included."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse

from projects.models import ReviewState
from projects.permissions import REVIEW_PROJECT
from tests import factories

pytestmark = pytest.mark.django_db


class GrantsReviewToAnyone:
    """A permission source that, unlike ModelBackend, does not look at ``is_active`` (Django leaves that
    to each backend: a directory-group backend may well grant to a disabled account). With ModelBackend
    alone an inactive user has no permissions, so only such a backend shows whether the API checks
    ``is_active`` itself, as ``user_reviews`` does."""

    def authenticate(self, request: Any, **credentials: Any) -> None:
        return None

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return perm == REVIEW_PROJECT


BACKENDS = ["django.contrib.auth.backends.ModelBackend", f"{__name__}.GrantsReviewToAnyone"]


def _queue_status(client_for: Any, user: Any) -> int:
    return client_for(user, "en", api=True).get(reverse("api:review-queue-list")).status_code


def test_an_inactive_reviewer_is_refused_the_review_queue(client_for, personas):
    analyst = personas["ministry_analyst"]
    assert _queue_status(client_for, analyst) == 200
    analyst.is_active = False
    analyst.save(update_fields=["is_active"])
    assert _queue_status(client_for, analyst) == 403


@override_settings(AUTHENTICATION_BACKENDS=BACKENDS)
def test_an_inactive_account_holding_the_review_permission_is_refused_the_queue_and_the_review(client_for, personas,
                                                                                               unicef):
    analyst = personas["ministry_analyst"]
    project = factories.ProjectFactory(reporting_partner=unicef, state=ReviewState.SUBMITTED)
    assert _queue_status(client_for, analyst) == 200
    analyst.is_active = False
    analyst.save(update_fields=["is_active"])
    assert analyst.has_perm(REVIEW_PROJECT)  # the backend still grants it
    assert _queue_status(client_for, analyst) == 403
    review = reverse("api:project-review", args=[project.pk])
    response = client_for(analyst, "en", api=True).post(review, {"decision": "accept"}, format="json")
    assert response.status_code in (403, 404)
    project.refresh_from_db()
    assert project.state == ReviewState.SUBMITTED
