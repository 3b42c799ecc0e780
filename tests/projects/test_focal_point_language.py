"""Each focal point's reminder e-mails come in the language they chose (the site's language until they do)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from projects import services
from projects.models import FocalPoint
from projects.reporting.services.periods import reporting_periods_sync
from projects.reporting.services.reminders import report_reminders_send
from tests import factories
from tests.conftest import force_login_verified

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def two_focal_points(personas, undp):
    english = personas["undp_focal_point"]
    english.email = "en@undp.example"
    english.save()
    FocalPoint.objects.filter(user=english).update(language="en")
    arabic = factories.UserFactory(username="undp_ar", email="ar@undp.example")
    factories.FocalPointFactory(user=arabic, partner=undp, language="ar")
    factories.ProjectFactory(reporting_partner=undp, title_ar="مشروع المياه", title_en="Water project",
                             actual_start=D(2025, 1, 1))
    reporting_periods_sync()  # the reminders read the stored periods; the factories send no change event
    return english, arabic


def test_a_new_focal_point_follows_the_sites_language(personas):
    focal_point = personas["undp_focal_point"].focal_point
    assert focal_point.language == ""


def test_an_english_focal_point_gets_english_and_an_arabic_one_arabic(two_focal_points):
    assert report_reminders_send(today=D(2025, 7, 10)) == {"reminders": 2, "emails": 2}
    by_address = {message.to[0]: message for message in mail.outbox}
    english, arabic = by_address["en@undp.example"], by_address["ar@undp.example"]
    assert english.extra_headers["Content-Language"] == "en"
    assert english.subject == "Tansiq: 1 project report(s) overdue"
    assert "These project reports are overdue:" in english.body and "Water project" in english.body
    assert "مشروع المياه" not in english.body
    assert arabic.extra_headers["Content-Language"] == "ar"
    with translation.override("ar"):
        assert arabic.subject == translation.gettext("Tansiq: %(count)s project report(s) overdue") % {"count": 1}
        assert translation.gettext("These project reports are overdue:") in arabic.body
    assert arabic.subject != english.subject and "مشروع المياه" in arabic.body and "Water project" not in arabic.body


def test_a_focal_point_chooses_their_language_on_the_token_page(personas):
    user = personas["undp_focal_point"]
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    page = client.get(reverse("api_token"))
    html = page.content.decode()
    assert 'data-testid="language-form"' in html and '<option value="ar" selected>' in html
    token = page.cookies["csrftoken"].value
    forged = client.post(reverse("api_token"), {"action": "language", "language": "en"})
    assert forged.status_code == 403  # no CSRF token: refused
    saved = client.post(reverse("api_token"), {"action": "language", "language": "en", "csrfmiddlewaretoken": token})
    assert saved.status_code == 302
    user.focal_point.refresh_from_db()
    assert user.focal_point.language == "en"
    assert '<option value="en" selected>' in client.get(reverse("api_token")).content.decode()
    bad = client.post(reverse("api_token"), {"action": "language", "language": "fr", "csrfmiddlewaretoken": token})
    assert bad.status_code == 400 and 'data-error-for="language"' in bad.content.decode()
    user.focal_point.refresh_from_db()
    assert user.focal_point.language == "en"


def test_only_focal_points_have_the_choice(personas):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(personas["ministry_analyst"])
    assert 'data-testid="language-form"' not in client.get(reverse("api_token")).content.decode()
    response = client.post(reverse("api_token"), {"action": "language", "language": "en"})
    assert response.status_code == 302  # treated as an unknown action: nothing is written
    with pytest.raises(PermissionDenied):
        services.focal_point_set_language(user=personas["ministry_analyst"], language="en")
    with pytest.raises(ValidationError):
        services.focal_point_set_language(user=personas["undp_focal_point"], language="fr")
    assert FocalPoint.objects.filter(language="").count() == 2


def test_the_admin_shows_and_filters_by_language(personas):
    FocalPoint.objects.filter(user=personas["unicef_focal_point"]).update(language="en")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    force_login_verified(client, personas["ministry_admin"])
    listing = client.get(reverse("admin:projects_focalpoint_changelist"), {"language__exact": "en"})
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "unicef_fp" in html and "undp_fp" not in html and "column-language" in html
    change = client.get(reverse("admin:projects_focalpoint_change", args=[personas["undp_focal_point"].focal_point.pk]))
    assert 'name="language"' in change.content.decode()
