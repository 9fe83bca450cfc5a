from django.apps import AppConfig


class FacilitiesConfig(AppConfig):
    name = "cit.clinic.facilities"
    label = "facilities"
    verbose_name = "Clinic set-up"
