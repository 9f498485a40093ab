from django.urls import path

from alliance.practice.collect import views

app_name = "collect"
urlpatterns = [
    path("f/<str:token>/", views.answer, name="form"),
    path("f/<str:token>/preferences/", views.preferences, name="preferences"),
]
