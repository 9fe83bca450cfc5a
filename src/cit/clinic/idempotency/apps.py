from django.apps import AppConfig


class IdempotencyConfig(AppConfig):
    name = "cit.clinic.idempotency"
    label = "idempotency"
    verbose_name = "Idempotency keys"
