from django.apps import AppConfig


class ProcessStudiesConfig(AppConfig):
    name = "alliance.practice.process_studies"
    label = "process_studies"
    verbose_name = "Process studies"
