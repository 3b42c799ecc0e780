"""The OpenAPI document (/api/schema/) and its Swagger UI (/api/docs/) are for signed-in users unless
TANSIQ_API_DOCS_PUBLIC opens them: anonymous callers get the API's error format for the document (in JSON,
whatever format they asked for) and the login page for the docs."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.config.fresh_settings import settings_with

pytestmark = pytest.mark.django_db

SCHEMA_ASKS = [({}, {}), ({"format": "json"}, {}), ({"format": "yaml"}, {}),
               ({}, {"HTTP_ACCEPT": "application/vnd.oai.openapi"}),
               ({}, {"HTTP_ACCEPT": "application/vnd.oai.openapi+json"})]


@pytest.mark.parametrize(("query", "headers"), SCHEMA_ASKS)
def test_anonymous_callers_get_no_schema_by_default(client, query, headers):
    response = client.get("/api/schema/", query, **headers)
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == "not_authenticated" and body["error"]["message"]
    assert "paths" not in response.content.decode()


@pytest.mark.parametrize("path", ["/api/docs/", "/api/docs/?script="])
def test_anonymous_visitors_of_the_docs_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/api/docs/")
    assert "swagger" not in response.content.decode().lower()


@pytest.mark.parametrize("persona", ["viewer", "undp_focal_point", "ministry_analyst"])
def test_signed_in_users_read_both(client_for, persona):
    page = client_for(persona, "en")
    schema = page.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200 and "/api/v1/projects/" in schema.json()["paths"]
    docs = page.get("/api/docs/")
    assert docs.status_code == 200 and "swagger-ui" in docs.content.decode()
    assert page.get("/api/docs/?script=").status_code == 200


def test_a_script_with_a_token_reads_the_schema(personas):
    token = Token.objects.create(user=personas["undp_focal_point"])
    client = APIClient()
    assert client.get("/api/schema/").status_code == 403
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.get("/api/schema/")
    assert response.status_code == 200 and b"openapi:" in response.content  # YAML, as asked by default


def test_the_setting_opens_them_to_everyone(client, settings):
    settings.TANSIQ_API_DOCS_PUBLIC = True
    schema = client.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200 and "/api/v1/projects/" in schema.json()["paths"]
    assert client.get("/api/docs/").status_code == 200
    assert client.get("/api/docs/?script=").status_code == 200
    # the API itself stays closed
    assert client.get("/api/v1/projects/").status_code == 403


def test_the_setting_is_read_strictly():
    assert settings_with({}, ["TANSIQ_API_DOCS_PUBLIC"]) == {"TANSIQ_API_DOCS_PUBLIC": False}
    assert settings_with({"TANSIQ_API_DOCS_PUBLIC": "true"}, ["TANSIQ_API_DOCS_PUBLIC"]) == {
        "TANSIQ_API_DOCS_PUBLIC": True}
    refused = settings_with({"TANSIQ_API_DOCS_PUBLIC": "sometimes"}, ["TANSIQ_API_DOCS_PUBLIC"])
    assert "TANSIQ_API_DOCS_PUBLIC" in refused["error"] and "not a boolean" in refused["error"]


def test_the_ci_command_still_writes_the_schema(tmp_path):
    """`manage.py spectacular --validate --fail-on-warn` (CI) is a command: no sign-in involved."""
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert "/api/v1/projects/" in out.read_text()
