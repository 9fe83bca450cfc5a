from django.apps import AppConfig


class WorklistsConfig(AppConfig):
    name = "cit.clinic.worklists"
    label = "worklists"
    verbose_name = "Today and worklists"
