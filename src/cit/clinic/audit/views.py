from __future__ import annotations

import csv

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cit.clinic import labels
from cit.clinic.access import capability_required, staff_clinic
from cit.clinic.accounts.permissions import Capability
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.forms import AuditFilterForm
from cit.clinic.audit.models import AuditAction, AuditEvent
from cit.clinic.paging import CappedPaginator


def _events(request: HttpRequest, form: AuditFilterForm) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.filter(clinic=staff_clinic(request)).select_related(
        "patient", "actor"
    )
    if form.is_valid():
        data = form.cleaned_data
        for term in data["actor"].split():
            events = events.filter(
                Q(actor_username__icontains=term)
                | Q(actor__first_name__icontains=term)
                | Q(actor__last_name__icontains=term)
            )
        for term in data["patient"].split():
            events = events.filter(
                Q(patient__record_number__iexact=term)
                | Q(patient__given_name__icontains=term)
                | Q(patient__family_name__icontains=term)
            )
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["since"]:
            events = events.filter(at__date__gte=data["since"])
        if data["until"]:
            events = events.filter(at__date__lte=data["until"])
    return events


# The log pages through the newest events only; counting millions of rows on every view
# is what made it slow. Older events are reached by narrowing the dates (or the CSV).
LISTED_EVENTS_CAP = 10_000


@capability_required(Capability.AUDIT_VIEW)
def audit_log(request: HttpRequest) -> HttpResponse:
    """Browse the clinic's audit events, newest first, filtered by who, whom, what and when."""
    form = AuditFilterForm(request.GET or None)
    page = CappedPaginator(_events(request, form), 50, cap=LISTED_EVENTS_CAP).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
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
            "page": page.number,
            "count": len(page.object_list),
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
