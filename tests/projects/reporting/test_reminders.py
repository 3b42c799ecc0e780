"""Reminder e-mails: due soon and overdue, once only, one e-mail per focal point, in Arabic by default."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone, translation

from projects.models import ActivityStatus, ProjectUpdate, ReviewState
from projects.models.reporting import ReportReminder
from projects.reporting.services.periods import reporting_periods_sync
from projects.reporting.services.reminders import report_reminders_send
from projects.reporting.tasks import send_report_reminders
from tests import factories

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def focal_point(personas):
    user = personas["undp_focal_point"]
    user.email = "fp@undp.example"
    user.save()
    return user


@pytest.fixture
def projects(undp):
    # Quarterly, started 2025-01-01. On 2025-07-10: Q1 (due 2025-04-15) overdue, Q2 (due 2025-07-15) due in 5 days.
    first = factories.ProjectFactory(reporting_partner=undp, title_ar="مشروع المياه", title_en="Water project",
                                     actual_start=D(2025, 1, 1))
    second = factories.ProjectFactory(reporting_partner=undp, title_ar="مشروع الصحة", title_en="Health project",
                                      actual_start=D(2025, 4, 1))
    reporting_periods_sync()  # the reminders read the stored periods; the factories send no change event
    return first, second


def test_one_email_per_focal_point_listing_every_project_due_or_overdue(focal_point, projects):
    first, second = projects
    counts = report_reminders_send(today=D(2025, 7, 10))
    assert counts == {"reminders": 3, "emails": 1}
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["fp@undp.example"]
    assert f"/projects/{first.pk}/updates/new/" in message.body and f"/projects/{second.pk}/updates/new/" in message.body
    # Dates through the formatting layer in the recipient's language (Arabic, the site's): named months, and a
    # period in words that cannot flip order in a right-to-left line.
    assert "15 أبريل 2025" in message.body and "15 يوليو 2025" in message.body
    assert "من 1 يناير 2025 إلى 31 مارس 2025" in message.body and "2025-04-15" not in message.body
    kinds = set(ReportReminder.objects.values_list("project_id", "period_end", "kind"))
    assert kinds == {(first.pk, D(2025, 3, 31), "overdue"), (first.pk, D(2025, 6, 30), "due_soon"),
                     (second.pk, D(2025, 6, 30), "due_soon")}
    assert ReportReminder.objects.get(project=first, kind="overdue").recipients == "fp@undp.example"


def test_running_twice_sends_nothing_twice(focal_point, projects):
    report_reminders_send(today=D(2025, 7, 10))
    again = report_reminders_send(today=D(2025, 7, 10))
    assert again == {"reminders": 0, "emails": 0}
    later = report_reminders_send(today=D(2025, 7, 12))  # the same periods, two days on: still nothing
    assert later == {"reminders": 0, "emails": 0}
    assert len(mail.outbox) == 1 and ReportReminder.objects.count() == 3


def test_the_task_is_thin_and_safe_to_run_twice(focal_point, projects, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: D(2025, 7, 10))
    assert send_report_reminders.delay().get() == {"reminders": 3, "emails": 1}
    assert send_report_reminders.delay().get() == {"reminders": 0, "emails": 0}
    assert len(mail.outbox) == 1


def test_the_overdue_reminder_comes_once_when_the_due_date_passes(focal_point, projects):
    first, second = projects
    report_reminders_send(today=D(2025, 7, 10))
    mail.outbox.clear()
    counts = report_reminders_send(today=D(2025, 7, 16))  # Q2 now overdue for both projects
    assert counts == {"reminders": 2, "emails": 1}
    assert set(ReportReminder.objects.filter(kind="overdue").values_list("project_id", "period_end")) == {
        (first.pk, D(2025, 3, 31)), (first.pk, D(2025, 6, 30)), (second.pk, D(2025, 6, 30))}


def test_nothing_is_sent_too_early_or_for_a_report_already_submitted(focal_point, projects):
    first, second = projects
    for project in projects:
        ProjectUpdate.objects.create(project=project, partner=project.reporting_partner,
                                     period_start=D(2025, 1, 1), period_end=D(2025, 6, 30),
                                     progress_percent=10, status=ActivityStatus.IMPLEMENTATION,
                                     state=ReviewState.SUBMITTED,
                                     submitted_at=timezone.make_aware(dt.datetime(2025, 4, 10, 9)))
    reporting_periods_sync()
    assert report_reminders_send(today=D(2025, 7, 7)) == {"reminders": 0, "emails": 0}  # Q2 due in 8 days
    assert not mail.outbox


def test_the_email_is_in_arabic_by_default(focal_point, projects):
    report_reminders_send(today=D(2025, 7, 10))
    message = mail.outbox[0]
    assert message.extra_headers["Content-Language"] == "ar"
    assert "مشروع المياه" in message.body and "Water project" not in message.body
    with translation.override("ar"):
        from django.utils.translation import gettext

        assert message.subject == gettext("Tansiq: %(count)s project report(s) overdue") % {"count": 1}


def test_the_email_follows_the_site_language_setting(focal_point, projects, settings):
    settings.LANGUAGE_CODE = "en"
    report_reminders_send(today=D(2025, 7, 10))
    message = mail.outbox[0]
    assert message.extra_headers["Content-Language"] == "en"
    assert "Water project" in message.body and "مشروع المياه" not in message.body
    assert message.subject == "Tansiq: 1 project report(s) overdue"
    assert "These project reports are due soon:" in message.body
    assert "the period 1 Jan 2025 – 31 Mar 2025, due on 15 Apr 2025" in message.body


def test_focal_points_without_email_or_inactive_get_nothing_and_no_reminder_is_recorded(personas, projects):
    inactive = factories.UserFactory(username="gone", email="gone@undp.example", is_active=False)
    factories.FocalPointFactory(user=inactive, partner=projects[0].reporting_partner)
    assert report_reminders_send(today=D(2025, 7, 10)) == {"reminders": 0, "emails": 0}
    assert not ReportReminder.objects.exists()  # a focal point given an address later still gets them


def test_other_partners_focal_points_are_not_told(focal_point, projects, personas):
    other = personas["unicef_focal_point"]
    other.email = "fp@unicef.example"
    other.save()
    report_reminders_send(today=D(2025, 7, 10))
    assert [m.to for m in mail.outbox] == [["fp@undp.example"]]


def test_the_task_is_scheduled_daily(settings):
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "projects.tasks.send_report_reminders"]
    assert len(entries) == 1
