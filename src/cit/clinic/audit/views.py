from __future__ import annotations

import csv
import datetime

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cit.clinic import labels
from cit.clinic.access import capability_required, staff_clinic
from cit.clinic.accounts.permissions import Capability
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.forms import AuditFilterForm
from cit.clinic.audit.models import AuditAction, AuditEvent
from cit.clinic.paging import request_page
from cit.clinic.patients.models import Patient


def _events(request: HttpRequest, form: AuditFilterForm) -> QuerySet[AuditEvent]:
    clinic = staff_clinic(request)
    events = AuditEvent.objects.filter(clinic=clinic).select_related("patient", "actor")
    if form.is_valid():
        data = form.cleaned_data
        # Who and whom are looked up in the small tables first, so the log itself is read
        # through its (actor, at) and (patient, at) indexes rather than joined row by row.
        for term in data["actor"].split():
            users = get_user_model().objects.filter(
                Q(username__icontains=term)
                | Q(first_name__icontains=term)
                | Q(last_name__icontains=term)
            )
            # Failed log-ins have no actor, only the name that was typed.
            events = events.filter(
                Q(actor__in=users) | Q(actor__isnull=True, actor_username__icontains=term)
            )
        for term in data["patient"].split():
            patients = Patient.objects.filter(clinic=clinic).filter(
                Q(record_number__iexact=term)
                | Q(given_name__icontains=term)
                | Q(family_name__icontains=term)
            )
            events = events.filter(patient__in=patients)
        if data["action"]:
            events = events.filter(action=data["action"])
        # Whole days in the clinic's time, as a range on ``at`` that its index can seek.
        if data["since"]:
            events = events.filter(at__gte=_day_start(data["since"]))
        if data["until"]:
            events = events.filter(at__lt=_day_start(data["until"] + datetime.timedelta(days=1)))
    return events


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# Newest first, as the ``audit_clinic_newest`` index runs.
EVENT_ORDER = ("-at", "-id")


@capability_required(Capability.AUDIT_VIEW)
def audit_log(request: HttpRequest) -> HttpResponse:
    """Browse the clinic's audit events, newest first, filtered by who, whom, what and when."""
    form = AuditFilterForm(request.GET or None)
    page = request_page(
        request,
        _events(request, form),
        ordering=EVENT_ORDER,
        size=50,
        next_label="Older",
        previous_label="Newer",
    )
    query = request.GET.copy()
    query.pop("cursor", None)
    # Reading the log is itself audited: it shows who saw which patient's record.
    record_event(
        request,
        AuditAction.LIST,
        object_type="audit.AuditEvent",
        detail={
            "filters": {
                k: str(v)
                for k, v in (form.cleaned_data if form.is_bound and form.is_valid() else {}).items()
                if v
            },
            "cursor": request.GET.get("cursor", ""),
            "count": len(page),
        },
    )
    status = 400 if form.is_bound and not form.is_valid() else 200
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "audit/log.html", context, status=status)


@capability_required(Capability.AUDIT_VIEW)
def audit_log_csv(request: HttpRequest) -> HttpResponse:
    """The filtered events as CSV (the export is itself audited)."""
    form = AuditFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        # Never export more than was asked for: a bad filter is refused, not dropped.
        problems = "; ".join(f"{e}" for errors in form.errors.values() for e in errors)
        return HttpResponse(f"Export refused: {problems}", status=400, content_type="text/plain")
    events = _events(request, form)[:50000]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    writer = csv.writer(response)
    writer.writerow(["when (UTC)", "who", "role", "action", "patient", "record", "via", "address"])
    count = 0
    for event in events:
        count += 1
        writer.writerow(
            [
                event.at.strftime("%Y-%m-%d %H:%M:%S"),
                event.actor_username,
                labels.role_label(event.actor_role) if event.actor_role else "",
                labels.audit_action_label(event.action),
                event.patient.record_number if event.patient else "",
                labels.object_label(event.object_type, event.object_id),
                f"{event.channel} {event.method} {event.path}".strip(),
                event.client_address or "",
            ]
        )
    record_event(
        request,
        AuditAction.EXPORT,
        object_type="audit.AuditEvent",
        detail={"rows": count, "filters": {k: v for k, v in request.GET.items()}},
    )
    return response
