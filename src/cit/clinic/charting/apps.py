from django.apps import AppConfig


class ChartingConfig(AppConfig):
    name = "cit.clinic.charting"
    label = "charting"
    verbose_name = "Session charting"
