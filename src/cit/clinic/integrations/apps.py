from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "cit.clinic.integrations"
    label = "integrations"
    verbose_name = "Integrations (OAuth 2.0 clients)"
