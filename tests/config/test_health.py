import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(client):
    response = client.get(reverse("healthz"))
    body = response.json()
    assert response.status_code == 200
    assert body["database"]["ok"] is True and body["broker"]["ok"] is True
    assert body["ok"] is True


@pytest.mark.django_db
def test_healthz_says_503_when_the_broker_is_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False
