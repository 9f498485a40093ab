from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "alliance.practice.outbox"
    label = "outbox"
