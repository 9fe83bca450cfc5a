"""Maintenance recall: when a patient's maintenance window opens, they get one message (email
with an .ics of the window, and an SMS through the SMS backend) asking them to book.

A task per plan series is enqueued, after commit, for the morning the window is expected to
open (``schedule_recall``, called when its sessions are booked). When it runs it reads the
calendar again: not due yet (the series moved later) → it re-enqueues itself for the new day;
booked, archived, or the window over → nothing is sent. The ``MaintenanceRecall`` row of the
window is the claim, so the patient is recalled once per window however often the task runs;
``recall_all_due`` sweeps every clinic as a safety net (run it daily from the worker host).
"""

from __future__ import annotations

import datetime

from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import dateformat, timezone
from django.utils.translation import gettext
from django_tasks import task
from icalendar import Calendar, Event

from cit.clinic.appointments.convert import maintenance_due_after
from cit.clinic.appointments.ics import PRODID, uid_domain
from cit.clinic.appointments.maintenance import MaintenanceEntry, maintenance_entries
from cit.clinic.appointments.models import (
    HOLDING_STATUSES,
    Appointment,
    MaintenanceRecall,
    SeriesKind,
)
from cit.clinic.appointments.sms import get_sms_backend
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.dates import pattern_for
from cit.clinic.facilities.models import Clinic
from cit.clinic.jobs.actions import do_deliver_to_patient, message_id
from cit.clinic.jobs.lease import claim, release
from cit.clinic.plans.models import TreatmentPlanRecord
from cit.scheduling.maintenance import DueState

RECALL_TIME = datetime.time(9, 0)  # the recall goes out in the clinic's morning
DATE_FORMAT = "D j M Y"  # as the clinic's pages write a date


def _morning_of(day: datetime.date, clinic: Clinic) -> datetime.datetime:
    return datetime.datetime.combine(day, RECALL_TIME, tzinfo=clinic.tzinfo)


def expected_opening(plan: TreatmentPlanRecord, series_index: int) -> datetime.date | None:
    """The day the maintenance window opens if every visit of the series (and of its
    maintenance) keeps its booked day; None when nothing is booked or the plan has none."""
    last = (
        Appointment.objects.filter(
            series__plan=plan,
            series__series_index=series_index,
            series__kind__in=(SeriesKind.TREATMENT, SeriesKind.MAINTENANCE),
            status__in=HOLDING_STATUSES,
        )
        .select_related("clinic")
        .order_by("-start")
        .first()
    )
    if last is None:
        return None
    try:
        return maintenance_due_after(plan, series_index, last.local_start().date()).opens
    except LookupError:
        return None


def schedule_recall(plan_id: int, series_index: int, now: datetime.datetime | None = None) -> None:
    """Enqueue the recall for the morning the window is expected to open (after commit)."""
    plan = TreatmentPlanRecord.objects.select_related("patient__clinic").filter(pk=plan_id).first()
    if plan is None:
        return
    opens = expected_opening(plan, series_index)
    if opens is None:
        return
    run_at = _morning_of(opens, plan.patient.clinic)
    runner = (
        send_maintenance_recall.using(run_after=run_at)
        if run_at > (now or timezone.now())
        else send_maintenance_recall
    )
    runner.enqueue(plan_id, series_index)


@task(queue_name="reminders")
def send_maintenance_recall(plan_id: int, series_index: int) -> str:
    return recall_series(plan_id, series_index)


@task(queue_name="reminders")
def recall_all_due() -> int:
    """Every clinic's patients whose window is open and who were not recalled yet."""
    return sum(
        recall_series(entry.plan.pk, entry.series_index) == "sent"
        for clinic in Clinic.objects.active()
        for entry in maintenance_entries(clinic, states=frozenset({DueState.NOW}))
    )


def recall_series(plan_id: int, series_index: int, now: datetime.datetime | None = None) -> str:
    """Recall the patient of this plan series if their window is open now; what happened."""
    now = now or timezone.now()
    plan = TreatmentPlanRecord.objects.select_related("patient__clinic").filter(pk=plan_id).first()
    if plan is None or plan.patient.is_archived:
        return "skipped: no such patient, or archived"
    clinic = plan.patient.clinic
    today = clinic.today(now)
    entry = next(
        (
            e
            for e in maintenance_entries(clinic, now=now, states=None, plan_ids=[plan.pk])
            if e.series_index == series_index
        ),
        None,
    )
    if entry is None:
        # Sessions still to come (or a maintenance session booked): try again when the
        # window of the sessions as booked now would open.
        opens = expected_opening(plan, series_index)
        if opens is not None and opens > today:
            send_maintenance_recall.using(run_after=_morning_of(opens, clinic)).enqueue(
                plan_id, series_index
            )
            return "deferred: sessions still to come"
        return "skipped: nothing due (booked, or no session held)"
    if today < entry.due.opens:
        send_maintenance_recall.using(run_after=_morning_of(entry.due.opens, clinic)).enqueue(
            plan_id, series_index
        )
        return "deferred: window not open yet"
    if today > entry.due.closes:
        return "skipped: the window is over (the front desk sees the patient as overdue)"
    return _claim_and_send(entry, now)


def _claim_and_send(entry: MaintenanceEntry, now: datetime.datetime) -> str:
    try:
        with transaction.atomic():
            recall, _ = MaintenanceRecall.objects.get_or_create(
                plan=entry.plan,
                series_index=entry.series_index,
                window_opens=entry.due.opens,
                defaults={
                    "clinic": entry.patient.clinic,
                    "patient": entry.patient,
                    "window_closes": entry.due.closes,
                    "target": entry.due.target,
                },
            )
    except IntegrityError:
        recall = MaintenanceRecall.objects.get(
            plan=entry.plan, series_index=entry.series_index, window_opens=entry.due.opens
        )
    # The claim is a lease: a worker killed while sending leaves a claim that runs out, and
    # the daily sweep sends again (each channel at most once, by its delivery record).
    unsent = MaintenanceRecall.objects.filter(pk=recall.pk, sent_at__isnull=True)
    if not claim(unsent, "claimed_at", now):
        return "skipped: already recalled for this window"
    try:
        _deliver(entry, recall)
    except Exception:
        release(MaintenanceRecall.objects.filter(pk=recall.pk), "claimed_at", now)
        raise
    if not MaintenanceRecall.objects.filter(pk=recall.pk, claimed_at=now).update(
        sent_at=timezone.now()
    ):
        return "sent; finished by another run"
    record_event(
        None,
        AuditAction.EXPORT,
        patient=entry.patient,
        obj=recall,
        detail={
            "maintenance_recall": True,
            "window": [str(entry.due.opens), str(entry.due.closes)],
        },
        channel="task",
    )
    return "sent"


def recall_text(entry: MaintenanceEntry) -> str:
    clinic = entry.patient.clinic
    pattern = pattern_for(clinic.date_order, DATE_FORMAT)
    return gettext(
        "It is time for your maintenance micro-needling session at %(clinic)s: best between "
        "%(opens)s and %(closes)s, ideally around %(target)s. Please call %(phone)s to book."
    ) % {
        "clinic": clinic.name,
        "opens": dateformat.format(entry.due.opens, pattern),
        "closes": dateformat.format(entry.due.closes, pattern),
        "target": dateformat.format(entry.due.target, pattern),
        "phone": clinic.phone or gettext("the clinic"),
    }


def recall_calendar(entry: MaintenanceEntry) -> bytes:
    """The window as one all-day entry, free time, so the patient's calendar shows it."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add(
        "uid",
        f"maintenance-{entry.plan.pk}-{entry.series_index}-{entry.due.opens:%Y%m%d}@{uid_domain()}",
    )
    event.add("dtstamp", timezone.now())
    event.add("dtstart", entry.due.opens)
    event.add("dtend", entry.due.closes + datetime.timedelta(days=1))
    event.add("summary", gettext("Book your micro-needling maintenance session"))
    event.add("description", recall_text(entry))
    event.add("transp", "TRANSPARENT")
    calendar.add_component(event)
    return bytes(calendar.to_ical())


def _deliver(entry: MaintenanceEntry, recall: MaintenanceRecall) -> None:
    patient = entry.patient
    text = recall_text(entry)

    def send_email(key: str) -> None:
        message = EmailMessage(
            subject=gettext("Time to book your maintenance session"),
            body=gettext(
                "Dear %(name)s,\n\n%(text)s\n\nThe window is attached for your calendar.\n"
            )
            % {"name": patient.given_name, "text": text},
            to=[patient.email],
            headers={"Message-ID": message_id(key)},
        )
        message.attach("maintenance-window.ics", recall_calendar(entry), "text/calendar")
        message.send(fail_silently=False)

    def send_sms(key: str) -> None:
        get_sms_backend().send(patient.phone, text)

    do_deliver_to_patient(
        key=f"recall:{recall.pk}",
        kind="recall",
        patient=patient,
        email=send_email,
        sms=send_sms,
        object_type="appointments.MaintenanceRecall",
        object_id=str(recall.pk),
    )
