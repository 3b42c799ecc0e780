"""Property-based check of the API from its own OpenAPI document (schemathesis): every GET endpoint,
with generated parameters, answers a signed-in ministry analyst without a server error, and every
writing endpoint, with generated bodies, answers a partner's focal point without one."""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings

from projects.models import ActivityStatus, ProjectUpdate, ReviewState
from tests import factories


def _served_schema() -> dict:
    """The OpenAPI document as /api/schema/ serves it (generated without a database)."""
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.fixture
def live_app(db):
    """Django closes the database connection at the end of each request; inside a test that would end the
    test's transaction, so (as Django's own test client does) that hook is off while the fuzzing runs."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def analyst_token(personas, undp, unicef):
    from rest_framework.authtoken.models import Token

    municipality = factories.MunicipalityFactory(slug="tripoli-center")
    for partner, state in ((undp, ReviewState.SUBMITTED), (unicef, ReviewState.ACCEPTED)):
        project = factories.ProjectFactory(reporting_partner=partner, state=state)
        project.locations.create(municipality=municipality)
        ProjectUpdate.objects.create(project=project, partner=project.reporting_partner,
                                     period_start="2025-01-01", period_end="2025-03-31",
                                     progress_percent=10, status=ActivityStatus.IMPLEMENTATION, state=state)
    return Token.objects.create(user=personas["ministry_analyst"]).key


schema = schemathesis.openapi.from_dict(json.loads(json.dumps(_served_schema(), default=str)))
schema.app = get_wsgi_application()


@pytest.mark.slow
@schema.include(method="GET").parametrize()
@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_get_endpoints_never_answer_a_server_error(case, live_app, analyst_token):
    response = case.call(headers={"Authorization": f"Token {analyst_token}"})
    assert response.status_code < 500, (case.method, case.formatted_path, case.query, response.text[:500])


@pytest.fixture
def focal_point_token(personas, undp):
    from rest_framework.authtoken.models import Token

    factories.SectorFactory(code="water")
    factories.MunicipalityFactory(slug="tripoli-center")
    project = factories.ProjectFactory(reporting_partner=undp, state=ReviewState.DRAFT)
    ProjectUpdate.objects.create(project=project, partner=project.reporting_partner,
                                 period_start="2025-01-01", period_end="2025-03-31",
                                 progress_percent=10, status=ActivityStatus.IMPLEMENTATION)
    return Token.objects.create(user=personas["undp_focal_point"]).key


@pytest.mark.slow
@schema.include(method=["POST", "PUT", "PATCH", "DELETE"]).parametrize()
@settings(max_examples=10, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_writing_endpoints_never_answer_a_server_error(case, live_app, focal_point_token):
    response = case.call(headers={"Authorization": f"Token {focal_point_token}"})
    assert response.status_code < 500, (case.method, case.formatted_path, case.body, response.text[:500])
