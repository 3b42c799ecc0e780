"""The audit trail shown on records: who changed which field from what to what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from projects import services
from projects.models import ActivityStatus, ProjectUpdate, ReviewState
from projects.selectors.history import histories_for, record_history
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(personas, undp):
    sector = factories.SectorFactory(code="water")
    return services.project_create(
        user=personas["undp_focal_point"],
        fields={"title_en": "Water network", "status": ActivityStatus.PIPELINE, "budget": Decimal("1000")},
        sectors=[{"sector": sector, "percentage": Decimal("100")}],
    )


def test_history_names_who_changed_which_field_with_labels_and_names(personas, project, unicef):
    analyst, admin = personas["ministry_analyst"], personas["ministry_admin"]
    services.project_submit(project=project, user=personas["undp_focal_point"])
    services.project_review(project=project, user=analyst, decision="return", comment="Say where.")
    services.project_edit(project=project, user=admin, fields={"status": ActivityStatus.IMPLEMENTATION,
                                                                "reporting_partner": unicef})
    with translation.override("en"):
        entries = record_history(project, user=personas["ministry_analyst"], full=True)
    assert [e.action_code for e in entries] == ["~", "~", "~", "+"]
    assert [e.who for e in entries] == ["ministry_admin", "ministry_analyst", "undp_fp", "undp_fp"]
    newest = {c.field: (c.old, c.new) for c in entries[0].changes}
    assert newest["status"] == ("Pipeline / identification", "Implementation")  # labels, not codes
    assert newest["reporting partner"] == ("UNDP", "UNICEF")  # names, not ids
    review = {c.field: (c.old, c.new) for c in entries[1].changes}
    assert review["review state"] == ("Submitted", "Returned")
    assert review["reviewer's comment"] == ("—", "Say where.")
    assert review["reviewed by"] == ("—", "ministry_analyst")
    assert entries[3].action == "created the record" and entries[3].changes == []


def test_history_is_limited_and_each_shown_version_is_diffed_against_the_one_before(personas, project):
    for budget in (2000, 3000, 4000):
        services.project_edit(project=project, user=personas["undp_focal_point"], fields={"budget": Decimal(budget)})
    with translation.override("en"):
        entries = record_history(project, user=personas["ministry_analyst"], full=True, limit=2)
    assert len(entries) == 2
    assert [(c.old, c.new) for c in entries[1].changes if c.field == "budget"] == [(Decimal("2000.00"),
                                                                                    Decimal("3000.00"))]


def test_the_project_and_update_pages_show_their_history(client_for, personas, project):
    services.project_edit(project=project, user=personas["undp_focal_point"], fields={"title_en": "Water network 2"})
    html = client_for(personas["viewer"], 'en').get(reverse("project_detail", args=[project.pk])).content.decode()
    assert 'data-testid="history"' in html
    assert "title (English)" in html and "Water network 2" in html and "undp_fp" in html
    update = services.project_update_create(project=project, user=personas["undp_focal_point"], fields={
        "period_start": dt.date(2025, 1, 1), "period_end": dt.date(2025, 3, 31), "progress_percent": Decimal("10"),
        "status": ActivityStatus.IMPLEMENTATION})
    services.project_update_edit(update=update, user=personas["undp_focal_point"],
                                 fields={"progress_percent": Decimal("15")})
    html = client_for(personas["viewer"], "ar").get(reverse("update_detail", args=[update.pk])).content.decode()
    assert "undp_fp" in html and "15.00" in html and 'dir="rtl"' in html


def test_histories_of_many_records_come_in_a_fixed_number_of_queries(personas, project,
                                                                     django_assert_max_num_queries):
    updates = [ProjectUpdate.objects.create(project=project, partner=project.reporting_partner,
                                            period_start=dt.date(2025, m, 1),
                                            period_end=dt.date(2025, m, 28), progress_percent=Decimal(m),
                                            status=ActivityStatus.IMPLEMENTATION) for m in range(1, 7)]
    for update in updates:
        services.project_update_edit(update=update, user=personas["undp_focal_point"],
                                     fields={"narrative": "done", "status": ActivityStatus.SUSPENDED})
    with django_assert_max_num_queries(1), translation.override("en"):
        trails = histories_for(updates, user=personas["ministry_analyst"], full=True)  # no foreign key changed: the versions with their users, one query
    assert all(len(trails[u.pk]) == 2 for u in updates)
    assert {c.new for c in trails[updates[0].pk][0].changes} == {"done", "Suspended"}


def test_each_flag_on_the_duplicate_page_shows_its_history(client_for, personas, undp, unicef, django_assert_max_num_queries):
    from coordination.models import DuplicateFlag, FlagStatus
    from coordination.services.duplicates import duplicate_flag_review

    client = client_for(personas["ministry_analyst"], 'en')
    flags = []
    for _ in range(2):
        a, b = factories.ProjectFactory(reporting_partner=undp), factories.ProjectFactory(reporting_partner=unicef)
        flags.append(DuplicateFlag.objects.create(project_a=a, project_b=b, kind=DuplicateFlag.Kind.OVERLAP,
                                                  score=0.8))
    duplicate_flag_review(flag=flags[0], user=personas["ministry_analyst"], decision=FlagStatus.DISMISSED,
                          note="Two different wells.")
    with django_assert_max_num_queries(14) as few:
        response = client.get(reverse("duplicate_list"))
    html = response.content.decode()
    row = html.split(f'data-flag="{flags[0].pk}"')[1].split("</tr>")[0]
    assert "ministry_analyst" in row and "Open" in row and "Dismissed" in row and "Two different wells." in row
    for _ in range(5):
        a, b = factories.ProjectFactory(reporting_partner=undp), factories.ProjectFactory(reporting_partner=unicef)
        flag = DuplicateFlag.objects.create(project_a=a, project_b=b, kind=DuplicateFlag.Kind.OVERLAP, score=0.7)
        duplicate_flag_review(flag=flag, user=personas["ministry_analyst"], decision=FlagStatus.RELATED, note="x")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("duplicate_list"))
    assert response.content.decode().count('data-testid="history"') == 7


def test_a_returned_record_shows_the_state_change_in_its_history_to_the_focal_point(client_for, personas, project):
    services.project_submit(project=project, user=personas["undp_focal_point"])
    services.project_review(project=project, user=personas["ministry_analyst"], decision="return",
                            comment="Add the municipalities.")
    html = client_for(personas["undp_focal_point"], 'en').get(reverse("project_detail", args=[project.pk])).content.decode()
    history = html.split('data-testid="history"')[1]
    assert "ministry_analyst" in history and "Returned" in history and "Add the municipalities." in history
    assert ReviewState.RETURNED in html  # the badge's state


def test_another_partner_sees_only_accepted_versions_and_no_review_notes(client_for, personas, project):
    fp, analyst = personas["undp_focal_point"], personas["ministry_analyst"]
    services.project_edit(project=project, user=fp, fields={"title_en": "SECRET DRAFT TITLE", "budget": Decimal(5e6)})
    services.project_submit(project=project, user=fp)
    services.project_review(project=project, user=analyst, decision="return", comment="INTERNAL RETURN NOTE")
    services.project_edit(project=project, user=fp, fields={"title_en": "Water network", "budget": Decimal(1000)})
    services.project_submit(project=project, user=fp)
    services.project_review(project=project, user=analyst, decision="accept")
    # a later proposal, returned: it never became the accepted record
    services.project_edit(project=project, user=fp, fields={"description_en": "REJECTED EDIT TEXT"})
    services.project_review(project=project, user=analyst, decision="return", comment="No.")
    services.project_edit(project=project, user=fp, fields={"description_en": "Pipes and pumps"})
    services.project_submit(project=project, user=fp)
    services.project_review(project=project, user=analyst, decision="accept")

    other = client_for(personas["unicef_focal_point"], 'en').get(reverse("project_detail", args=[project.pk]))
    assert other.status_code == 200
    history = other.content.decode().split('data-testid="history"')[1]
    for secret in ("SECRET DRAFT TITLE", "5000000", "INTERNAL RETURN NOTE", "REJECTED EDIT TEXT"):
        assert secret not in history, secret
    assert "Pipes and pumps" in history  # the accepted change is shown, against the accepted version before it
    own = client_for(fp, 'en').get(reverse("project_detail", args=[project.pk])).content.decode().split(
        'data-testid="history"')[1]
    assert "SECRET DRAFT TITLE" in own and "INTERNAL RETURN NOTE" in own  # the owner keeps the whole trail


def test_a_project_the_reader_may_not_see_is_not_named_in_a_history(personas, project, unicef):
    hidden = factories.ProjectFactory(reporting_partner=unicef, title_en="UNICEF HIDDEN DRAFT",
                                      state=ReviewState.DRAFT)
    project.state = ReviewState.ACCEPTED
    project.save()
    project.duplicate_of = hidden
    project.save()
    wfp_reader = personas["ministry_analyst"]
    assert "UNICEF HIDDEN DRAFT" in str(
        [c.new for e in record_history(project, user=wfp_reader, full=True) for c in e.changes])
    with translation.override("en"):
        entries = record_history(project, user=personas["undp_focal_point"], full=True)
    shown = [c.new for e in entries for c in e.changes if c.field == "duplicate of"]
    assert shown == ["a record you may not see"]


def test_a_project_moved_to_another_partner_keeps_the_old_partners_drafts_from_the_new_one(client_for, personas, project,
                                                                                            unicef):
    fp, analyst, admin = personas["undp_focal_point"], personas["ministry_analyst"], personas["ministry_admin"]
    services.project_edit(project=project, user=fp, fields={"title_en": "UNDP WORKING TITLE"})
    services.project_submit(project=project, user=fp)
    services.project_review(project=project, user=analyst, decision="return", comment="UNDP-ONLY NOTE")
    services.project_edit(project=project, user=admin, fields={"reporting_partner": unicef, "title_en": "Water"})
    html = client_for(personas["unicef_focal_point"], 'en').get(reverse("project_detail", args=[project.pk])).content.decode()
    history = html.split('data-testid="history"')[1]
    assert "UNDP WORKING TITLE" not in history and "UNDP-ONLY NOTE" not in history
