from django.contrib import admin

from cit.clinic.admin_base import NoDeleteAdmin
from cit.clinic.inventory.models import Lot, Product


@admin.register(Product)
class ProductAdmin(NoDeleteAdmin):
    list_display = ["name", "kind", "clinic", "intradermal_use", "low_stock_threshold"]
    list_filter = ["clinic", "kind"]


@admin.register(Lot)
class LotAdmin(NoDeleteAdmin):
    list_display = ["product", "lot_number", "expires_on", "quantity_on_hand"]
    readonly_fields = ["quantity_on_hand"]
