from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "cit.clinic.patients"
    label = "patients"
    verbose_name = "Patients"
