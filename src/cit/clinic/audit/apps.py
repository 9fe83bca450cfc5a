from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "cit.clinic.audit"
    label = "audit"
    verbose_name = "Audit log"
