from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from cit.clinic import labels
from cit.clinic.access import capability_required, staff_clinic
from cit.clinic.accounts.permissions import Capability
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.forms import AuditFilterForm
from cit.clinic.audit.models import AuditAction, AuditEvent
from cit.clinic.paging import request_page
from cit.clinic.patients.matching import fold
from cit.clinic.patients.models import Patient


def _events(request: HttpRequest, form: AuditFilterForm) -> QuerySet[AuditEvent]:
    clinic = staff_clinic(request)
    events = AuditEvent.objects.filter(clinic=clinic)
    if form.is_valid():
        data = form.cleaned_data
        # Who and whom are looked up in the small tables first and handed to the log as ids,
        # so the planner sees how common they are (its statistics per actor and patient):
        # a rare one is read through its (actor|patient, at, id) index, a common one by
        # walking the clinic's events newest first until a page is found.
        for term in data["actor"].split():
            users = (
                get_user_model()
                .objects.order_by()
                .filter(
                    Q(username__icontains=term)
                    | Q(first_name__icontains=term)
                    | Q(last_name__icontains=term)
                )
            )
            # Failed log-ins have no actor, only the name that was typed.
            events = events.filter(
                Q(actor__in=_ids(users)) | Q(actor__isnull=True, actor_username__icontains=term)
            )
        for term in data["patient"].split():
            # Matched as the patient search matches words: in the folded search key (names,
            # record number, e-mail, phone; accents and case ignored), through its index.
            patients = Patient.objects.order_by().filter(
                clinic=clinic, search_key__contains=fold(term)
            )
            events = events.filter(patient__in=_ids(patients))
        if data["action"]:
            events = events.filter(action=data["action"])
        # Whole days in the clinic's time, as a range on ``at`` that its index can seek.
        if data["since"]:
            events = events.filter(at__gte=_day_start(data["since"]))
        if data["until"]:
            events = events.filter(at__lt=_day_start(data["until"] + datetime.timedelta(days=1)))
    return events


# More matching people than this stay a subquery: so many are common in the log anyway.
MOST_IDS_INLINE = 500


def _ids(rows: QuerySet[Any]) -> QuerySet[Any] | list[int]:
    ids = list(rows.values_list("pk", flat=True)[: MOST_IDS_INLINE + 1])
    return rows.values("pk") if len(ids) > MOST_IDS_INLINE else ids


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# Newest first, as the ``audit_clinic_newest`` index runs.
EVENT_ORDER = ("-at", "-id")
# What the page shows of an event (not its details) and of the people it names.
PAGE_COLUMNS = (
    *("at", "clinic", "actor", "actor_username", "actor_role", "action", "patient"),
    *("object_type", "object_id", "channel", "method", "path", "client_address"),
)
PAGE_NAMES = {
    "record_number": F("patient__record_number"),
    "actor_first_name": F("actor__first_name"),
    "actor_last_name": F("actor__last_name"),
}


@dataclass(frozen=True)
class LogRow:
    """One event in the page's words, written once here so the template only places them."""

    when: str
    who: str
    role: str
    action: str
    record_number: str
    record: str
    via: str
    path: str
    address: str


def _log_rows(events: Iterable[Any]) -> list[LogRow]:
    """The events in words; each role's and action's label looked up once a page."""
    role_labels: dict[str, str] = {"": ""}
    action_labels: dict[str, str] = {}
    rows = []
    for event in events:
        if event.actor_id is not None:
            # The actor's name as it is now (User.get_full_name), else the name at the time.
            full_name = f"{event.actor_first_name} {event.actor_last_name}".strip()
            who = full_name or event.actor_username
        else:
            who = event.actor_username or "—"
        role = event.actor_role or ""
        if role not in role_labels:
            role_labels[role] = labels.role_label(role)
        if event.action not in action_labels:
            action_labels[event.action] = labels.audit_action_label(event.action)
        rows.append(
            LogRow(
                # All digits, the same in either date order and any language: written
                # straight ("Y-m-d H:i:s"), not through the locale's formats.
                when=f"{timezone.localtime(event.at):%Y-%m-%d %H:%M:%S}",
                who=who,
                role=role_labels[role],
                action=action_labels[event.action],
                record_number=event.record_number or "",
                record=labels.object_label(event.object_type, event.object_id),
                via=f"{event.channel} {event.method}",
                path=event.path,
                address=event.client_address or "",
            )
        )
    return rows


def _rows_html(rows: list[LogRow]) -> SafeString:
    """The table's rows, written here: fifty rows of nine cells cost more in the template's
    loop than the page's queries."""
    return format_html_join(
        "\n",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        '<td>{} <span class="muted">{}</span></td><td>{}</td></tr>',
        (
            (r.when, r.who, r.role, r.action, r.record_number, r.record, r.via, r.path, r.address)
            for r in rows
        ),
    )


@capability_required(Capability.AUDIT_VIEW)
def audit_log(request: HttpRequest) -> HttpResponse:
    """Browse the clinic's audit events, newest first, filtered by who, whom, what and when."""
    form = AuditFilterForm(request.GET or None)
    page = request_page(
        request,
        _events(request, form).only(*PAGE_COLUMNS).annotate(**PAGE_NAMES),
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
    rows = _log_rows(page)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "rows_html": _rows_html(rows),
        "query": query.urlencode(),
        # Times are the clinic's (the zone ClinicTimezoneMiddleware activated).
        "zone": timezone.get_current_timezone_name(),
    }
    return render(request, "audit/log.html", context, status=status)


@capability_required(Capability.AUDIT_VIEW)
def audit_log_csv(request: HttpRequest) -> HttpResponse:
    """The filtered events as CSV (the export is itself audited)."""
    form = AuditFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        # Never export more than was asked for: a bad filter is refused, not dropped.
        problems = "; ".join(f"{e}" for errors in form.errors.values() for e in errors)
        return HttpResponse(f"Export refused: {problems}", status=400, content_type="text/plain")
    events = _events(request, form).select_related("patient")[:50000]
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
