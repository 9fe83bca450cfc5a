from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "cit.clinic.inventory"
    label = "inventory"
    verbose_name = "Lot register"
