from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "cit.clinic.outcomes"
    label = "outcomes"
    verbose_name = "Outcome measures"
