"""Background work of the recovery diary (django-tasks, queue ``recovery``).

Each task claims its row with a conditional UPDATE before doing the work, so a task that runs
twice or concurrently sends its message once (as the appointment reminders do). Messages
carry no health details: a patient's carries a link; a clinician's says only that a check-in
needs review.
"""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from cit.clinic.accounts.roles import Role
from cit.clinic.appointments.sms import get_sms_backend
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.jobs.actions import do_deliver_to_patient, message_id
from cit.clinic.jobs.lease import claim, release
from cit.clinic.links import absolute_url
from cit.clinic.recovery.leads import clinic_leads
from cit.clinic.recovery.links import check_in_url
from cit.clinic.recovery.models import CheckIn, RecoveryAlert
from cit.protocol.aftercare import AFTERCARE_DAYS, aftercare
from cit.protocol.profiles import load_profile


@task(queue_name="recovery")
def send_check_in(check_in_id: int) -> str:
    """Email and text the patient their check-in link once, when it is due."""
    now = timezone.now()
    # Only the check-in's own columns in the claim: a join would make Django update through
    # a subquery, which PostgreSQL does not re-check after waiting for a concurrent claim.
    pending = CheckIn.objects.filter(
        pk=check_in_id, sent_at__isnull=True, answered_at__isnull=True, due_at__lte=now
    )
    # A lease, not a flag: a worker killed while sending leaves a claim that runs out, and
    # the sweep or the next try sends again (each channel at most once, by its record).
    if not claim(pending, "send_claimed_at", now):
        return "skipped: already sent, being sent, answered or not due"
    check_in = CheckIn.objects.select_related("note", "patient__clinic").get(pk=check_in_id)
    if check_in.patient.archived_at is not None:
        return "skipped: the record is archived"
    try:
        _deliver_check_in(check_in)
    except Exception:
        release(CheckIn.objects.filter(pk=check_in_id), "send_claimed_at", now)
        raise
    if not CheckIn.objects.filter(pk=check_in_id, send_claimed_at=now).update(
        sent_at=timezone.now()
    ):
        return "sent; finished by another run"
    record_event(
        None,
        AuditAction.EXPORT,
        patient=check_in.patient,
        obj=check_in,
        detail={"check_in_sent": True, "day": check_in.day},
        channel="task",
    )
    return "sent"


def aftercare_text(check_in: CheckIn) -> str:
    """The session's aftercare day by day, from the check-in's day to the end of the week."""
    note = check_in.note
    profile = load_profile(check_in.patient.clinic.protocol_profile)
    lines = [_("Your aftercare, day by day (day 0 is the day of your session):")]
    for day in range(check_in.day, AFTERCARE_DAYS):
        care = aftercare(note.session_date, day, profile)
        lines.append("")
        lines.append(_("Day %(day)s (%(date)s)") % {"day": day, "date": f"{care.date:%a %d %b}"})
        lines.extend(f"- {instruction.text}" for instruction in care.instructions)
    return "\n".join(lines)


def _deliver_check_in(check_in: CheckIn) -> None:
    patient, clinic = check_in.patient, check_in.patient.clinic
    link = check_in_url(check_in)
    first = not CheckIn.objects.filter(note=check_in.note, day__lt=check_in.day).exists()
    ask = _("How is your skin today? Please answer a few short questions: %(link)s") % {
        "link": link
    }
    body = [_("Dear %(name)s,") % {"name": patient.given_name}, "", ask, ""]
    body.append(_("The link works once. You can also answer from your patient portal."))
    if first:
        body += ["", aftercare_text(check_in)]
    if clinic.phone:
        body += ["", _("Questions? Call %(clinic)s on %(phone)s.") % {
            "clinic": clinic.name, "phone": clinic.phone}]  # fmt: skip

    def send_email(key: str) -> None:
        EmailMessage(
            subject=_("Your recovery check-in from %(clinic)s") % {"clinic": clinic.name},
            body="\n".join(body) + "\n",
            to=[patient.email],
            headers={"Message-ID": message_id(key)},
        ).send(fail_silently=False)

    def send_sms(key: str) -> None:
        get_sms_backend().send(patient.phone, f"{clinic.name}: {ask}")

    do_deliver_to_patient(
        key=f"check-in:{check_in.pk}",
        kind="check-in",
        patient=patient,
        email=send_email,
        sms=send_sms,
        object_type="recovery.CheckIn",
        object_id=str(check_in.pk),
    )


def _alert_link(alert: RecoveryAlert) -> str:
    return absolute_url("recovery-alert", alert.pk)


@task(queue_name="recovery")
def notify_treating_clinician(alert_id: int) -> str:
    """Tell the clinician who signed the session that a check-in needs review."""
    now = timezone.now()
    claimed = RecoveryAlert.objects.filter(pk=alert_id, notify_claimed_at__isnull=True).update(
        notify_claimed_at=now
    )
    if not claimed:
        return "skipped: already notified"
    alert = RecoveryAlert.objects.select_related("treating_clinician").get(pk=alert_id)
    clinician = alert.treating_clinician
    if clinician is None or not clinician.email or not clinician.is_active:
        return "skipped: no clinician to email (the alert waits on the worklist)"
    try:
        EmailMessage(
            subject="A recovery check-in needs your review",
            body=(f"A patient's recovery check-in needs your review:\n{_alert_link(alert)}\n"),
            to=[clinician.email],
        ).send(fail_silently=False)
    except Exception:
        RecoveryAlert.objects.filter(pk=alert_id, notify_claimed_at=now).update(
            notify_claimed_at=None
        )
        raise
    RecoveryAlert.objects.filter(pk=alert_id).update(notified_at=timezone.now())
    return "sent"


@task(queue_name="recovery")
def escalate_alert(alert_id: int) -> str:
    """At the end of the response clock, an alert nobody acknowledged goes to the clinic
    lead (see ``clinic_leads``)."""
    now = timezone.now()
    claimed = RecoveryAlert.objects.filter(
        pk=alert_id,
        acknowledged_at__isnull=True,
        escalate_claimed_at__isnull=True,
        respond_by__lte=now,
    ).update(escalate_claimed_at=now)
    if not claimed:
        return "skipped: acknowledged, already escalated or not yet due"
    alert = RecoveryAlert.objects.select_related("clinic", "patient").get(pk=alert_id)
    leads = clinic_leads(alert.clinic)
    # A clinic admin may not read the answers: their link is the clinic's recovery list.
    link = (
        _alert_link(alert)
        if leads and leads[0].role != Role.CLINIC_ADMIN
        else absolute_url("recovery-clinic")
    )
    if leads:
        try:
            EmailMessage(
                subject="Unacknowledged recovery check-in",
                body=(
                    "A patient's recovery check-in has not been acknowledged in time and "
                    f"needs review:\n{link}\n"
                ),
                to=[lead.email for lead in leads],
            ).send(fail_silently=False)
        except Exception:
            RecoveryAlert.objects.filter(pk=alert_id, escalate_claimed_at=now).update(
                escalate_claimed_at=None
            )
            raise
    RecoveryAlert.objects.filter(pk=alert_id).update(
        escalated_at=timezone.now(), escalated_to=[lead.username for lead in leads]
    )
    record_event(
        None,
        AuditAction.UPDATE,
        patient=alert.patient,
        obj=alert,
        detail={"escalated_to": [lead.username for lead in leads]},
        channel="task",
    )
    return "escalated" if leads else "escalated: no lead with an email"
