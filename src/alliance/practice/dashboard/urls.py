from django.urls import path

from alliance.practice.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("clients/<int:pk>/", views.client_detail, name="client"),
    path("clients/<int:pk>/in-session/", views.in_session, name="in_session"),
    path("clients/<int:pk>/invitations/", views.create_invitation, name="invite"),
    path(
        "clients/<int:pk>/responses/new/<str:instrument_id>/",
        views.enter_response,
        name="enter_response",
    ),
]
