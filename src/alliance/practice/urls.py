from django.contrib import admin
from django.urls import include, path

from alliance.practice.health import healthz

urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("alliance.practice.collect.urls")),
    path("", include("alliance.practice.dashboard.urls")),
    path("", include("alliance.practice.studies.urls")),
    path("", include("alliance.practice.process_studies.urls")),
    path("", include("alliance.practice.contracts.urls")),
    path("", include("alliance.practice.ending.urls")),
    path("", include("alliance.practice.journal.urls")),
    path("", include("alliance.practice.public.urls")),
    path("", include("alliance.practice.outbox.urls")),
]
