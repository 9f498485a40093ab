from django.urls import path

from alliance.practice.ending import checklist_views, client_views, plan_views

app_name = "ending"
EPISODE = "clients/<int:pk>/episodes/<int:episode_id>/"
urlpatterns = [
    path(f"{EPISODE}relapse-plan/", plan_views.plan_page, name="plan"),
    path(f"{EPISODE}relapse-plan/pdf/", plan_views.plan_pdf, name="plan_pdf"),
    path(f"{EPISODE}relapse-plan/link/", plan_views.plan_link, name="plan_link"),
    path(f"{EPISODE}relapse-plan/seen/", plan_views.plan_seen, name="plan_seen"),
    path(f"{EPISODE}final-measures/", checklist_views.final_measures, name="final_measures"),
    path(f"{EPISODE}ending/", checklist_views.record_ending, name="record_ending"),
    path(f"{EPISODE}follow-ups/", checklist_views.schedule, name="schedule_follow_ups"),
    path(
        f"{EPISODE}follow-ups/<int:follow_up_id>/cancel/",
        checklist_views.cancel,
        name="cancel_follow_up",
    ),
    path("relapse-plan/<str:token>/", client_views.client_plan, name="client_plan"),
    path("relapse-plan/<str:token>/pdf/", client_views.client_plan_pdf, name="client_plan_pdf"),
]
