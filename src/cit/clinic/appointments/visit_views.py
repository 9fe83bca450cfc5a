"""Pages for the visits outside a plan's series: consultations (proposed from a clicked free
block or from the patient's record, marked done by the clinician) and maintenance (the front
desk's list of patients due, and booking one session in the window).

Booking itself posts the chosen proposal to ``book-proposal`` (``views.book_proposal``).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cit.clinic.access import capability_required, patient_for_request, signed_in_user
from cit.clinic.accounts.models import Provider
from cit.clinic.accounts.permissions import Capability
from cit.clinic.appointments.consultations import (
    do_complete_consultation,
    may_consult,
    propose_consultation,
)
from cit.clinic.appointments.errors import SchedulingRefused
from cit.clinic.appointments.forms import TIME_OF_DAY
from cit.clinic.appointments.maintenance import (
    due_rows,
    due_series_of,
    entries_for,
    maintenance_entry,
)
from cit.clinic.appointments.maintenance import propose_maintenance as propose_maintenance_times
from cit.clinic.appointments.views import (
    SlotInvalid,
    _appointment_for,
    _refused,
    _session_rows,
    _slot_from,
    _staff_only,
    _time_of_day,
    safe_next,
)
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.bounds import query_day
from cit.clinic.plans.models import TreatmentPlanRecord
from cit.scheduling import PatientPreferences, TimeWindow
from cit.scheduling.maintenance import DUE_SOON_DAYS, DueState

DUE_FILTERS = {
    "": ("Due soon, now or overdue", frozenset(DueState)),
    "overdue": ("Overdue", frozenset({DueState.OVERDUE})),
    "now": ("Due now", frozenset({DueState.NOW})),
    "soon": (f"Due in the next {DUE_SOON_DAYS} days", frozenset({DueState.SOON})),
}
STATE_LABELS = {DueState.OVERDUE: "Overdue", DueState.NOW: "Due now", DueState.SOON: "Due soon"}


# -- consultations ------------------------------------------------------------------------------


@capability_required(Capability.SCHEDULE_EDIT)
def consultation_page(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Book a consultation: at the free block clicked (``provider`` and ``start``), or the
    next free times from a day (``from``, default today)."""
    clinic = _staff_only(request)
    patient = patient_for_request(request, patient_id, Capability.SCHEDULE_EDIT, None)
    provider: Provider | None = None
    start: datetime.datetime | None = None
    if request.GET.get("provider") or request.GET.get("start"):
        try:
            provider, start = _slot_from(request, clinic)
        except SlotInvalid as error:
            return _refused(request, SchedulingRefused(str(error)), request.path)
    today = clinic.today()
    from_day = query_day(request, "from", today)
    if start is None and from_day is not None:
        start = datetime.datetime.combine(from_day, datetime.time(0), tzinfo=clinic.tzinfo)
    proposals = propose_consultation(
        clinic=clinic,
        patient=patient,
        start=start,
        provider=provider,
        actor=signed_in_user(request),
        request=request,
    )

    def rows(options: Any) -> list[dict[str, Any]]:
        sessions = [o.session for o in options]
        return [
            {**row, "token": o.token}
            for row, o in zip(_session_rows(sessions, clinic), options, strict=True)
        ]

    return render(
        request,
        "appointments/consultation.html",
        {
            "patient": patient,
            "provider": provider,
            "start": start.astimezone(clinic.tzinfo) if start and provider else None,
            "from_day": (from_day or today),
            "exact": rows([proposals.exact])[0] if proposals.exact else None,
            "exact_refused": proposals.exact_refused,
            "alternatives": rows(proposals.alternatives),
            "failure": proposals.failure,
            "minutes": clinic.consultation_minutes,
            "zone": clinic.timezone,
            "provider_consults": may_consult(provider) if provider else True,
        },
    )


@require_POST
@capability_required(Capability.CLINICAL_EDIT)
def consultation_done(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """The clinician marks a consultation done (it has no session note to sign)."""
    _staff_only(request)
    appointment = _appointment_for(request, appointment_id, Capability.CLINICAL_EDIT, None)
    back = safe_next(request, f"/patients/{appointment.patient_id}/bookings/")
    try:
        done = do_complete_consultation(
            actor=signed_in_user(request), appointment=appointment, request=request
        )
    except SchedulingRefused as error:
        return _refused(request, error, back)
    messages.success(request, f"Consultation of {done.patient.full_name} marked done.")
    return redirect(back)


def _slot_preferences(
    provider: Provider | None, start: datetime.datetime | None
) -> PatientPreferences | None:
    """A clicked free block as wishes: that provider, that part of the day."""
    if provider is None or start is None:
        return None
    window = TIME_OF_DAY[_time_of_day(start)][1]
    return PatientPreferences(
        time_windows=(TimeWindow.parse(window),) if window else (),
        provider_id=str(provider.pk),
    )


# -- maintenance --------------------------------------------------------------------------------


@capability_required(Capability.SCHEDULE_VIEW)
def maintenance_due_page(request: HttpRequest) -> HttpResponse:
    """Patients due for maintenance: overdue, due now, due soon, with their windows."""
    clinic = _staff_only(request)
    chosen = request.GET.get("due", "")
    if chosen not in DUE_FILTERS:
        chosen = ""
    label, states = DUE_FILTERS[chosen]
    # Filtered, sorted, counted and paged by the database; only the page's rows, plans and
    # patients are read.
    now = timezone.now()
    page = Paginator(due_rows(clinic, now=now, states=states), 25).get_page(request.GET.get("page"))
    entries = entries_for(due_series_of(clinic, list(page.object_list), now))
    record_event(
        request,
        AuditAction.LIST,
        object_type="appointments.MaintenanceDue",
        detail={
            "due": chosen or "all",
            "count": page.paginator.count,
            "page": page.number,
            "patients": [e.patient.pk for e in entries],
        },
    )
    return render(
        request,
        "appointments/maintenance_due.html",
        {
            "page": page,
            "rows": [
                {"entry": e, "state_label": STATE_LABELS[e.state] if e.state else ""}
                for e in entries
            ],
            "filters": [(key, text) for key, (text, _) in DUE_FILTERS.items()],
            "chosen": chosen,
            "label": label,
            "today": clinic.today(),
        },
    )


@capability_required(Capability.SCHEDULE_EDIT)
def maintenance_book_page(
    request: HttpRequest, patient_id: int, plan_id: int, series_index: int
) -> HttpResponse:
    """Proposals for the one maintenance session inside the patient's window."""
    clinic = _staff_only(request)
    patient = patient_for_request(request, patient_id, Capability.SCHEDULE_EDIT, None)
    plan = get_object_or_404(TreatmentPlanRecord, pk=plan_id, patient=patient)
    entry = maintenance_entry(plan, series_index)
    if entry is None:
        raise Http404("This series is not due for maintenance (still under way, or booked).")
    provider: Provider | None = None
    start: datetime.datetime | None = None
    if request.GET.get("provider") or request.GET.get("start"):
        try:
            provider, start = _slot_from(request, clinic)
        except SlotInvalid as error:
            return _refused(request, SchedulingRefused(str(error)), request.path)
    proposals = propose_maintenance_times(
        entry=entry,
        from_day=start.date() if start else None,
        preferences=_slot_preferences(provider, start),
        actor=signed_in_user(request),
        request=request,
    )
    return render(
        request,
        "appointments/maintenance_book.html",
        {
            "patient": patient,
            "entry": entry,
            "state_label": STATE_LABELS[entry.state] if entry.state else "",
            "proposals": [
                {**row, "token": token, "rank": rank}
                for rank, (row, token) in enumerate(
                    zip(_session_rows(proposals.sessions, clinic), proposals.tokens, strict=True),
                    start=1,
                )
            ],
            "failure": proposals.failure,
            "zone": clinic.timezone,
        },
    )
