from django.urls import path

from alliance.practice.dashboard import manage_views, modality, views

app_name = "dashboard"
urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("clients/new/", manage_views.new_client, name="new_client"),
    path("clients/<int:pk>/", views.client_detail, name="client"),
    path("clients/<int:pk>/sessions/", manage_views.add_session, name="add_session"),
    path(
        "clients/<int:pk>/client-view/",
        manage_views.client_view_settings,
        name="client_view_settings",
    ),
    path("clients/<int:pk>/in-session/", views.in_session, name="in_session"),
    path("clients/<int:pk>/invitations/", views.create_invitation, name="invite"),
    path("alerts/", views.alert_inbox, name="alerts"),
    path("overview/modality/", modality.modality_overview, name="modality_overview"),
    path("alerts/<int:pk>/acknowledge/", views.acknowledge_alert, name="acknowledge_alert"),
    path(
        "clients/<int:pk>/responses/new/<str:instrument_id>/",
        views.enter_response,
        name="enter_response",
    ),
]
