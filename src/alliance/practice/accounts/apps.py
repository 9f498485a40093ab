from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "alliance.practice.accounts"
    label = "accounts"
    verbose_name = "Organisations and members"
