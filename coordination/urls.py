from django.urls import path

from coordination.views import duplicates

urlpatterns = [
    path("duplicates/", duplicates.duplicate_list, name="duplicate_list"),
    path("duplicates/<int:pk>/review/", duplicates.duplicate_review, name="duplicate_review"),
]
