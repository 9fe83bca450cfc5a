from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "cit.clinic.plans"
    label = "plans"
    verbose_name = "Treatment plans"
