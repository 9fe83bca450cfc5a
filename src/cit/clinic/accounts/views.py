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
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_POST

from cit.clinic.access import signed_in_user, staff_clinic
from cit.clinic.accounts.idle import SHARED_DEVICE
from cit.clinic.accounts.lockout import client_ip
from cit.clinic.accounts.roles import CLINICAL_ROLES, Role
from cit.clinic.appointments.maintenance import due_rows
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction, AuditEvent
from cit.clinic.facilities.models import Clinic
from cit.clinic.patients.models import Patient
from cit.clinic.portal.home import patient_home, waiting_count
from cit.clinic.worklists.today import visits_on, worklists_for
from cit.clinic.worklists.today_html import VisitRowsHtml, worklist_items
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


def _today(request: HttpRequest, clinic: Clinic, *, provider_id: int | None) -> dict[str, object]:
    """Today's visits (the clinician's own, or the whole clinic's) and the worklists of the
    role; each list of patients shown is an audit event."""
    clinical = provider_id is not None
    now = timezone.now()
    day = clinic.today(now)
    visits = visits_on(clinic, day, provider_id=provider_id, now=now)
    lists = worklists_for(clinic, clinical=clinical, now=now)
    record_event(
        request,
        AuditAction.LIST,
        object_type="appointments.Appointment",
        detail={
            "today": day.isoformat(),
            "visits": [row.pk for row in visits],
            "worklist_patients": lists.patient_ids(),
        },
    )
    return {
        "visits": visits,
        "visit_rows": VisitRowsHtml(request, clinic, day, mine=clinical, now=now).html(visits),
        "worklists": lists,
        "worklist_items": worklist_items(request, lists, clinical=clinical, now=now),
        "zone": clinic.timezone,
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
