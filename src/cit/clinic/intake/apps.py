from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "cit.clinic.intake"
    label = "intake"
    verbose_name = "Intake and screening"
