from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cit.clinic.access import patient_for_request, signed_in_user
from cit.clinic.accounts.permissions import Capability, can_access_patient
from cit.clinic.audit.models import AuditAction
from cit.clinic.bounds import post_day, query_day
from cit.clinic.dates import clinic_date_text
from cit.clinic.feedback import refused
from cit.clinic.plans.actions import do_accept_plan, do_redate_session, propose_plan
from cit.clinic.plans.models import PlannedSession, TreatmentPlanRecord
from cit.clinic.portal.plain import plan_in_words
from cit.lib import bounds
from cit.protocol.adjust import SeriesAdjustment, allowed_sessions
from cit.protocol.planning import PlanningError, PlanRefused
from cit.protocol.serialise import screening_to_dict
from cit.protocol.stored import Series


def _start(request: HttpRequest, today: datetime.date) -> datetime.date:
    """The day to plan from (``start`` posted or in the query); 400 when unusable."""
    if request.POST.get("start"):
        return post_day(request, "start", today) or today
    return query_day(request, "start", today) or today


def _adjustments(
    post: Any, proposal: dict[str, Any], today: datetime.date
) -> tuple[list[SeriesAdjustment], dict[str, str]]:
    """Read each series' adjustment form; unreadable numbers are reported, not guessed."""
    adjustments, unreadable = [], {}
    for index, series in enumerate(Series.from_dict(s) for s in proposal["series"]):
        prefix = f"s{index}-"
        values: dict[str, Any] = {}
        goals = series.goals or ()
        several = len(goals) > 1
        values["sessions"] = series.sessions  # several goals: each goal's count instead
        for name, kind in (("sessions", int), ("interval_target_weeks", int)):
            if name == "sessions" and several:
                continue
            try:
                values[name] = kind(post.get(prefix + name, ""))
            except ValueError:
                unreadable[f"series[{index}].{name}"] = "enter a whole number"
                values[name] = 0
        goal_sessions: dict[int, int] = {}
        if several:
            # Several goals: each has its own count (needled at the first visits).
            for number in range(len(goals)):
                try:
                    goal_sessions[number] = int(post.get(f"{prefix}goal{number}-sessions", ""))
                except ValueError:
                    unreadable[f"series[{index}].goals[{number}].sessions"] = "enter a whole number"
        try:
            first = bounds.check_date(
                datetime.date.fromisoformat(post.get(prefix + "first_session", "")), today
            )
        except bounds.OutOfBounds as error:
            unreadable[f"series[{index}].first_session"] = str(error)
            first = datetime.date.min
        except ValueError:
            unreadable[f"series[{index}].first_session"] = "enter a date"
            first = datetime.date.min
        depths = {}
        for zone in series.zones:
            key = zone.key
            try:
                depths[key] = float(post.get(f"{prefix}depth-{key}", ""))
            except ValueError:
                unreadable[f"series[{index}].depth.{key}"] = "enter a depth in mm"
        adjustments.append(
            SeriesAdjustment(
                values["sessions"], values["interval_target_weeks"], first, depths, goal_sessions
            )
        )
    return adjustments, unreadable


@login_required
def plan_page(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The current accepted plan, and the engine's proposal to review, adjust and accept."""
    reading = request.method != "POST"
    patient = patient_for_request(
        request,
        patient_id,
        Capability.CLINICAL_VIEW if reading else Capability.CLINICAL_EDIT,
        AuditAction.VIEW if reading else None,
    )
    current = TreatmentPlanRecord.objects.filter(patient=patient).first()
    if getattr(request.user, "is_patient", False):
        # Patients read the agreed plan in plain words: no proposal, rule ids or versions.
        return render(
            request,
            "plans/plan_patient.html",
            {"patient": patient, "current": current, "plan_series": plan_in_words(current)},
        )
    today = patient.clinic.today()
    start = _start(request, today)
    may_edit = can_access_patient(request.user, patient, Capability.CLINICAL_EDIT)
    context: dict[str, Any] = {
        "patient": patient,
        "today": today,
        "start": start,
        "may_edit": may_edit,
    }
    if current is not None:
        context["current"] = current
        context["current_sessions"] = PlannedSession.objects.filter(plan=current)
    errors: dict[str, list[str]] = {}
    try:
        intake, proposal = propose_plan(patient, max(start, today))
    except PlanRefused as refused:
        context["refused"] = screening_to_dict(refused.screening)
        return render(request, "plans/plan.html", context)
    except (PlanningError, ValidationError) as error:
        context["problem"] = " ".join(getattr(error, "messages", [str(error)]))
        return render(request, "plans/plan.html", context)
    if request.method == "POST" and may_edit:
        adjustments, unreadable = _adjustments(request.POST, proposal, today)
        if unreadable:
            errors = {field: [message] for field, message in unreadable.items()}
        else:
            try:
                do_accept_plan(
                    actor=signed_in_user(request),
                    patient=patient,
                    intake=intake,
                    proposal=proposal,
                    adjustments=adjustments,
                    today=today,
                    request=request,
                )
            except ValidationError as error:
                errors = error.message_dict
            else:
                messages.success(request, "Plan accepted; its sessions are ready to book.")
                return redirect("plan", patient_id=patient.pk)
    context.update(
        proposal=proposal,
        errors=errors,
        series_forms=[
            {
                "index": index,
                "series": series,
                "sessions_range": allowed_sessions(typed),
                "zones": [
                    {**zone, "key": stored.key}
                    for zone, stored in zip(series["zones"], typed.zones, strict=True)
                ],
                "goals": [
                    {
                        **goal,
                        "number": number,
                        "value": (
                            request.POST.get(f"s{index}-goal{number}-sessions")
                            if request.method == "POST"
                            else None
                        )
                        or goal.get("sessions"),
                        "errors": errors.get(f"series[{index}].goals[{number}].sessions", []),
                    }
                    for number, goal in enumerate(series.get("goals", []))
                ],
                "values": request.POST if request.method == "POST" else None,
                "errors": {
                    k.split(".", 1)[1]: v
                    for k, v in errors.items()
                    if k.startswith(f"series[{index}].")
                },
            }
            for index, (series, typed) in enumerate(
                zip(proposal["series"], map(Series.from_dict, proposal["series"]), strict=True)
            )
        ],
    )
    return render(request, "plans/plan.html", context, status=422 if errors else 200)


@require_POST
@login_required
def redate_session(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_object_or_404(PlannedSession.objects.select_related("plan"), pk=session_id)
    patient = patient_for_request(request, session.plan.patient_id, Capability.CLINICAL_EDIT, None)
    back = reverse("plan", kwargs={"patient_id": patient.pk})
    today = patient.clinic.today()
    try:
        day = bounds.check_date(
            datetime.date.fromisoformat(request.POST.get("planned_on", "")), today
        )
        do_redate_session(
            actor=signed_in_user(request),
            session=session,
            planned_on=day,
            today=today,
            request=request,
        )
    except bounds.OutOfBounds as error:
        return refused(request, "Session not moved", [str(error)], back)
    except ValueError:
        return refused(request, "Session not moved", ["Enter a date."], back)
    except ValidationError as error:
        return refused(request, "Session not moved", error, back)
    moved_to = clinic_date_text(day, "j M Y")
    messages.success(request, f"Session {session.number} moved to {moved_to}.")
    return redirect("plan", patient_id=patient.pk)
