"""The committee's meetings, mounted at /meetings/."""

from django.urls import path

from coordination.views import meetings as views

urlpatterns = [
    path("", views.meeting_index, name="meeting_index"),
    path("series/new/", views.series_create, name="meeting_series_create"),
    path("new/", views.meeting_create, name="meeting_create"),
    path("actions/", views.action_index, name="action_index"),
    path("actions/<int:action_pk>/status/", views.action_status, name="action_status"),
    path("<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("<int:pk>/status/", views.meeting_transition, name="meeting_transition"),
    path("<int:pk>/send/", views.meeting_report_send, name="meeting_report_send"),
    path("<int:pk>/invitation.ics", views.meeting_invitation, name="meeting_invitation"),
    path("<int:pk>/attendees/", views.attendee_add, name="meeting_attendee_add"),
    path("<int:pk>/attendees/<int:attendee_pk>/remove/", views.attendee_remove, name="meeting_attendee_remove"),
    path("<int:pk>/decisions/", views.decision_add, name="meeting_decision_add"),
    path("<int:pk>/actions/", views.action_add, name="meeting_action_add"),
    path("<int:pk>/agenda/", views.agenda_builder, name="meeting_agenda"),
    path("<int:pk>/agenda/accept/", views.agenda_accept, name="meeting_agenda_accept"),
    path("<int:pk>/agenda/drop/", views.agenda_drop, name="meeting_agenda_drop"),
    path("<int:pk>/agenda/<int:item_pk>/move/", views.agenda_move, name="meeting_agenda_move"),
]
