from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "alliance.practice.public"
    label = "public"
