"""Reminder e-mails to partners' focal points: a report due soon, and a report overdue.

Each reminder is recorded (``ReportReminder``, unique per project, period end and kind) before any
e-mail leaves, so a second run — or two runs at once — sends nothing twice: at most once, never
twice, is the right trade for a reminder. Each focal point gets one e-mail per run listing all their
projects, in their language (Arabic unless their profile says otherwise), as plain text.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common.formatting import date_format, number_format, period_format
from projects.models import FocalPoint
from projects.models.reporting import ReportingPeriod, ReportReminder
from projects.reporting.links import update_create_path
from projects.reporting.selectors.reports import DueReport, DueReports


@dataclass(frozen=True)
class Reminder:
    due: DueReport
    kind: str


def reminders_to_send(*, today: dt.date) -> list[Reminder]:
    """Unsent reminders: reports due within ``TANSIQ_REMINDER_DAYS_BEFORE`` days, and each project's latest
    overdue report (one overdue reminder per project and period, not one per missing period ever).
    Read from the stored periods: two queries, the choice and the "not sent yet" made in SQL."""
    owed = ReportingPeriod.objects.filter(submitted_on__isnull=True)

    def unsent(kind: str):
        return ~Exists(ReportReminder.objects.filter(project_id=OuterRef("project_id"),
                                                     period_end=OuterRef("period_end"), kind=kind))

    soon = owed.filter(unsent(ReportReminder.Kind.DUE_SOON), period_start__lte=today, due_date__gte=today,
                       due_date__lte=today + dt.timedelta(days=settings.TANSIQ_REMINDER_DAYS_BEFORE))
    overdue = owed.filter(due_date__lt=today)
    latest = overdue.filter(unsent(ReportReminder.Kind.OVERDUE)).exclude(
        Exists(overdue.filter(project_id=OuterRef("project_id"), period_end__gt=OuterRef("period_end"))))
    order = ("project_id", "period_end")
    return ([Reminder(due, ReportReminder.Kind.DUE_SOON) for due in DueReports(soon.order_by(*order), today)]
            + [Reminder(due, ReportReminder.Kind.OVERDUE) for due in DueReports(latest.order_by(*order), today)])


def _recipient_language(user) -> str:
    # The focal point's own choice (FocalPoint.language); anyone else gets the site's language.
    language = getattr(getattr(user, "focal_point", None), "language", "") or settings.LANGUAGE_CODE
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _line(reminder: Reminder) -> str:
    due, period = reminder.due, reminder.due.report.period
    link = settings.TANSIQ_SITE_URL + update_create_path(due.schedule.project_id)
    # Dates through the formatting layer, in the recipient's language (the caller's translation.override).
    return _("- %(title)s (#%(id)s): the period %(period)s, due on %(due)s\n  %(link)s") % {
        "title": due.schedule.title, "id": due.schedule.project_id,
        "period": period_format(period.start, period.end), "due": date_format(period.due), "link": link}


def reminder_message(*, user, reminders: list[Reminder]) -> EmailMessage:
    """The plain-text e-mail for one focal point, in their language."""
    language = _recipient_language(user)
    with translation.override(language):
        soon = [r for r in reminders if r.kind == ReportReminder.Kind.DUE_SOON]
        late = [r for r in reminders if r.kind == ReportReminder.Kind.OVERDUE]
        parts = [_("Hello %(name)s,") % {"name": user.get_full_name() or user.get_username()}, ""]
        if late:
            parts += [_("These project reports are overdue:")] + [_line(r) for r in late] + [""]
        if soon:
            parts += [_("These project reports are due soon:")] + [_line(r) for r in soon] + [""]
        parts += [_("Write each update at the link given for its project. Thank you."), "",
                  _("Tansiq — Ministry of Local Government")]
        subject = (_("Tansiq: %(count)s project report(s) overdue") % {"count": number_format(len(late))} if late
                   else _("Tansiq: %(count)s project report(s) due soon") % {"count": number_format(len(soon))})
    return EmailMessage(subject=subject, body="\n".join(parts), to=[user.email],
                        headers={"Content-Language": language})


def report_reminders_send(*, today: dt.date | None = None) -> dict[str, int]:
    """Record and send the reminders due today. Returns the counts of reminders recorded and e-mails sent."""
    today = today or timezone.localdate()
    candidates = reminders_to_send(today=today)
    partner_ids = {r.due.schedule.partner_id for r in candidates}
    recipients: dict[int, list] = defaultdict(list)
    for focal_point in (FocalPoint.objects.filter(partner_id__in=partner_ids, user__is_active=True)
                        .exclude(user__email="").select_related("user").order_by("pk")):
        recipients[focal_point.partner_id].append(focal_point.user)

    recorded: list[Reminder] = []
    with transaction.atomic():
        for reminder in candidates:
            users = recipients.get(reminder.due.schedule.partner_id)
            if not users:  # no one to tell yet: a focal point added later still gets it
                continue
            period = reminder.due.report.period
            try:
                with transaction.atomic():  # a savepoint: another run may have recorded it meanwhile
                    ReportReminder.objects.create(
                        project_id=reminder.due.schedule.project_id, period_start=period.start,
                        period_end=period.end, due_date=period.due, kind=reminder.kind,
                        recipients=", ".join(u.email for u in users))
            except IntegrityError:
                continue
            recorded.append(reminder)

    by_user: dict[int, tuple] = {}
    for reminder in recorded:
        for user in recipients[reminder.due.schedule.partner_id]:
            by_user.setdefault(user.pk, (user, []))[1].append(reminder)
    messages = [reminder_message(user=user, reminders=items) for user, items in by_user.values()]
    sent = get_connection().send_messages(messages) if messages else 0
    return {"reminders": len(recorded), "emails": sent or 0}
