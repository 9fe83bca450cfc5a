from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "cit.clinic.portal"
    label = "portal"
    verbose_name = "Patient portal"
