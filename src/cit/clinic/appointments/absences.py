"""A provider's absence: recorded under the provider's lock, and the series it hits
re-planned (at once in bulk, then clinic-wide by the re-plan task)."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_tasks import task

from cit.clinic.accounts.models import Provider, User
from cit.clinic.appointments.convert import (
    booked_series_many,
)
from cit.clinic.appointments.errors import SchedulingRefused
from cit.clinic.appointments.holds import lock_providers
from cit.clinic.appointments.models import (
    Appointment,
    AppointmentStatus,
    ProviderAbsence,
    SeriesBooking,
)
from cit.clinic.appointments.moves import apply_replan, state_around
from cit.clinic.appointments.schedule_index import bump_schedule_version
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.scheduling import (
    ProviderUnavailable,
    optimise_replan,
    replan,
)


def do_record_absence(
    *,
    actor: User,
    provider: Provider,
    start: datetime.datetime,
    end: datetime.datetime,
    reason: str = "",
    now: datetime.datetime | None = None,
    request: HttpRequest | None = None,
) -> ProviderAbsence:
    """Record the absence and re-plan the sessions it hits: greedily right away when few series
    are affected, else clinic-wide with CP-SAT in a background task."""
    now = now or timezone.now()
    if start >= end:
        raise SchedulingRefused("The absence must end after it starts.")
    with transaction.atomic():
        # Bookings with this provider check their rules under the same lock (do_book_series).
        lock_providers([provider.pk])
        absence = ProviderAbsence.objects.create(
            clinic=provider.clinic,
            provider=provider,
            start=start,
            end=end,
            reason=reason[:200],
            recorded_by=actor if getattr(actor, "pk", None) else None,
        )
        affected = _series_hit_by(absence, now)
        record_event(
            request,
            AuditAction.CREATE,
            actor=actor,
            obj=absence,
            detail={"provider": provider.pk, "affected_series": len(affected)},
        )
        if not affected:
            absence.replan_status = ProviderAbsence.ReplanStatus.NOTHING
            absence.save(update_fields=["replan_status"])
        elif len(affected) <= settings.REPLAN_INLINE_MAX_SERIES:
            replan_for_absence(absence.pk, optimise=False, now=now)
            absence.refresh_from_db()
        else:
            absence_id = absence.pk
            transaction.on_commit(lambda: replan_after_absence.enqueue(absence_id))
        # The absence holds nothing itself (its re-plan logs what it moved).
        bump_schedule_version(absence.clinic_id, [], setup=True)
    return absence


def _series_hit_by(absence: ProviderAbsence, now: datetime.datetime) -> list[int]:
    return sorted(
        set(
            Appointment.objects.filter(
                provider=absence.provider,
                status=AppointmentStatus.BOOKED,
                start__lt=absence.end,
                end__gt=absence.start,
                start__gte=now,
            ).values_list("series_id", flat=True)
        )
    )


def replan_for_absence(
    absence_id: int, *, optimise: bool, now: datetime.datetime | None = None
) -> dict[str, Any]:
    """Re-plan every series the absence hits and apply it. Idempotent: a re-plan already done
    (status no longer pending) is not run again, so a task that runs twice changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        absence = (
            ProviderAbsence.objects.select_for_update()
            .select_related("clinic", "provider")
            .get(pk=absence_id)
        )
        if absence.replan_status != ProviderAbsence.ReplanStatus.PENDING:
            return dict(absence.replan)
        series_ids = _series_hit_by(absence, now)
        # Lock what the re-plan may change, in a stable order (as moving a session does).
        list(
            Appointment.objects.select_for_update()
            .filter(series_id__in=series_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        series = booked_series_many(list(SeriesBooking.objects.filter(pk__in=series_ids)))
        series = [s for s in series if s.sessions]
        change = ProviderUnavailable(str(absence.provider_id), absence.start, absence.end)
        summary: dict[str, Any] = {"series": len(series), "method": "greedy"}
        touched: list[int] = []
        if series:
            state = state_around(absence.clinic, series, now, absence.end)
            if optimise:
                report = optimise_replan(
                    series,
                    state,
                    change,
                    now=now,
                    time_limit_seconds=settings.REPLAN_TIME_LIMIT_SECONDS,
                )
                result = report.result
                summary.update(
                    method="cp-sat",
                    status=str(report.status),
                    # The plan applied: CP-SAT's, or the neighbourhood search's it started from.
                    objective=result.objective,
                    cp_sat_objective=report.objective,
                    search_objective=report.search_objective,
                    bound=report.best_bound,
                    bound_source=str(report.bound_source),
                    greedy_objective=report.greedy_objective,
                )
            else:
                result = replan(series, state, change, now=now)
                summary["objective"] = result.objective
            if result.rejected:
                summary["rejected"] = result.rejected
            else:
                touched = apply_replan(
                    result, absence.clinic, now, cancel_reason="provider unavailable"
                )
            summary["moved"] = len(result.moves)
            summary["broken"] = [
                {"series": o.series_id, "sessions": list(o.unplaced), "reason": o.reason}
                for o in result.broken
            ]
        absence.replan = summary
        absence.replan_status = (
            ProviderAbsence.ReplanStatus.FAILED
            if summary.get("rejected")
            else ProviderAbsence.ReplanStatus.DONE
        )
        absence.save(update_fields=["replan", "replan_status"])
        bump_schedule_version(absence.clinic_id, touched)
        return summary


@task(queue_name="replan")
def replan_after_absence(absence_id: int) -> dict[str, Any]:
    """Clinic-wide re-plan (CP-SAT, time-limited) of every series a provider's absence hits."""
    return replan_for_absence(absence_id, optimise=True)
