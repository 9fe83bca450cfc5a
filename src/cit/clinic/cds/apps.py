from django.apps import AppConfig


class CdsConfig(AppConfig):
    name = "cit.clinic.cds"
    label = "cds"
    verbose_name = "CDS Hooks"
