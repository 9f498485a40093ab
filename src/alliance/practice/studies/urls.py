from django.urls import path

from alliance.practice.studies import consent_views, report_views, views

app_name = "studies"
urlpatterns = [
    path("research/", views.projects, name="projects"),
    path("research/projects/new/", views.new_project, name="new_project"),
    path("research/projects/<int:pk>/", views.project_detail, name="project"),
    path("research/projects/<int:pk>/export/", views.export, name="export"),
    path("research/projects/<int:pk>/report/", report_views.project_report, name="report"),
    path("clients/<int:pk>/research-consent/", consent_views.record_consent, name="record_consent"),
]
