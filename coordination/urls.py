from django.urls import path

from coordination.views import alignment, delays, duplicates, gaps, reports

urlpatterns = [
    path("duplicates/", duplicates.duplicate_list, name="duplicate_list"),
    path("duplicates/<int:pk>/", duplicates.duplicate_detail, name="duplicate_detail"),
    path("duplicates/<int:pk>/review/", duplicates.duplicate_review, name="duplicate_review"),
    path("gaps/", gaps.gap_list, name="gap_list"),
    path("gaps/<int:pk>/review/", gaps.gap_review, name="gap_review"),
    path("delays/", delays.delay_list, name="delay_list"),
    path("delays/<int:pk>/review/", delays.delay_review, name="delay_review"),
    path("reports/", reports.report_request, name="report_request"),
    path("reports/<int:pk>/", reports.report_job_detail, name="report_job_detail"),
    path("reports/<int:pk>/progress/", reports.report_job_progress, name="report_job_progress"),
    path("reports/<int:pk>/download/", reports.report_job_download, name="report_job_download"),
    path("plans/", alignment.plan_list, name="plan_list"),
    path("plans/import/", alignment.plan_upload, name="plan_upload"),
    path("plans/<int:pk>/", alignment.plan_detail, name="plan_detail"),
    path("alignment/flags/", alignment.alignment_flag_list, name="alignment_flag_list"),
    path("alignment/flags/<int:pk>/review/", alignment.alignment_flag_review, name="alignment_flag_review"),
    path("projects/<int:pk>/objectives/", alignment.project_objectives, name="project_objectives"),
]
