"""Pages of the recovery diary: the check-in form (by one-time link, or from the portal),
the patient's diary, the staff's recovery page per patient and clinic list, and the
clinician's alert page (acknowledge, record an adverse event)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cit.clinic.access import capability_required, patient_for_request, signed_in_user, staff_clinic
from cit.clinic.accounts.permissions import Capability, can_access_patient, has_capability
from cit.clinic.audit.actions import note_patient_read, record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.charting.handout import deepest_depth
from cit.clinic.charting.models import SessionNote
from cit.clinic.feedback import form_status
from cit.clinic.paging import KeysetPage, request_page
from cit.clinic.patients.models import Patient
from cit.clinic.recovery import actions, links
from cit.clinic.recovery.forms import YES_NO, AcknowledgeForm, AdverseEventForm, CheckInForm
from cit.clinic.recovery.models import AdverseEvent, CheckIn, DiaryEntry, RecoveryAlert
from cit.protocol.aftercare import DiaryLevel, aftercare, expected_course
from cit.protocol.profiles import load_profile

REFUSALS = {
    "used": (
        _("This check-in has already been answered"),
        _("Thank you: we have your answers. Each link works only once."),
    ),
    "expired": (
        _("This link has expired"),
        _("Please log in to your patient portal to answer, or call the clinic."),
    ),
    "invalid": (
        _("This link does not work"),
        _("It may have been copied incompletely. Please use the link in the latest message, "
          "log in to your patient portal, or call the clinic."),
    ),
}  # fmt: skip
REFUSAL_STATUS = {"used": 410, "expired": 410, "invalid": 404}


# ------------------------------------------------------------------------------ patients


def check_in_by_link(request: HttpRequest, token: str) -> HttpResponse:
    """The check-in form from a message: no log-in, only this check-in, only once."""
    try:
        check_in = links.check_in_for_token(token)
    except links.LinkRefused as refused:
        title, text = REFUSALS[refused.reason]
        record_event(
            request,
            AuditAction.DENIED,
            patient=refused.check_in.patient if refused.check_in else None,
            object_type="recovery.CheckIn",
            detail={"link": refused.reason},
        )
        return render(
            request,
            "recovery/link_refused.html",
            {"title": title, "text": text},
            status=REFUSAL_STATUS[refused.reason],
        )
    return _check_in_page(request, check_in, via="link")


@login_required
def portal_check_in(request: HttpRequest, check_in_id: int) -> HttpResponse:
    """The same form from the portal: only the logged-in patient's own check-ins."""
    check_in = _own_check_in(request, check_in_id)
    if check_in.answered_at is not None:
        return redirect("recovery-portal")
    return _check_in_page(request, check_in, via="portal")


def _own_check_in(request: HttpRequest, check_in_id: int) -> CheckIn:
    check_in = (
        CheckIn.objects.select_related("note", "patient__clinic")
        .filter(
            pk=check_in_id,
            patient__portal_user_id=request.user.pk,
            patient__archived_at__isnull=True,
        )
        .first()
    )
    if check_in is None or not signed_in_user(request).is_patient:
        raise Http404("No such check-in.")
    if not check_in.is_open(timezone.now()):
        raise Http404("This check-in is not due yet.")
    return check_in


def _check_in_page(request: HttpRequest, check_in: CheckIn, *, via: str) -> HttpResponse:
    patient = check_in.patient
    # A link has no logged-in user whose clinic sets the time zone.
    timezone.activate(patient.clinic.tzinfo)
    note_patient_read(request, patient)
    with_photo = actions.may_send_photo(patient)
    if request.method == "POST":
        form = CheckInForm(request.POST, request.FILES, with_photo=with_photo)
        if form.is_valid():
            try:
                submitted = actions.do_submit_check_in(
                    check_in=check_in,
                    answers=form.answers(),
                    photo=form.sanitised,
                    via=via,
                    request=request,
                )
            except ValidationError:
                title, text = REFUSALS["used"]
                return render(
                    request,
                    "recovery/link_refused.html",
                    {"title": title, "text": text},
                    status=409,
                )
            return render(request, "recovery/advice.html", _advice(check_in, submitted.entry))
    else:
        form = CheckInForm(with_photo=with_photo)
        record_event(request, AuditAction.VIEW, patient=patient, obj=check_in, detail={"via": via})
    return render(
        request,
        "recovery/check_in.html",
        {
            "form": form,
            "check_in": check_in,
            "clinic": patient.clinic,
            "day": actions.day_after_session(check_in),
        },
        status=form_status(form),
    )


def _advice(check_in: CheckIn, entry: DiaryEntry) -> dict[str, Any]:
    """What the patient is told at once: today's expected course and aftercare, or what to
    do now."""
    note = check_in.note
    day = entry.day_after_session
    context: dict[str, Any] = {
        "entry": entry,
        "clinic": check_in.patient.clinic,
        "level": entry.level,
        "reasons": [sign["reason"] for sign in entry.signs],
        "day": day,
    }
    if entry.level == DiaryLevel.EXPECTED:
        context["expected"] = [i.text for i in expected_course(day, deepest_depth(note)).expected]
        profile = load_profile(check_in.patient.clinic.protocol_profile)
        context["aftercare"] = [
            i.text for i in aftercare(note.session_date, day, profile).instructions
        ]
    return context


# A page of each list: check-ins by session, alerts, adverse events, missed check-ins.
RECOVERY_PAGE_SIZE = 50


@login_required
def portal_diary(request: HttpRequest) -> HttpResponse:
    """The patient's own diary: check-ins due, answered and missed."""
    if not signed_in_user(request).is_patient:
        raise Http404("The diary page is for patients.")
    patient = Patient.objects.active().filter(portal_user_id=request.user.pk).first()
    if patient is None:
        raise Http404("No patient record is linked to this account.")
    now = timezone.now()
    check_ins = request_page(
        request,
        CheckIn.objects.filter(patient=patient, due_at__lte=now).select_related("note", "entry"),
        ordering=("-due_at", "-id"),
        size=RECOVERY_PAGE_SIZE,
        next_label=_("Older"),
        previous_label=_("Newer"),
    )
    record_event(request, AuditAction.LIST, patient=patient, object_type="recovery.CheckIn")
    return render(
        request,
        "recovery/portal_diary.html",
        {"patient": patient, "check_ins": check_ins, "now": now},
    )


# ------------------------------------------------------------------------------ staff


def _reads_answers(user: Any) -> bool:
    return has_capability(user, Capability.CLINICAL_VIEW) and not user.is_patient


def _check_ins_by_session(
    request: HttpRequest, patient: Patient
) -> tuple[KeysetPage, list[CheckIn]]:
    """A page of the patient's sessions that have check-ins (newest first) and their
    check-ins, by day: a session's check-ins are a fixed few, its sessions are not."""
    notes = request_page(
        request,
        SessionNote.objects.filter(patient=patient).filter(
            Exists(CheckIn.objects.filter(note=OuterRef("pk")))
        ),
        ordering=("-session_date", "-id"),
        size=RECOVERY_PAGE_SIZE,
        next_label="Older",
        previous_label="Newer",
    )
    order = {note.pk: place for place, note in enumerate(notes)}
    check_ins = sorted(
        CheckIn.objects.filter(note__in=list(order)).select_related("note", "entry"),
        key=lambda c: (order[c.note_id], c.day),
    )
    return notes, check_ins


@capability_required(Capability.PATIENT_VIEW)
def patient_recovery(request: HttpRequest, patient_id: int) -> HttpResponse:
    """A patient's recovery: check-ins (missed ones marked), alerts, adverse events. Clinical
    staff see the answers; the front desk sees only that a check-in was answered or an alert
    exists."""
    if signed_in_user(request).is_patient:
        raise Http404("No such page.")
    patient = patient_for_request(request, patient_id, Capability.PATIENT_VIEW, AuditAction.LIST)
    clinical = _reads_answers(request.user)
    now = timezone.now()
    sessions, check_ins = _check_ins_by_session(request, patient)
    alerts = request_page(
        request,
        RecoveryAlert.objects.filter(patient=patient),
        ordering=("-raised_at", "-id"),
        size=RECOVERY_PAGE_SIZE,
        param="alerts",
        next_label="Older",
        previous_label="Newer",
    )
    events: KeysetPage | list[AdverseEvent] = (
        request_page(
            request,
            patient.adverse_events.select_related("note").prefetch_related("lot_uses__lot"),
            ordering=("-recorded_at", "-id"),
            size=RECOVERY_PAGE_SIZE,
            param="events",
            next_label="Older",
            previous_label="Newer",
        )
        if clinical
        else []
    )
    return render(
        request,
        "recovery/patient_recovery.html",
        {
            "patient": patient,
            "check_ins": check_ins,
            "sessions": sessions,
            "alerts": alerts,
            "events": events,
            "clinical": clinical,
            "now": now,
            "labels": actions.adverse_event_labels(),
        },
    )


@capability_required(Capability.PATIENT_LIST)
def clinic_recovery(request: HttpRequest) -> HttpResponse:
    """The clinic's open recovery alerts and missed check-ins."""
    clinic = staff_clinic(request)
    now = timezone.now()
    alerts = request_page(
        request,
        actions.open_alerts(clinic),
        ordering=actions.ALERT_ORDER,
        size=RECOVERY_PAGE_SIZE,
        param="alerts",
    )
    missed = request_page(
        request,
        actions.missed_check_ins(clinic, now),
        ordering=actions.MISSED_ORDER,
        size=RECOVERY_PAGE_SIZE,
        param="missed",
    )
    record_event(
        request,
        AuditAction.LIST,
        object_type="recovery.CheckIn",
        detail={
            "alerts": [a.pk for a in alerts],
            "missed_patients": sorted({c.patient_id for c in missed}),
        },
    )
    return render(
        request,
        "recovery/clinic_recovery.html",
        {
            "alerts": alerts,
            "missed": missed,
            "clinical": _reads_answers(request.user),
            "now": now,
        },
    )


def _alert_for(request: HttpRequest, alert_id: int, capability: Capability) -> RecoveryAlert:
    alert = (
        RecoveryAlert.objects.select_related(
            "entry__check_in", "note", "patient__clinic", "acknowledged_by"
        )
        .filter(pk=alert_id)
        .first()
    )
    if alert is None:
        raise Http404("No such alert.")
    if not can_access_patient(request.user, alert.patient, capability):
        record_event(
            request,
            AuditAction.DENIED,
            patient=alert.patient,
            obj=alert,
            detail={"capability": str(capability)},
        )
        raise PermissionDenied("You may not see this patient's recovery answers.")
    return alert


def _alert_page(
    request: HttpRequest,
    alert: RecoveryAlert,
    *,
    acknowledge_form: AcknowledgeForm | None = None,
    event_form: AdverseEventForm | None = None,
    status: int = 200,
) -> HttpResponse:
    note = alert.note
    today = alert.patient.clinic.today()
    entry = alert.entry
    answered = [label for name, label in YES_NO.items() if getattr(entry, name)]
    return render(
        request,
        "recovery/alert.html",
        {
            "alert": alert,
            "entry": entry,
            "answered_yes": answered,
            "patient": alert.patient,
            "note": note,
            "zones": note.zones.all(),
            "products": note.products.select_related("lot_use__lot__product"),
            "events": alert.adverse_events.all(),
            "labels": actions.adverse_event_labels(),
            "acknowledge_form": acknowledge_form or AcknowledgeForm(),
            "event_form": event_form
            or AdverseEventForm(
                session_date=note.session_date, today=today, initial={"onset_on": today}
            ),
            "now": timezone.now(),
        },
        status=status,
    )


@capability_required(Capability.CLINICAL_VIEW)
def alert_detail(request: HttpRequest, alert_id: int) -> HttpResponse:
    if signed_in_user(request).is_patient:
        raise Http404("No such page.")
    alert = _alert_for(request, alert_id, Capability.CLINICAL_VIEW)
    record_event(request, AuditAction.VIEW, patient=alert.patient, obj=alert)
    return _alert_page(request, alert)


@require_POST
@capability_required(Capability.CLINICAL_EDIT)
def alert_acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = _alert_for(request, alert_id, Capability.CLINICAL_EDIT)
    form = AcknowledgeForm(request.POST)
    if form.is_valid():
        try:
            actions.do_acknowledge_alert(
                actor=signed_in_user(request),
                alert=alert,
                action_taken=form.cleaned_data["action_taken"],
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Alert acknowledged.")
            return redirect("recovery-alert", alert.pk)
    record_event(request, AuditAction.VIEW, patient=alert.patient, obj=alert)
    return _alert_page(request, alert, acknowledge_form=form, status=422)


@require_POST
@capability_required(Capability.CLINICAL_EDIT)
def alert_adverse_event(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = _alert_for(request, alert_id, Capability.CLINICAL_EDIT)
    form = AdverseEventForm(
        request.POST, session_date=alert.note.session_date, today=alert.patient.clinic.today()
    )
    if form.is_valid():
        try:
            actions.do_record_adverse_event(
                actor=signed_in_user(request),
                note=alert.note,
                alert=alert,
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Adverse event recorded.")
            return redirect("recovery-alert", alert.pk)
    record_event(request, AuditAction.VIEW, patient=alert.patient, obj=alert)
    return _alert_page(request, alert, event_form=form, status=422)
