"""The review workflow services: draft → submitted → accepted | returned, with who did it and the events."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from projects import services
from projects.events import project_changed, project_update_changed
from projects.models import ActivityStatus, Project, ProjectUpdate, ReviewState
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def events():
    """Everything the services announce, as (signal name, kwargs)."""
    seen: list[tuple[str, dict]] = []

    def on_project(sender, **kwargs):
        seen.append(("project_changed", kwargs))

    def on_update(sender, **kwargs):
        seen.append(("project_update_changed", kwargs))

    project_changed.connect(on_project, dispatch_uid="test-workflow-project")
    project_update_changed.connect(on_update, dispatch_uid="test-workflow-update")
    yield seen
    project_changed.disconnect(dispatch_uid="test-workflow-project")
    project_update_changed.disconnect(dispatch_uid="test-workflow-update")


@pytest.fixture
def sectors(db):
    return factories.SectorFactory(code="water"), factories.SectorFactory(code="health")


def _create(user, sectors, **fields):
    water, health = sectors
    return services.project_create(
        user=user, fields={"title_en": "Water network", "status": ActivityStatus.IMPLEMENTATION, **fields},
        sectors=[{"sector": water, "percentage": Decimal("60")}, {"sector": health, "percentage": Decimal("40")}],
    )


def _update_fields(**extra):
    return {"period_start": dt.date(2025, 1, 1), "period_end": dt.date(2025, 3, 31),
            "progress_percent": Decimal("35"), "status": ActivityStatus.IMPLEMENTATION,
            "spend_to_date": Decimal("12000"), "beneficiaries_reached": 800, **extra}


def test_a_focal_point_creates_submits_and_the_analyst_returns_then_accepts(personas, undp, sectors, events):
    fp, analyst = personas["undp_focal_point"], personas["ministry_analyst"]
    project = _create(fp, sectors)
    assert project.reporting_partner == undp and project.state == ReviewState.DRAFT
    assert project.created_by == fp and project.history.first().history_user == fp
    assert sorted(project.sector_shares.values_list("percentage", flat=True)) == [Decimal("40"), Decimal("60")]

    services.project_submit(project=project, user=fp)
    project.refresh_from_db()
    assert project.state == ReviewState.SUBMITTED and project.submitted_by == fp

    with pytest.raises(ValidationError) as exc:
        services.project_review(project=project, user=analyst, decision="return", comment="  ")
    assert "comment" in exc.value.message_dict
    services.project_review(project=project, user=analyst, decision="return", comment="Add the municipalities.")
    project.refresh_from_db()
    assert project.state == ReviewState.RETURNED and project.review_comment == "Add the municipalities."
    assert project.history.first().history_user == analyst

    services.project_edit(project=project, user=fp, fields={"title_en": "Water network, phase 1"})
    project.refresh_from_db()
    assert project.state == ReviewState.RETURNED  # fixed, not yet sent again
    services.project_submit(project=project, user=fp)
    services.project_review(project=project, user=analyst, decision="accept")
    project.refresh_from_db()
    assert project.state == ReviewState.ACCEPTED and project.reviewed_by == analyst
    names = [name for name, _kw in events]
    assert names.count("project_changed") >= 6 and all(kw["user"] for _n, kw in events)


def test_editing_an_accepted_project_sends_it_back_for_review_but_not_the_admins_edit(personas, undp, events):
    fp, admin = personas["undp_focal_point"], personas["ministry_admin"]
    project = factories.ProjectFactory(reporting_partner=undp, state=ReviewState.ACCEPTED)
    services.project_edit(project=project, user=fp, fields={"title_en": project.title_en})  # nothing changed
    project.refresh_from_db()
    assert project.state == ReviewState.ACCEPTED and events == []
    services.project_edit(project=project, user=fp, fields={"budget": Decimal("250000")})
    project.refresh_from_db()
    assert project.state == ReviewState.SUBMITTED and project.submitted_by == fp
    assert events[-1][1]["changed"] == {"budget"}
    project.state = ReviewState.ACCEPTED
    project.save()
    services.project_edit(project=project, user=admin, fields={"budget": Decimal("300000")})
    project.refresh_from_db()
    assert project.state == ReviewState.ACCEPTED and project.budget == Decimal("300000")


def test_nothing_is_half_written_when_the_sector_split_is_wrong(personas, sectors):
    water, health = sectors
    with pytest.raises(ValidationError) as exc:
        services.project_create(
            user=personas["undp_focal_point"], fields={"title_en": "Clinics"},
            sectors=[{"sector": water, "percentage": 50}, {"sector": health, "percentage": 30}],
        )
    assert "sectors" in exc.value.message_dict
    assert not Project.objects.exists()


def test_location_shares_are_all_or_none_and_sum_to_100(personas, undp, sectors):
    fp = personas["undp_focal_point"]
    project = _create(fp, sectors)
    a, b = factories.MunicipalityFactory(), factories.MunicipalityFactory()
    with pytest.raises(ValidationError):
        services.project_edit(project=project, user=fp, fields={},
                              locations=[{"municipality": a, "share": 70}, {"municipality": b, "share": None}])
    assert not project.locations.exists()
    services.project_edit(project=project, user=fp, fields={},
                          locations=[{"municipality": a, "share": 70}, {"municipality": b, "share": 30}])
    assert project.locations.count() == 2


def test_focal_points_cannot_write_for_another_partner(personas, unicef, undp, sectors):
    fp = personas["undp_focal_point"]
    with pytest.raises(PermissionDenied):
        _create(fp, sectors, reporting_partner=unicef)
    theirs = factories.ProjectFactory(reporting_partner=unicef)
    for call in (
        lambda: services.project_edit(project=theirs, user=fp, fields={"title_en": "Mine now"}),
        lambda: services.project_submit(project=theirs, user=fp),
        lambda: services.project_update_create(project=theirs, user=fp, fields=_update_fields()),
    ):
        with pytest.raises(PermissionDenied):
            call()
    mine = factories.ProjectFactory(reporting_partner=undp)
    with pytest.raises(PermissionDenied):
        services.project_edit(project=mine, user=fp, fields={"reporting_partner": unicef})
    with pytest.raises(ValidationError):
        services.project_edit(project=mine, user=fp, fields={"state": ReviewState.ACCEPTED})
    with pytest.raises(PermissionDenied):
        services.project_review(project=mine, user=fp, decision="accept")


def test_an_accepted_update_copies_its_figures_onto_the_project(personas, undp, events):
    fp, analyst = personas["undp_focal_point"], personas["ministry_analyst"]
    project = factories.ProjectFactory(reporting_partner=undp, state=ReviewState.ACCEPTED)
    update = services.project_update_create(project=project, user=fp, fields=_update_fields())
    assert update.state == ReviewState.DRAFT and update.history.first().history_user == fp
    services.project_update_edit(update=update, user=fp, fields={"progress_percent": Decimal("40")})
    services.project_update_submit(update=update, user=fp)
    with pytest.raises(PermissionDenied):  # submitted: no more edits
        services.project_update_edit(update=update, user=fp, fields={"progress_percent": Decimal("90")})
    with pytest.raises(ValidationError):
        services.project_update_review(update=update, user=analyst, decision="return")
    services.project_update_review(update=update, user=analyst, decision="return", comment="Spend looks low.")
    update.refresh_from_db()
    assert update.state == ReviewState.RETURNED and update.reviewed_by == analyst
    services.project_update_edit(update=update, user=fp, fields={"spend_to_date": Decimal("30000")})
    services.project_update_submit(update=update, user=fp)
    project.refresh_from_db()
    assert project.progress_percent == Decimal("0")  # nothing copied before acceptance
    services.project_update_review(update=update, user=analyst, decision="accept")
    project.refresh_from_db()
    assert (project.progress_percent, project.spend_to_date, project.beneficiaries_reached, project.status) == (
        Decimal("40"), Decimal("30000"), 800, ActivityStatus.IMPLEMENTATION)
    assert project.state == ReviewState.ACCEPTED  # the reviewer's copy does not reopen the project
    update_events = [kw for name, kw in events if name == "project_update_changed"]
    assert len(update_events) == 7 and all(kw["project_ids"] == [project.pk] for kw in update_events)
    assert {"progress", "budget"} <= events[-1][1]["changed"]


def test_reviewing_needs_a_submitted_record(personas, undp):
    analyst = personas["ministry_analyst"]
    project = factories.ProjectFactory(reporting_partner=undp, state=ReviewState.DRAFT)
    with pytest.raises(PermissionDenied):
        services.project_review(project=project, user=analyst, decision="accept")
    update = ProjectUpdate.objects.create(project=project, partner=project.reporting_partner,
                                          **_update_fields(), state=ReviewState.ACCEPTED)
    with pytest.raises(PermissionDenied):
        services.project_update_review(update=update, user=analyst, decision="return", comment="No.")
