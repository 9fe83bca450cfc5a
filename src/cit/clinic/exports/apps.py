from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "cit.clinic.exports"
    label = "exports"
    verbose_name = "FHIR Bulk Data exports"
