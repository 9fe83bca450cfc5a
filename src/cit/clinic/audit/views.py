from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cit.clinic.access import capability_required, staff_clinic
from cit.clinic.accounts.permissions import Capability
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.forms import AuditFilterForm
from cit.clinic.audit.models import AuditAction, AuditEvent


@capability_required(Capability.AUDIT_VIEW)
def audit_log(request: HttpRequest) -> HttpResponse:
    """Browse the clinic's audit events, newest first, filtered by who, whom, what and when."""
    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.filter(clinic=staff_clinic(request)).select_related("patient")
    if form.is_valid():
        data = form.cleaned_data
        if data["actor"]:
            events = events.filter(actor_username__iexact=data["actor"].strip())
        if data["patient"]:
            events = events.filter(patient__record_number__iexact=data["patient"].strip())
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["since"]:
            events = events.filter(at__date__gte=data["since"])
        if data["until"]:
            events = events.filter(at__date__lte=data["until"])
    page = Paginator(events, 50).get_page(request.GET.get("page"))
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
    return render(request, "audit/log.html", {"form": form, "page": page}, status=status)
