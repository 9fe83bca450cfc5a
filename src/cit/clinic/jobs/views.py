"""The clinic admin's page of messages that did not go out and background work that stuck."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cit.clinic.access import capability_required, staff_clinic
from cit.clinic.accounts.permissions import Capability
from cit.clinic.appointments.models import Appointment, AppointmentStatus
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.jobs.lease import lease_expired_before
from cit.clinic.jobs.models import Delivery, DeliveryStatus
from cit.clinic.jobs.recovery import stuck_or_failed_task_counts
from cit.clinic.paging import request_page

PAGE_SIZE = 100
TASK_LABELS = {
    "send_reminder": "Appointment reminders",
    "replan_after_absence": "Re-plans after a provider's absence",
    "sweep_stuck_work": "Recovery sweep",
}


@capability_required(Capability.CLINIC_MANAGE)
def delivery_problems(request: HttpRequest) -> HttpResponse:
    """Messages that failed or whose sending was interrupted, reminders overdue, and task
    counts (stuck, failed, lost with their worker)."""
    clinic = staff_clinic(request)
    now = timezone.now()
    expired = lease_expired_before(now)
    # A page of each list, on its own cursor.
    problems = request_page(
        request,
        Delivery.objects.filter(clinic=clinic)
        .filter(
            Q(status=DeliveryStatus.FAILED)
            | Q(status=DeliveryStatus.SENDING, claimed_at__lt=expired)
            | Q(status=DeliveryStatus.SENT, attempts__gt=1)
        )
        .select_related("patient"),
        ordering=("-updated_at", "-id"),
        size=PAGE_SIZE,
        param="messages",
        next_label="Older",
        previous_label="Newer",
    )
    for delivery in problems:
        delivery.interrupted = delivery.status == DeliveryStatus.SENDING
    overdue = request_page(
        request,
        Appointment.objects.filter(
            clinic=clinic,
            status=AppointmentStatus.BOOKED,
            reminder_sent_at__isnull=True,
            reminder_due_at__lt=expired,
            start__gt=now,
        ).select_related("patient", "clinic"),
        ordering=("start", "id"),
        size=PAGE_SIZE,
        param="reminders",
    )
    tasks = [
        {**entry, "label": TASK_LABELS.get(str(entry["task"]), "Other background work")}
        for entry in stuck_or_failed_task_counts()
    ]
    record_event(
        request,
        AuditAction.LIST,
        object_type="jobs.Delivery",
        detail={"deliveries": len(problems), "overdue_reminders": len(overdue)},
    )
    context = {
        "problems": problems,
        "overdue": overdue,
        "tasks": tasks,
        "max_attempts": settings.DELIVERY_MAX_ATTEMPTS,
    }
    return render(request, "jobs/problems.html", context)
