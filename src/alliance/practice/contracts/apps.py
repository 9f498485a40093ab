from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "alliance.practice.contracts"
    label = "contracts"
