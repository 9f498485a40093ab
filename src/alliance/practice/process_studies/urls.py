from django.urls import path

from alliance.practice.process_studies import interview_views, views

app_name = "process_studies"
urlpatterns = [
    path("process-studies/", views.study_list, name="list"),
    path("process-studies/new/", views.new_study, name="new"),
    path("process-studies/my-interviews/", views.my_interviews, name="my_interviews"),
    path("process-studies/<int:pk>/", views.study_detail, name="study"),
    path("process-studies/<int:pk>/edit/", views.edit_study, name="edit"),
    path("process-studies/<int:pk>/enrol/", views.enrol_client, name="enrol"),
    path(
        "process-studies/<int:pk>/sessions/<int:session_pk>/record/",
        views.record_session,
        name="record",
    ),
    path(
        "process-studies/interviews/<int:pk>/done/",
        interview_views.interview_done,
        name="interview_done",
    ),
    path(
        "process-studies/interviews/<int:pk>/cancel/",
        interview_views.interview_cancel,
        name="interview_cancel",
    ),
    path(
        "process-studies/interviews/<int:pk>/transcript/",
        interview_views.interview_transcript,
        name="interview_transcript",
    ),
]
