"""HTML routes of the projects app (mounted at /projects/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("new/", views.project_create, name="project_create"),
    path("review/", views.review_queue, name="review_queue"),
    path("api-token/", views.api_token, name="api_token"),
    path("<int:pk>/", views.project_detail, name="project_detail"),
    path("<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("<int:pk>/submit/", views.project_submit, name="project_submit"),
    path("<int:pk>/review/", views.project_review, name="project_review"),
    path("<int:pk>/updates/new/", views.update_create, name="update_create"),
    path("updates/<int:pk>/", views.update_detail, name="update_detail"),
    path("updates/<int:pk>/edit/", views.update_edit, name="update_edit"),
    path("updates/<int:pk>/submit/", views.update_submit, name="update_submit"),
    path("updates/<int:pk>/review/", views.update_review, name="update_review"),
]
