from __future__ import annotations

from django import forms

from cit.clinic.facilities.models import Device, Room


class RoomForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Room
        fields = ["name"]


class DeviceForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Device
        fields = ["kind", "model", "serial_number", "max_depth_mm"]
