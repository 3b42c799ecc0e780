"""HTML routes of project reporting (/reporting/)."""

from django.urls import path

from projects.reporting import views

urlpatterns = [
    path("", views.reporting_calendar, name="reporting_calendar"),
    path("updates/<int:pk>/attachments/", views.attachment_list, name="update_attachments"),
    path("updates/<int:pk>/attachments/<int:attachment_pk>/remove/", views.attachment_remove,
         name="update_attachment_remove"),
    path("updates/<int:pk>/attachments/<int:attachment_pk>/download/", views.attachment_download,
         name="update_attachment_download"),
    path("scorecards/", views.scorecard_list, name="scorecard_list"),
    path("scorecards/<int:partner_id>/", views.scorecard_detail, name="scorecard_detail"),
]
