from __future__ import annotations

import datetime
from typing import Any

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView, PasswordChangeDoneView, PasswordChangeView
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.backends.utils import csrf_input
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from cit.clinic.access import signed_in_user, staff_clinic
from cit.clinic.accounts.idle import SHARED_DEVICE
from cit.clinic.accounts.lockout import client_ip
from cit.clinic.accounts.permissions import ROLE_CAPABILITIES, Capability
from cit.clinic.accounts.roles import CLINICAL_ROLES, Role
from cit.clinic.appointments.maintenance import due_rows
from cit.clinic.appointments.models import AppointmentStatus, SeriesKind
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction, AuditEvent
from cit.clinic.facilities.models import Clinic
from cit.clinic.patients.models import Patient
from cit.clinic.portal.home import patient_home, waiting_count
from cit.clinic.worklists.today import ACTIVE, VisitRow, visits_on, worklists_for
from cit.scheduling.maintenance import DueState


def address_locked_out(request: HttpRequest) -> bool:
    """Password spraying: LOGIN_IP_FAILURE_LIMIT failed log-ins from this address within the
    lockout's cool-off, whatever names were tried, lock the address out (django-axes counts
    each name and address; this adds up the names)."""
    limit = int(settings.LOGIN_IP_FAILURE_LIMIT)
    address = client_ip(request)
    if limit <= 0 or address is None or not settings.AXES_ENABLED:
        return False
    since = timezone.now() - (get_cool_off(request) or datetime.timedelta(minutes=15))
    failures = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since).aggregate(
        total=Sum("failures_since_start")
    )["total"]
    return (failures or 0) >= limit


class CitLoginView(LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if address_locked_out(request):
            record_event(request, AuditAction.LOGIN_FAILED, detail={"locked": "address"})
            return render(request, "registration/locked_out.html", status=429)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["shared_idle_minutes"] = settings.SESSION_IDLE_MINUTES_SHARED
        return context

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        if self.request.POST.get("shared_device"):
            self.request.session[SHARED_DEVICE] = True
        record_event(self.request, AuditAction.LOGIN, actor=form.get_user())
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        record_event(
            self.request,
            AuditAction.LOGIN_FAILED,
            # The attempted name, not the password: enough to spot guessing.
            detail={"username": str(form.data.get("username", ""))[:150]},
        )
        return super().form_invalid(form)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        record_event(request, AuditAction.LOGOUT)
    logout(request)
    return redirect("login")


class CitPasswordChangeView(PasswordChangeView):
    template_name = "registration/password_change.html"
    success_url = reverse_lazy("password-change-done")


class CitPasswordChangeDoneView(PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"


def _clinic_today(request: HttpRequest) -> datetime.date:
    clinic = getattr(request.user, "clinic", None)
    return clinic.today() if clinic is not None else timezone.localdate()


_ID = 987654321


def _url_with_id(name: str) -> str:
    """The URL ``name`` with ``{}`` where its one id goes (to fill in by ``str.format``)."""
    url = reverse(name, args=[_ID])
    assert url.count(str(_ID)) == 1 and "{" not in url
    return url.replace(str(_ID), "{}")


class _VisitRowsHtml:
    """The day's visit rows as HTML, made here and not in the template: ~160 rows of tags,
    filters, an included template of buttons and five ``{% url %}`` each cost more than the
    rest of the page. Links are reversed, and the forms' constant parts escaped, once."""

    def __init__(
        self, request: HttpRequest, clinic: Clinic, *, mine: bool, now: datetime.datetime
    ) -> None:
        self.mine = mine
        self.now = now
        # As the template's |time filter does: the active (the clinic's) time zone.
        self.zone = timezone.get_current_timezone()
        self.is_today = clinic.today(now)
        self.clinical_edit = Capability.CLINICAL_EDIT in ROLE_CAPABILITIES.get(
            signed_in_user(request).role, frozenset()
        )
        self.patient_url = escape(_url_with_id("patient-detail"))
        self.note_url = escape(_url_with_id("charting-note"))
        self.start_url = escape(_url_with_id("charting-start"))
        self.status_url = escape(_url_with_id("appointment-status"))
        self.done_url = escape(_url_with_id("consultation-done"))
        self.hidden = format_html(
            '{}<input type="hidden" name="next" value="{}">',
            csrf_input(request),
            request.get_full_path(),
        )
        self.status_labels = dict(AppointmentStatus.choices)
        self.kind_labels = dict(SeriesKind.choices)
        self.words: dict[tuple[str, str], tuple[str, str]] = {}
        self.missing_html: dict[tuple[str, ...], str] = {}

    def html(self, rows: list[VisitRow]) -> SafeString:
        # Each row escaped what it took from the database (_row).
        return mark_safe("\n".join(self._row(row) for row in rows))

    def _row(self, row: VisitRow) -> str:
        # f-strings, not format_html: names and the room escaped here, the rest numbers or
        # words escaped once per page (_words); format_html's escaping of every value cost
        # as much as the page's queries.
        pk = row.pk
        status, status_label = self._words("status", row.status)
        zone = self.zone
        if row.is_next:
            next_class, next_label = " next-visit", ' <strong class="next-label">next</strong>'
        else:
            next_class = next_label = ""
        if row.kind == SeriesKind.TREATMENT:
            visit = f"Session {row.number:d}"
        else:
            visit = self._words("kind", row.kind)[1]
        provider = "" if self.mine else f"<td>{escape(row.provider_name)}</td>"
        return (
            f'<tr class="visit-row status-{status}{next_class}" data-testid="visit-{pk:d}">'
            f"<td>{row.start.astimezone(zone):%H:%M}–{row.end.astimezone(zone):%H:%M}"
            f"{next_label}</td>"
            f'<td><a href="{self.patient_url.format(row.patient_id)}">'
            f"{escape(row.patient_name)}</a></td>"
            f"<td>{visit}</td>"
            f"{provider}"
            f"<td>{escape(row.room)}</td>"
            f'<td><span class="visit-status status-{status}" data-testid="visit-status-{pk:d}">'
            f"{status_label}</span></td>"
            f"<td>{self._missing(row.missing)}</td>"
            f'<td class="actions">{self._actions(row)}</td>'
            "</tr>"
        )

    def _words(self, what: str, value: str) -> tuple[str, str]:
        """A status's or a visit kind's value and label, escaped once per page."""
        key = (what, value)
        if key not in self.words:
            labels = self.status_labels if what == "status" else self.kind_labels
            self.words[key] = (escape(value), escape(labels.get(value, value)))
        return self.words[key]

    def _missing(self, missing: list[str]) -> str:
        key = tuple(missing)
        if key not in self.missing_html:  # a handful of combinations: each made once
            self.missing_html[key] = (
                format_html_join(", ", '<span class="missing">{}</span>', ((m,) for m in missing))
                if missing
                else '<span class="muted">—</span>'
            )
        return self.missing_html[key]

    def _form(self, url: str, pk: int, button: str) -> str:
        # Only the id is filled in: the URL and the hidden fields were escaped once.
        return (
            f'<form method="post" action="{url.format(pk)}" class="inline-form">'
            f"{self.hidden}{button}</form>"
        )

    def _actions(self, row: VisitRow) -> SafeString:
        """The status buttons (appointments/_status_buttons.html) and the note's link."""
        pk, status, kind = row.pk, row.status, row.kind
        parts = []
        booked = status == AppointmentStatus.BOOKED
        if booked and self.is_today:
            parts.append(
                self._form(
                    self.status_url,
                    pk,
                    '<button type="submit" name="event" value="check_in" class="small" '
                    f'data-testid="check-in-{pk:d}">Check in</button>',
                )
            )
        if booked and row.start <= self.now:
            parts.append(
                self._form(
                    self.status_url,
                    pk,
                    '<button type="submit" name="event" value="no_show" class="small secondary" '
                    f'data-testid="no-show-{pk:d}">No-show</button>',
                )
            )
        if status == AppointmentStatus.ARRIVED:
            parts.append(
                self._form(
                    self.status_url,
                    pk,
                    '<button type="submit" name="event" value="undo_check_in" '
                    'class="small secondary">Undo check-in</button>',
                )
            )
        if (
            kind == SeriesKind.CONSULTATION
            and self.clinical_edit
            and self.is_today
            and status in ACTIVE
        ):
            parts.append(
                self._form(
                    self.done_url,
                    pk,
                    '<button type="submit" class="small" '
                    f'data-testid="consultation-done-{pk:d}">Consultation done</button>',
                )
            )
        if self.clinical_edit:
            if row.session_note_id:
                parts.append(
                    f'<a class="button small" href="{self.note_url.format(row.session_note_id)}">'
                    "Open note</a>"
                )
            elif (
                status in (AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED)
                and kind != SeriesKind.CONSULTATION
            ):
                parts.append(
                    f'<a class="button small" href="{self.start_url.format(row.patient_id)}" '
                    f'data-testid="start-{pk:d}">Start session</a>'
                )
        return mark_safe("\n".join(parts))  # ids in constants escaped once


def _today(request: HttpRequest, clinic: Clinic, *, provider_id: int | None) -> dict[str, object]:
    """Today's visits (the clinician's own, or the whole clinic's) and the worklists of the
    role; each list of patients shown is an audit event."""
    clinical = provider_id is not None
    now = timezone.now()
    visits = visits_on(clinic, clinic.today(now), provider_id=provider_id, now=now)
    lists = worklists_for(clinic, clinical=clinical, now=now)
    record_event(
        request,
        AuditAction.LIST,
        object_type="appointments.Appointment",
        detail={
            "today": clinic.today(now).isoformat(),
            "visits": [row.pk for row in visits],
            "worklist_patients": lists.patient_ids(),
        },
    )
    return {
        "visits": visits,
        "visit_rows": _VisitRowsHtml(request, clinic, mine=clinical, now=now).html(visits),
        "worklists": lists,
        "zone": clinic.timezone,
        "now": now,
    }


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on the page it works from."""
    user = signed_in_user(request)
    role = user.role
    context: dict[str, object] = {"today": _clinic_today(request)}
    if role == Role.PATIENT:
        patient = Patient.objects.filter(portal_user_id=user.pk).select_related("clinic").first()
        if patient is not None:
            record_event(request, AuditAction.VIEW, patient=patient, obj=patient)
            context.update(patient_home(patient))
        context["patient"] = patient
        return render(request, "home/patient.html", context)
    clinic = staff_clinic(request)
    context["patient_count"] = clinic.active_patients
    context["change_requests_waiting"] = waiting_count(clinic)
    if role in CLINICAL_ROLES:
        provider = getattr(user, "provider", None)
        context["provider"] = provider
        context.update(_today(request, clinic, provider_id=provider.pk if provider else -1))
        return render(request, "home/clinician.html", context)
    if role == Role.FRONT_DESK:
        context.update(_today(request, clinic, provider_id=None))
        # A count only (no names): the list itself is audited where it is shown.
        context["maintenance_due"] = due_rows(
            clinic, states=frozenset({DueState.NOW, DueState.OVERDUE})
        ).count()
        return render(request, "home/front_desk.html", context)
    if role == Role.CLINIC_ADMIN:
        recent = list(AuditEvent.objects.filter(clinic=clinic).select_related("patient")[:10])
        context["recent_events"] = recent
        # The recent events name patients by record number: reading them is audited.
        record_event(
            request,
            AuditAction.LIST,
            object_type="audit.AuditEvent",
            detail={"page": "home", "count": len(recent)},
        )
        return render(request, "home/clinic_admin.html", context)
    return render(request, "home/no_role.html", context, status=403)
