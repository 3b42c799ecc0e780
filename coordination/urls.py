from django.urls import path

from coordination.views import alignment, duplicates

urlpatterns = [
    path("duplicates/", duplicates.duplicate_list, name="duplicate_list"),
    path("duplicates/<int:pk>/review/", duplicates.duplicate_review, name="duplicate_review"),
    path("plans/", alignment.plan_list, name="plan_list"),
    path("plans/import/", alignment.plan_upload, name="plan_upload"),
    path("plans/<int:pk>/", alignment.plan_detail, name="plan_detail"),
    path("alignment/flags/", alignment.alignment_flag_list, name="alignment_flag_list"),
    path("alignment/flags/<int:pk>/review/", alignment.alignment_flag_review, name="alignment_flag_review"),
    path("projects/<int:pk>/objectives/", alignment.project_objectives, name="project_objectives"),
]
