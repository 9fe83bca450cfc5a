from django.apps import AppConfig


class RecoveryConfig(AppConfig):
    name = "cit.clinic.recovery"
    label = "recovery"
    verbose_name = "Recovery diary"
