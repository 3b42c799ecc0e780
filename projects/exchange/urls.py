"""HTML routes of the data exchange pages (/exchange/)."""

from django.urls import path

from projects.exchange import views

urlpatterns = [
    path("", views.exchange_home, name="exchange_home"),
    path("government/", views.government_upload, name="government_upload"),
    path("jobs/<int:pk>/", views.import_job_detail, name="import_job_detail"),
    path("jobs/<int:pk>/progress/", views.import_job_progress, name="import_job_progress"),
    path("jobs/<int:pk>/commit/", views.import_job_commit, name="import_job_commit"),
    path("jobs/<int:pk>/cancel/", views.import_job_cancel, name="import_job_cancel"),
    path("jobs/<int:pk>/recheck/", views.import_job_recheck, name="import_job_recheck"),
    path("template.xlsx", views.threew_template, name="exchange_template"),
    path("3w/", views.threew_download, name="exchange_3w"),
    path("iati.xml", views.iati_download, name="exchange_iati"),
    path("exports/", views.export_job_request, name="export_job_request"),
    path("exports/<int:pk>/", views.export_job_detail, name="export_job_detail"),
    path("exports/<int:pk>/progress/", views.export_job_progress, name="export_job_progress"),
    path("exports/<int:pk>/download/", views.export_job_download, name="export_job_download"),
]
