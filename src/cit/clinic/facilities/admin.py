from django.contrib import admin

from cit.clinic.admin_base import NoDeleteAdmin
from cit.clinic.facilities.models import Clinic, ClosureDay, Device, OpeningHours, Room


class OpeningHoursInline(admin.TabularInline):  # type: ignore[type-arg]
    model = OpeningHours
    extra = 0


@admin.register(Clinic)
class ClinicAdmin(NoDeleteAdmin):
    list_display = ["name", "timezone", "archived_at"]
    inlines = [OpeningHoursInline]


@admin.register(Room)
class RoomAdmin(NoDeleteAdmin):
    list_display = ["name", "clinic", "archived_at"]
    list_filter = ["clinic"]


@admin.register(Device)
class DeviceAdmin(NoDeleteAdmin):
    list_display = ["model", "kind", "serial_number", "max_depth_mm", "clinic", "archived_at"]
    list_filter = ["clinic", "kind"]


@admin.register(ClosureDay)
class ClosureDayAdmin(NoDeleteAdmin):
    list_display = ["date", "name", "repeats_yearly", "clinic", "archived_at"]
    list_filter = ["clinic", "repeats_yearly"]
