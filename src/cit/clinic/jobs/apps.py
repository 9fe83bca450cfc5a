from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "cit.clinic.jobs"
    label = "jobs"
    verbose_name = "Messages and background work"
