"""The change categories that decide which re-checks are queued: the admin's inlines announce what the
services announce for the same change to a project's parts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.gis.geos import GEOSGeometry, Point
from django.urls import reverse

from projects import services
from projects.events import project_changed
from projects.models import ReviewState
from tests import factories

pytestmark = pytest.mark.django_db

SITE_POINT = Point(13.19, 32.88, srid=4326)


@pytest.fixture
def announced():
    """Every ``changed`` set sent through ``project_changed``, in order."""
    seen: list[set[str]] = []

    def on_project(sender, changed, **kwargs):
        seen.append(set(changed))

    project_changed.connect(on_project, dispatch_uid="test-change-categories")
    yield seen
    project_changed.disconnect(dispatch_uid="test-change-categories")


@pytest.fixture
def parts(db):
    return {"municipality": factories.MunicipalityFactory(), "sector": factories.SectorFactory(),
            "partner": factories.PartnerFactory()}


def _value(value) -> str | list[str]:
    """A bound field's value as the browser would post it back."""
    if value is None or value is False:
        return ""
    if value is True:
        return "on"
    if isinstance(value, GEOSGeometry):
        return value.ewkt
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return str(value)


def _admin_form_data(page) -> dict:
    """The change form of the project admin as it was rendered: the project's fields and every inline
    formset (management form and rows), unchanged."""
    data: dict = {}
    for field in page.context["adminform"].form:
        data[field.html_name] = _value(field.value())
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        for field in formset.management_form:
            data[field.html_name] = _value(field.value())
        for form in formset.forms:
            for field in form:
                data[field.html_name] = _value(field.value())
    return {name: value for name, value in data.items() if value != ""}


# One new row per inline of the project admin: the admin form's fields, and the same row as the
# services take it (project_edit's lists).
CASES = {
    "sites": (
        lambda p: {"name_en": "Al-Fajr school", "point": SITE_POINT.ewkt, "municipality": p["municipality"].pk},
        lambda p: {"sites": [{"name_en": "Al-Fajr school", "point": SITE_POINT, "municipality": p["municipality"]}]},
    ),
    "transactions": (
        lambda p: {"type": "3", "date": "2025-03-01", "value": "2500.00", "currency": "USD",
                   "provider_activity_id": "XM-DAC-41114-1"},
        lambda p: {"transactions": [{"type": 3, "date": dt.date(2025, 3, 1), "value": Decimal("2500.00"),
                                     "currency": "USD", "provider_activity_id": "XM-DAC-41114-1"}]},
    ),
    "sector_shares": (
        lambda p: {"sector": p["sector"].pk, "percentage": "100"},
        lambda p: {"sectors": [{"sector": p["sector"], "percentage": Decimal("100")}]},
    ),
    "locations": (
        lambda p: {"municipality": p["municipality"].pk},
        lambda p: {"locations": [{"municipality": p["municipality"]}]},
    ),
    "participations": (
        lambda p: {"partner": p["partner"].pk, "role": "4"},
        lambda p: {"participations": [{"partner": p["partner"], "role": 4}]},
    ),
    "related_activities": (
        lambda p: {"relation": "1", "iati_identifier": "XM-DAC-41114-PARENT"},
        lambda p: {"related_activities": [{"relation": 1, "iati_identifier": "XM-DAC-41114-PARENT"}]},
    ),
}


@pytest.mark.parametrize("prefix", CASES)
def test_an_admin_inline_announces_what_the_service_announces(prefix, personas, undp, parts, client_for,
                                                              announced):
    admin_row, service_lists = CASES[prefix]
    by_service = factories.ProjectFactory(reporting_partner=undp, state=ReviewState.ACCEPTED)
    by_admin = factories.ProjectFactory(reporting_partner=undp, state=ReviewState.ACCEPTED)

    services.project_edit(project=by_service, user=personas["ministry_admin"], fields={}, **service_lists(parts))
    service_changed = set().union(*announced)
    assert service_changed, "the service announced nothing"

    announced.clear()
    client = client_for("ministry_admin", "en")
    url = reverse("admin:projects_project_change", args=[by_admin.pk])
    data = _admin_form_data(client.get(url))
    row = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(row + 1)
    data.update({f"{prefix}-{row}-{name}": value for name, value in admin_row(parts).items()})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    assert getattr(by_admin, prefix).count() == 1

    assert set().union(*announced) == service_changed


def test_every_part_the_admin_edits_and_every_category_read_is_in_the_one_map():
    from django.contrib import admin as django_admin

    from coordination import receivers as coordination_receivers
    from projects import events
    from projects import receivers as projects_receivers
    from projects.models import Project

    project_admin = django_admin.site.get_model_admin(Project)
    assert {inline.model for inline in project_admin.inlines} <= set(events.RELATED_CATEGORIES)
    written = set(events.PROJECT_FIELD_CATEGORIES.values()).union(*events.RELATED_CATEGORIES.values())
    read = (coordination_receivers.DUPLICATE_RELEVANT | coordination_receivers.GAP_RELEVANT
            | coordination_receivers.DELAY_RELEVANT | projects_receivers.PERIODS_RELEVANT)
    assert written | read <= events.CHANGE_CATEGORIES
    assert {field.attname for field in Project._meta.concrete_fields} >= set(events.PROJECT_FIELD_CATEGORIES)
