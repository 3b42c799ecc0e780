from django.urls import path

from coordination.views import duplicates, reports

urlpatterns = [
    path("duplicates/", duplicates.duplicate_list, name="duplicate_list"),
    path("duplicates/<int:pk>/review/", duplicates.duplicate_review, name="duplicate_review"),
    path("reports/", reports.report_request, name="report_request"),
    path("reports/<int:pk>/", reports.report_job_detail, name="report_job_detail"),
    path("reports/<int:pk>/progress/", reports.report_job_progress, name="report_job_progress"),
    path("reports/<int:pk>/download/", reports.report_job_download, name="report_job_download"),
]
