"""Unknown paths under /api/ answer in the API's one error format; elsewhere the HTML 404 page."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/no-such-thing/", "/api/v2/projects/", "/api/", "/api/v1/projects/1/x/"])
def test_unknown_api_paths_answer_json(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"error": {"code": "not_found", "message": response.json()["error"]["message"],
                                         "fields": {}}}
    assert response.json()["error"]["message"]


def test_the_message_is_in_the_requests_language(client):
    english = client.get("/api/v1/nothing/", HTTP_ACCEPT_LANGUAGE="en").json()["error"]["message"]
    assert english == "Not found."


@pytest.mark.parametrize("path", ["/no-such-page/", "/projects/999999999/x/", "/apis/"])
def test_other_unknown_paths_answer_the_html_page(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "<html" in response.content.decode()
