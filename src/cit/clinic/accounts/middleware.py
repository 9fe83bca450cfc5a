"""Pages show times in the clinic's time zone: staff see their clinic's, a patient theirs."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from cit.clinic.dates import DAY_FIRST, activate_date_order, reset_date_order


class ClinicTimezoneMiddleware:
    """Activate the user's clinic time zone for the request, so ``|date`` and ``|time`` in
    templates show clinic time (Django would otherwise convert to UTC, ``TIME_ZONE``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone, order = _clinic_zone_and_date_order(request)
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        # Dates written the clinic's way too (day or month first).
        token = activate_date_order(order)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
            reset_date_order(token)


def _clinic_zone_and_date_order(request: HttpRequest) -> tuple[str | None, str]:
    """The time zone and date order of the user's clinic (a patient's: their record's)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None, DAY_FIRST
    clinic = getattr(user, "clinic", None)
    if clinic is not None:
        return str(clinic.timezone), str(clinic.date_order)
    if getattr(user, "is_patient", False):
        from cit.clinic.patients.models import Patient

        found = (
            Patient.objects.filter(portal_user_id=user.pk)
            .values_list("clinic__timezone", "clinic__date_order")
            .first()
        )
        if found:
            return str(found[0]), str(found[1])
    return None, DAY_FIRST
