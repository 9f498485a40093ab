from django.urls import path

from alliance.practice.outbox import views

app_name = "outbox"
urlpatterns = [
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<int:pk>/retry/", views.retry, name="retry"),
    path("clients/<int:pk>/email-link/", views.email_link, name="email_link"),
]
