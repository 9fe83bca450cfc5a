from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "cit.clinic.appointments"
    label = "appointments"
    verbose_name = "Appointments and series booking"
