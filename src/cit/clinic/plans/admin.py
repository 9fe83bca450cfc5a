from django.contrib import admin

from cit.clinic.admin_base import NoDeleteAdmin
from cit.clinic.plans.models import ClinicPriceList


@admin.register(ClinicPriceList)
class ClinicPriceListAdmin(NoDeleteAdmin):
    list_display = ["clinic", "currency", "updated_at"]
