"""Pages show times in the clinic's time zone: staff see their clinic's, a patient theirs."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone


class ClinicTimezoneMiddleware:
    """Activate the user's clinic time zone for the request, so ``|date`` and ``|time`` in
    templates show clinic time (Django would otherwise convert to UTC, ``TIME_ZONE``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = _clinic_zone(request)
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def _clinic_zone(request: HttpRequest) -> str | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    clinic = getattr(user, "clinic", None)
    if clinic is not None:
        return str(clinic.timezone)
    if getattr(user, "is_patient", False):
        from cit.clinic.patients.models import Patient

        zone = (
            Patient.objects.filter(portal_user_id=user.pk)
            .values_list("clinic__timezone", flat=True)
            .first()
        )
        return str(zone) if zone else None
    return None
