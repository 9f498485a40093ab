from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "alliance.practice.dashboard"
    label = "dashboard"
    verbose_name = "Dashboard"
