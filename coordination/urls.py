from django.urls import path

from coordination.views import delays, duplicates, gaps

urlpatterns = [
    path("duplicates/", duplicates.duplicate_list, name="duplicate_list"),
    path("duplicates/<int:pk>/", duplicates.duplicate_detail, name="duplicate_detail"),
    path("duplicates/<int:pk>/review/", duplicates.duplicate_review, name="duplicate_review"),
    path("gaps/", gaps.gap_list, name="gap_list"),
    path("gaps/<int:pk>/review/", gaps.gap_review, name="gap_review"),
    path("delays/", delays.delay_list, name="delay_list"),
    path("delays/<int:pk>/review/", delays.delay_review, name="delay_review"),
]
