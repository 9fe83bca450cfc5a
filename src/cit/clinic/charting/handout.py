"""The printable aftercare handout of a signed session, as a PDF (fpdf2).

The words come from the protocol engine (aftercare by day, expected course, when to call
the clinic); the fixed labels are marked for translation. Layout, fonts and the rule that
no character is replaced silently live in ``charting.document``.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from cit.clinic.charting.models import SessionNote
from cit.protocol.aftercare import AFTERCARE_DAYS, aftercare, course_depth, course_summary
from cit.protocol.knowledge import get_knowledge
from cit.protocol.profiles import load_profile

if TYPE_CHECKING:
    from cit.clinic.charting.document import Row


def deepest_depth(note: SessionNote) -> float:
    return course_depth([float(zone.depth_mm) for zone in note.zones.all()])


def aftercare_pdf(note: SessionNote) -> bytes:
    """The handout for ``note``: day-by-day care, what to expect, and when to call."""
    patient = note.patient
    clinic = patient.clinic
    profile = load_profile(clinic.protocol_profile)
    knowledge = get_knowledge()
    depth = deepest_depth(note)

    # The PDF library (~55 MB) loads on the first document, not in every web worker.
    from cit.clinic.charting.document import PatientDocument, name_or_notice

    pdf = PatientDocument(title=_("Aftercare"), patient=patient)
    pdf.add_page()

    def line(text: str, bullet: bool = True) -> None:
        pdf.paragraph(("- " if bullet else "") + text)

    pdf.heading(_("Aftercare after your micro-needling session"), 15)
    line(
        _("Aftercare for %(name)s, session on %(date)s")
        % {
            "name": name_or_notice(patient.full_name),
            "date": pdf.date_text(note.session_date, "j F Y"),
        },
        bullet=False,
    )
    if clinic.phone:
        line(_("Clinic phone: %(phone)s") % {"phone": clinic.phone}, bullet=False)
    pdf.ln(3)

    pdf.heading(_("What to expect"))
    course = course_summary(depth)
    for item in course.items:
        if item.first_day == item.last_day:
            days = _("Day %(day)s") % {"day": item.first_day}
        else:
            days = _("Days %(first)s-%(last)s") % {"first": item.first_day, "last": item.last_day}
        line(f"{days}: {item.text}")
    # The same recovery line as the plan's ("largely healed by day 3" only for <= 0.5 mm).
    line(course.recovery.text)
    pdf.ln(2)

    pdf.heading(_("Day by day"))
    for day in range(AFTERCARE_DAYS):
        care = aftercare(note.session_date, day, profile)
        when = note.session_date + datetime.timedelta(days=day)
        label = _("Day %(day)s (%(date)s)") % {"day": day, "date": pdf.date_text(when, "D j M")}
        # A day's care is never split across two pages.
        day_rows: list[Row] = [(label, "B", 11, 6)]
        day_rows += [(f"- {item.text}", "", 10.5, 5.5) for item in care.instructions]
        pdf.keep_together(day_rows)
        pdf.ln(1)

    pdf.heading(_("Call the clinic"))
    for level, title in (
        ("urgent", _("At once (or emergency services) if you have:")),
        ("contact_clinic", _("Within a day if you notice:")),
    ):
        sign_rows: list[Row] = [(title, "B", 10.5, 6)]
        sign_rows += [
            (f"- {sign.reason}", "", 10.5, 5.5)
            for sign in knowledge.escalation
            if sign.level == level
        ]
        pdf.keep_together(sign_rows)
    pdf.ln(2)
    # The edition only: the content hash is for staff (the note page's details line).
    pdf.paragraph(
        _("Micro-needling protocol, edition %(version)s") % {"version": knowledge.version},
        size=8,
        height=4,
    )
    return pdf.finish()
