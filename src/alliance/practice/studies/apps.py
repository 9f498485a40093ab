from django.apps import AppConfig


class StudiesConfig(AppConfig):
    name = "alliance.practice.studies"
    label = "studies"
