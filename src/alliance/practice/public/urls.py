"""Public page URLs (``/p/<slug>/...``, no login) and the staff side
(``/practice/<slug>/...``, clinical members of that organisation only)."""

from django.urls import path

from alliance.practice.public import views_intake, views_public, views_staff

app_name = "public"
urlpatterns = [
    path("p/<slug:slug>/", views_public.practice_page, name="page"),
    path("p/<slug:slug>/request/", views_public.submit_request, name="request"),
    path("p/<slug:slug>/thanks/", views_public.thanks, name="thanks"),
    path("p/<slug:slug>/photos/<int:pk>/", views_public.photo, name="photo"),
    path("practice/<slug:slug>/public-page/", views_staff.edit_page, name="edit_page"),
    path("practice/<slug:slug>/public-page/publish/", views_staff.publish, name="publish"),
    path(
        "practice/<slug:slug>/public-page/profile/", views_staff.edit_profile, name="edit_profile"
    ),
    path("practice/<slug:slug>/intake/", views_intake.intake_list, name="intake_list"),
    path("practice/<slug:slug>/intake/<int:pk>/", views_intake.intake_detail, name="intake_detail"),
    path(
        "practice/<slug:slug>/intake/<int:pk>/status/",
        views_intake.intake_status,
        name="intake_status",
    ),
    path(
        "practice/<slug:slug>/intake/<int:pk>/delete/",
        views_intake.intake_delete,
        name="intake_delete",
    ),
    path(
        "practice/<slug:slug>/intake/<int:pk>/client/",
        views_intake.create_client,
        name="intake_create_client",
    ),
]
