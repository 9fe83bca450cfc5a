from django.contrib import admin

from cit.clinic.admin_base import NoDeleteAdmin
from cit.clinic.outcomes.models import ClinicInstrument


@admin.register(ClinicInstrument)
class ClinicInstrumentAdmin(NoDeleteAdmin):
    """A clinic's licensed instruments: the definition is validated on save (clean())."""

    list_display = ["title", "clinic", "code", "updated_at"]
    list_filter = ["clinic"]
