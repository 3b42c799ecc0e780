"""HTML routes of the projects app (mounted at /projects/)."""

from django.urls import path

from projects.views import accounts, projects, review, updates

urlpatterns = [
    path("", projects.project_list, name="project_list"),
    path("new/", projects.project_create, name="project_create"),
    path("review/", review.review_queue, name="review_queue"),
    path("api-token/", accounts.api_token, name="api_token"),
    path("<int:pk>/", projects.project_detail, name="project_detail"),
    path("<int:pk>/edit/", projects.project_edit, name="project_edit"),
    path("<int:pk>/submit/", projects.project_submit, name="project_submit"),
    path("<int:pk>/review/", review.project_review, name="project_review"),
    path("<int:pk>/updates/new/", updates.update_create, name="update_create"),
    path("updates/<int:pk>/", updates.update_detail, name="update_detail"),
    path("updates/<int:pk>/edit/", updates.update_edit, name="update_edit"),
    path("updates/<int:pk>/submit/", updates.update_submit, name="update_submit"),
    path("updates/<int:pk>/review/", review.update_review, name="update_review"),
]
