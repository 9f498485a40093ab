from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "alliance.practice.journal"
    label = "journal"
