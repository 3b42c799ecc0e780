from django.urls import path

from coordination import views

urlpatterns = [
    path("duplicates/", views.duplicate_list, name="duplicate_list"),
    path("duplicates/<int:pk>/review/", views.duplicate_review, name="duplicate_review"),
]
