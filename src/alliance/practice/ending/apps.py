from django.apps import AppConfig


class EndingConfig(AppConfig):
    name = "alliance.practice.ending"
    label = "ending"
