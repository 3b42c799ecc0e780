"""The committee's meetings: series, meetings, attendees, agenda, decisions, follow-up actions.

A meeting moves planned → held → finalised → distributed. Finalising freezes ``snapshot`` (the figures
the meeting discussed, as plain JSON) and makes the meeting read-only except for its actions' status;
reopening is recorded (history, ``reopened_count``) and clears the snapshot until the next finalisation.

A follow-up action belongs to the meeting that recorded it. An action still open when the next meeting of
the series is set up is carried over: a new row in that meeting points at it (``carried_over_from``), so a
finalised meeting keeps its own list untouched while the work goes on in the next one; the action's whole
story is the chain of rows and their status changes.

Links from agenda items, decisions and actions to the records they are about sit in one table
(``MeetingLink``) rather than eight many-to-many fields on each of three models (24 tables): one row per
link with a real foreign key per kind of record (so integrity and cascades hold), the meeting denormalised
on it, so that a meeting's links are one query whatever its size and "the meetings about Murzuq" is one
indexed filter.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from common.bilingual import bilingual_text


class MeetingSeries(models.Model):
    """A series of meetings, e.g. the committee with the UN agencies in Libya; open actions carry over."""

    title_ar = models.CharField(_("title (Arabic)"), max_length=300, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["title_en", "pk"]
        verbose_name = _("meeting series")
        verbose_name_plural = _("meeting series")
        constraints = [models.CheckConstraint(condition=~Q(title_ar="") | ~Q(title_en=""),
                                              name="meeting_series_has_title")]

    def __str__(self) -> str:
        return bilingual_text(self.title_ar, self.title_en)


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("meeting status", "Planned")
    HELD = "held", _("Held")
    FINALISED = "finalised", _("Finalised")
    DISTRIBUTED = "distributed", _("Distributed")


FROZEN_STATUSES = (MeetingStatus.FINALISED, MeetingStatus.DISTRIBUTED)


class Meeting(models.Model):
    series = models.ForeignKey(MeetingSeries, on_delete=models.PROTECT, related_name="meetings",
                               verbose_name=_("series"))
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    title_ar = models.CharField(_("title (Arabic)"), max_length=300, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    end_time = models.TimeField(_("end time"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=300, blank=True)
    online_link = models.URLField(_("online link"), max_length=500, blank=True)
    chair = models.CharField(_("chair"), max_length=200, blank=True)
    rapporteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("rapporteur"))
    notes_ar = models.TextField(_("discussion (Arabic)"), blank=True)
    notes_en = models.TextField(_("discussion (English)"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=MeetingStatus.choices,
                              default=MeetingStatus.PLANNED)
    finalised_at = models.DateTimeField(_("finalised at"), null=True, blank=True)
    distributed_at = models.DateTimeField(_("distributed at"), null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    snapshot = models.JSONField(_("figures as of finalisation"), default=dict, blank=True)
    proposals_dropped = models.JSONField(_("agenda proposals dropped"), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        permissions = [("record_meeting", "Can record the committee's meetings, decisions and actions")]
        constraints = [
            models.UniqueConstraint(fields=["series", "number"], name="meeting_number_unique_in_series"),
            models.CheckConstraint(condition=Q(end_time__isnull=True) | Q(start_time__isnull=True)
                                   | Q(end_time__gte=models.F("start_time")), name="meeting_ends_after_start"),
        ]
        indexes = [models.Index(fields=["series", "date"]), models.Index(fields=["status", "-date"])]

    def __str__(self) -> str:
        title = bilingual_text(self.title_ar, self.title_en) or str(self.series)
        return f"{title} #{self.number}" if self.number else title

    @property
    def is_frozen(self) -> bool:
        return self.status in FROZEN_STATUSES


class Attendee(models.Model):
    class Language(models.TextChoices):
        ARABIC = "ar", _("Arabic")
        ENGLISH = "en", _("English")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees",
                                verbose_name=_("meeting"))
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=200, blank=True)
    partner = models.ForeignKey("projects.Partner", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name=_("partner"))
    body = models.CharField(_("government body"), max_length=200, blank=True,
                            help_text=_("A ministry sector, a municipal council, ...; when not a partner."))
    present = models.BooleanField(_("present"), default=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "pk"]
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        constraints = [models.CheckConstraint(condition=Q(partner__isnull=False) | ~Q(body=""),
                                              name="attendee_has_organisation")]

    def __str__(self) -> str:
        return self.name

    @property
    def organisation(self) -> str:
        return (self.partner.acronym or str(self.partner)) if self.partner_id else self.body


class AgendaItem(models.Model):
    class Source(models.TextChoices):
        MANUAL = "manual", _("Added by hand")
        DUPLICATE = "duplicate", _("Duplicate flag")
        GAP = "gap", _("Coverage gap")
        DELAY = "delay", _("Delay")
        REPORT = "report", _("Overdue report")
        ACTION = "action", _("Open action")
        ALIGNMENT = "alignment", _("Plan alignment")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items",
                                verbose_name=_("meeting"))
    order = models.PositiveIntegerField(_("order"), default=0)
    title_ar = models.CharField(_("title (Arabic)"), max_length=500, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=500, blank=True)
    notes_ar = models.TextField(_("notes (Arabic)"), blank=True)
    notes_en = models.TextField(_("notes (English)"), blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    source_key = models.CharField(_("proposal"), max_length=60, blank=True,
                                  help_text=_("The proposal it was accepted from, e.g. duplicate:12."))
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "order", "pk"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [models.UniqueConstraint(fields=["meeting", "source_key"], condition=~Q(source_key=""),
                                               name="agenda_item_proposal_once")]

    def __str__(self) -> str:
        return bilingual_text(self.title_ar, self.title_en)


class FlagKind(models.TextChoices):
    DUPLICATE = "duplicate", _("Duplicate")
    GAP = "gap", _("Coverage gap")
    DELAY = "delay", _("Delay")


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions",
                                verbose_name=_("meeting"))
    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="decisions", verbose_name=_("agenda item"))
    order = models.PositiveIntegerField(_("order"), default=0)
    text_ar = models.TextField(_("text (Arabic)"), blank=True)
    text_en = models.TextField(_("text (English)"), blank=True)
    # The flag this decision resolved, and how (confirmed / dismissed): kept as recorded, whatever the flag's
    # later life, so the report says what the meeting decided.
    flag_kind = models.CharField(_("flag resolved"), max_length=10, choices=FlagKind.choices, blank=True)
    flag_id = models.PositiveIntegerField(_("flag number"), null=True, blank=True)
    flag_status = models.CharField(_("flag decision"), max_length=10, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "order", "pk"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [models.CheckConstraint(condition=~Q(text_ar="") | ~Q(text_en=""), name="decision_has_text")]

    def __str__(self) -> str:
        return bilingual_text(self.text_ar, self.text_en)[:80]


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


OPEN_ACTION_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class FollowUpAction(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions", verbose_name=_("meeting"))
    decision = models.ForeignKey(Decision, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions",
                                 verbose_name=_("decision"))
    order = models.PositiveIntegerField(_("order"), default=0)
    text_ar = models.TextField(_("text (Arabic)"), blank=True)
    text_en = models.TextField(_("text (English)"), blank=True)
    owner_partner = models.ForeignKey("projects.Partner", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name=_("owner (partner)"))
    owner_unit = models.CharField(_("owner (ministry unit)"), max_length=200, blank=True)
    owner_person = models.CharField(_("person"), max_length=200, blank=True)
    owner_email = models.EmailField(_("owner's e-mail"), blank=True, help_text=_(
        "Where the meeting's report goes for this action's owner. A partner's focal points receive it anyway."))
    due = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    carried_over_from = models.OneToOneField("self", on_delete=models.SET_NULL, null=True, blank=True,
                                             related_name="carried_to", verbose_name=_("carried over from"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "order", "pk"]
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")
        constraints = [
            models.CheckConstraint(condition=~Q(text_ar="") | ~Q(text_en=""), name="action_has_text"),
            models.CheckConstraint(condition=Q(owner_partner__isnull=False) | ~Q(owner_unit=""),
                                   name="action_has_owner"),
        ]
        indexes = [models.Index(fields=["status", "due"]), models.Index(fields=["owner_partner", "status"])]

    def __str__(self) -> str:
        return bilingual_text(self.text_ar, self.text_en)[:80]

    @property
    def owner(self) -> str:
        return (self.owner_partner.acronym or str(self.owner_partner)) if self.owner_partner_id else self.owner_unit


class ActionStatusChange(models.Model):
    """One change of an action's status, with the note said at the change (who, when)."""

    action = models.ForeignKey(FollowUpAction, on_delete=models.CASCADE, related_name="status_changes",
                               verbose_name=_("action"))
    from_status = models.CharField(_("from"), max_length=12, choices=ActionStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=ActionStatus.choices)
    note = models.TextField(_("note"), blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("by"))
    changed_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["changed_at", "pk"]
        verbose_name = _("action status change")
        verbose_name_plural = _("action status changes")

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class LinkKind(models.TextChoices):
    MUNICIPALITY = "municipality", _("Municipality")
    PROJECT = "project", _("Project")
    PARTNER = "partner", _("Partner")
    SECTOR = "sector", _("Sector")
    OBJECTIVE = "objective", _("Plan objective")
    DUPLICATE = "duplicate", _("Duplicate flag")
    GAP = "gap", _("Coverage gap")
    DELAY = "delay", _("Delay")


# The link kind -> its foreign key on MeetingLink.
LINK_FIELDS: dict[str, str] = {
    LinkKind.MUNICIPALITY: "municipality", LinkKind.PROJECT: "project", LinkKind.PARTNER: "partner",
    LinkKind.SECTOR: "sector", LinkKind.OBJECTIVE: "objective", LinkKind.DUPLICATE: "duplicate_flag",
    LinkKind.GAP: "gap_flag", LinkKind.DELAY: "delay_flag",
}


def _exactly_one(names: list[str]) -> Q:
    return models.Q(*[Q(**{f"{n}__isnull": n != keep for n in names}) for keep in names], _connector=Q.OR)


class MeetingLink(models.Model):
    """One link from an agenda item, a decision or an action to a record (see the module's docstring)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="links", verbose_name=_("meeting"))
    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, null=True, blank=True, related_name="links")
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, null=True, blank=True, related_name="links")
    action = models.ForeignKey(FollowUpAction, on_delete=models.CASCADE, null=True, blank=True, related_name="links")
    kind = models.CharField(_("kind"), max_length=12, choices=LinkKind.choices)
    municipality = models.ForeignKey("municipalities.Municipality", on_delete=models.CASCADE, null=True, blank=True,
                                     related_name="meeting_links")
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, null=True, blank=True,
                                related_name="meeting_links")
    partner = models.ForeignKey("projects.Partner", on_delete=models.CASCADE, null=True, blank=True,
                                related_name="meeting_links")
    sector = models.ForeignKey("municipalities.Sector", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="meeting_links")
    objective = models.ForeignKey("municipalities.PlanObjective", on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="meeting_links")
    duplicate_flag = models.ForeignKey("coordination.DuplicateFlag", on_delete=models.CASCADE, null=True,
                                       blank=True, related_name="meeting_links")
    gap_flag = models.ForeignKey("coordination.GapFlag", on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="meeting_links")
    delay_flag = models.ForeignKey("coordination.DelayFlag", on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="meeting_links")

    class Meta:
        ordering = ["pk"]
        verbose_name = _("meeting link")
        verbose_name_plural = _("meeting links")
        constraints = [
            models.CheckConstraint(condition=_exactly_one(["agenda_item", "decision", "action"]),
                                   name="meeting_link_one_owner"),
            models.CheckConstraint(condition=_exactly_one(list(LINK_FIELDS.values())),
                                   name="meeting_link_one_target"),
        ]
        indexes = [models.Index(fields=["kind", "municipality"])]

    def __str__(self) -> str:
        return f"{self.kind}:{self.target_id}"

    @property
    def target_id(self) -> int | None:
        return getattr(self, f"{LINK_FIELDS[self.kind]}_id")
