"""/api/v1/ routes of project reporting: update attachments and partner scorecards."""

from django.urls import path

from projects.reporting.api import views

attachments = views.UpdateAttachmentViewSet.as_view({"get": "list", "post": "create"})
attachment = views.UpdateAttachmentViewSet.as_view({"delete": "destroy"})
attachment_download = views.UpdateAttachmentViewSet.as_view({"get": "download"})

urlpatterns = [
    path("updates/<int:update_pk>/attachments/", attachments, name="update-attachment-list"),
    path("updates/<int:update_pk>/attachments/<int:pk>/", attachment, name="update-attachment-detail"),
    path("updates/<int:update_pk>/attachments/<int:pk>/download/", attachment_download,
         name="update-attachment-download"),
    path("partners/<int:pk>/scorecard/", views.PartnerScorecardView.as_view(), name="partner-scorecard"),
    path("scorecards/", views.ScorecardListView.as_view(), name="scorecard-list"),
]
