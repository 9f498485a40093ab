from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "alliance.practice.care"
    label = "care"
    verbose_name = "Clients and episodes of care"
