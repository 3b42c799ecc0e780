"""Property-based check of the API from its own OpenAPI document (schemathesis): every operation, with generated
parameters and bodies, called as a partner's focal point and as a ministry analyst, answers without a server
error and with a response that conforms to the document (status code documented, content type and body shape
as documented).

Bounded: ``MAX_EXAMPLES`` per operation and persona, derandomised, so the run takes a few minutes at most and
the same cases run every time."""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from projects.models import ActivityStatus, ProjectUpdate, ReviewState
from tests import factories

MAX_EXAMPLES = 8
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


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
def tokens(personas, undp, unicef):
    """Records of both partners in each review state the API shows (so that lists and details have rows), and an
    API token per persona."""
    from rest_framework.authtoken.models import Token

    factories.SectorFactory(code="water")
    municipality = factories.MunicipalityFactory(slug="tripoli-center")
    for partner, state in ((undp, ReviewState.DRAFT), (undp, ReviewState.SUBMITTED), (unicef, ReviewState.ACCEPTED)):
        project = factories.ProjectFactory(reporting_partner=partner, state=state)
        project.locations.create(municipality=municipality)
        ProjectUpdate.objects.create(project=project, partner=project.reporting_partner,
                                     period_start="2025-01-01", period_end="2025-03-31",
                                     progress_percent=10, status=ActivityStatus.IMPLEMENTATION, state=state)
    return {name: Token.objects.create(user=personas[name]).key
            for name in ("undp_focal_point", "ministry_analyst")}


schema = schemathesis.openapi.from_dict(json.loads(json.dumps(_served_schema(), default=str)))
schema.app = get_wsgi_application()


@pytest.mark.slow
@pytest.mark.parametrize("persona", ["undp_focal_point", "ministry_analyst"])
@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_every_operation_conforms_to_the_document(case, persona, live_app, tokens):
    case.call_and_validate(headers={"Authorization": f"Token {tokens[persona]}"}, checks=CHECKS)
