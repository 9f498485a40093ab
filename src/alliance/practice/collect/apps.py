from django.apps import AppConfig


class CollectConfig(AppConfig):
    name = "alliance.practice.collect"
    label = "collect"
    verbose_name = "Invitations and responses"
